"""Streamable HTTP: stateless JSON responses, Host/Origin checks, optional bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
from realtimekit_mcp.server.http import http_app

pytestmark = pytest.mark.anyio

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@asynccontextmanager
async def _running(app: Any, inner: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with inner.router.lifespan_context(inner):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def _post(http: httpx.AsyncClient, headers: dict[str, str], body: Any = INIT) -> httpx.Response:
    return await http.post("/mcp", json=body, headers={**HEADERS, **headers})


def _apps(tmp_path: Path, token: str | None = None) -> tuple[Any, Any]:
    server = build_server(settings_from_args(env={}, data_dir=tmp_path))
    app = http_app(server, host="127.0.0.1", port=8000, token=token)
    return app, getattr(app, "app", app)


async def test_initialize_and_list_tools_over_http(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path)) as http:
        response = await _post(http, {})
        assert (
            response.status_code == 200 and response.json()["result"]["serverInfo"]["name"] == "realtimekit"
        )
        listed = await _post(
            http, {"mcp-protocol-version": "2025-11-25"}, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        )
        assert listed.status_code == 200 and len(listed.json()["result"]["tools"]) == 15


async def test_foreign_host_or_origin_is_rejected(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path)) as http:
        assert (await _post(http, {"host": "evil.example"})).status_code in (400, 403, 421)
        assert (await _post(http, {"origin": "http://evil.example"})).status_code in (400, 403)


async def test_bearer_token_is_required_when_configured(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path, token="s3cret-bearer-token")) as http:
        assert (await _post(http, {})).status_code == 401
        assert (await _post(http, {"authorization": "Bearer wrong"})).status_code == 401
        ok = await _post(http, {"authorization": "Bearer s3cret-bearer-token"})
        assert ok.status_code == 200


async def test_real_http_server_serves_both_eras_and_confirms_on_the_modern_one(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    from mcp import Client
    from mcp_types import ElicitResult

    asked: list[str] = []

    async def accept(_ctx: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    env["REALTIMEKIT_DATA_DIR"] = str(tmp_path)
    cmd = [
        sys.executable,
        "-m",
        "realtimekit_mcp",
        "serve",
        "--http",
        "--port",
        str(port),
        "--log-level",
        "INFO",
    ]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # noqa: ASYNC220
    try:
        assert proc.stderr is not None
        with anyio.fail_after(60):
            while True:  # uvicorn logs this once the socket listens
                line = await anyio.to_thread.run_sync(proc.stderr.readline)
                assert line, "server exited early"
                if "Uvicorn running on" in line:
                    break
            url = f"http://127.0.0.1:{port}/mcp"
            async with Client(url, mode="2026-07-28", elicitation_callback=accept) as client:
                meeting = (await client.call_tool("meeting_create", {"title": "h"})).structured_content
                assert meeting is not None
                added = (
                    await client.call_tool("participant_add", {"meeting_id": meeting["id"], "name": "A"})
                ).structured_content
                assert added is not None
                args = {"meeting_id": meeting["id"], "participant_id": added["id"]}
                removed = await client.call_tool("participant_remove", args)
                assert not removed.is_error and asked and added["id"] in asked[0]
            async with Client(url, mode="legacy", elicitation_callback=accept) as client:
                assert len((await client.list_tools()).tools) == 15
                # Stateless HTTP cannot carry a pushed elicitation: destructive tools fail closed.
                refused = await client.call_tool(
                    "participant_remove", {"meeting_id": "m", "participant_id": "p"}
                )
                assert refused.is_error and "confirmation" in refused.content[0].text  # type: ignore[union-attr]
        assert proc.stdout is not None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.stdout.read() == ""  # type: ignore[union-attr]
