"""The real process over stdio: stdout carries JSON-RPC only; the SDK client can drive it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.anyio


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    env["REALTIMEKIT_DATA_DIR"] = str(tmp_path)
    return env


def test_stdout_is_pure_protocol_and_stderr_announces_the_backend(tmp_path: Path) -> None:
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "smoke", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "meeting_create", "arguments": {"title": "t"}},
        },
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "meeting_get", "arguments": {}},
        },
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "realtimekit_mcp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    assert proc.stdin is not None and proc.stdout is not None
    out: list[str] = []
    try:
        for request in requests:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            if "id" in request:  # wait for its answer (the server handles requests concurrently)
                while True:
                    line = proc.stdout.readline()
                    assert line, "server closed stdout early"
                    out.append(line)
                    if json.loads(line).get("id") == request["id"]:
                        break
        proc.stdin.close()
        proc.stdin = None  # so communicate() does not flush the closed pipe
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc.stdout_text = "".join(out) + rest  # type: ignore[attr-defined]
    lines = [line for line in proc.stdout_text.splitlines() if line.strip()]  # type: ignore[attr-defined]
    messages = [json.loads(line) for line in lines]  # every stdout line is JSON
    assert all(m.get("jsonrpc") == "2.0" for m in messages)
    by_id = {m["id"]: m for m in messages if "id" in m}
    assert len(by_id[2]["result"]["tools"]) == 15
    assert by_id[3]["result"]["isError"] is False
    assert "t" in by_id[4]["result"]["content"][0]["text"]
    announce = [line for line in err.splitlines() if line.startswith("realtimekit-mcp: backend =")]
    assert len(announce) == 1 and "embedded RealtimeKit emulator" in announce[0]


async def test_sdk_client_spawns_the_server_on_the_modern_era(tmp_path: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "realtimekit_mcp"], env=_env(tmp_path))
    with anyio.fail_after(60):
        async with Client(params, mode="auto") as client:
            tools = (await client.list_tools()).tools
            assert [t.name for t in tools][:2] == ["meeting_get", "meeting_create"]
            created = await client.call_tool("meeting_create", {"title": "over stdio"})
            assert created.structured_content is not None
    assert (tmp_path / "emulator.sqlite3").exists()


def test_bad_configuration_exits_with_a_clear_message(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "realtimekit_mcp", "serve", "--toolsets", "nope"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown toolset 'nope'" in proc.stderr
