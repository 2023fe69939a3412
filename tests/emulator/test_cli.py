"""``realtimekit-mcp emulator``: argument parsing, settings, and the real command in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import httpx
import pytest

from realtimekit_mcp import cli as top_cli
from realtimekit_mcp.emulator import cli as emulator_cli

# --------------------------------------------------------------------------------------------
# A real emulator process (also used by the crash-safety test)
# --------------------------------------------------------------------------------------------


@dataclass
class EmulatorProcess:
    process: anyio.abc.Process
    details: dict[str, Any]
    stderr_path: Path

    @property
    def api(self) -> str:
        d = self.details
        return f"{d['base_url']}/accounts/{d['account_id']}/realtime/kit/{d['app_id']}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.details['api_token']}"}

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


async def _read_line(stream: anyio.abc.ByteReceiveStream) -> bytes:
    buffer = b""
    while b"\n" not in buffer:
        buffer += await stream.receive()
    return buffer.split(b"\n", 1)[0]


@contextlib.asynccontextmanager
async def emulator_process(
    args: Sequence[str], stderr_path: Path, *, env: dict[str, str] | None = None, startup_bound: float = 60.0
) -> AsyncIterator[EmulatorProcess]:
    """Start ``python -m realtimekit_mcp emulator --port 0 --json ARGS`` and read its JSON line.

    Kills the process on exit if the test has not stopped it already.
    """
    command = [sys.executable, "-m", "realtimekit_mcp", "emulator", "--port", "0", "--json", *args]
    with stderr_path.open("wb") as stderr:
        process = await anyio.open_process(
            command, stdout=subprocess.PIPE, stderr=stderr, env={**os.environ, **(env or {})}
        )
    try:
        assert process.stdout is not None
        try:
            with anyio.fail_after(startup_bound):
                line = await _read_line(process.stdout)
        except (anyio.EndOfStream, TimeoutError):
            log = await anyio.Path(stderr_path).read_text(errors="replace")
            pytest.fail(f"the emulator did not start; stderr:\n{log}")
        yield EmulatorProcess(process, json.loads(line), stderr_path)
    finally:
        if process.returncode is None:
            process.kill()
            with anyio.fail_after(30):
                await process.wait()
        await process.aclose()


async def stop(emulator: EmulatorProcess, sig: signal.Signals = signal.SIGTERM) -> int:
    emulator.process.send_signal(sig)
    with anyio.fail_after(30):
        return await emulator.process.wait()


# --------------------------------------------------------------------------------------------
# Parsing and settings
# --------------------------------------------------------------------------------------------


def _parse(*argv: str) -> Any:
    return top_cli._build_parser().parse_args(["emulator", *argv])


def test_the_emulator_subcommand_defaults_to_loopback_8787() -> None:
    args = _parse()
    assert (args.host, args.port, args.data, args.json) == ("127.0.0.1", 8787, None, False)
    assert args.handler is emulator_cli.main


def test_every_documented_flag_parses() -> None:
    args = _parse(
        "--host", "::1", "--port", "0", "--data", ":memory:", "--account-id", "acc", "--app-id", "app",
        "--api-token", "tok-123456", "--json", "--allow-external-webhooks", "--log-level", "debug",
    )  # fmt: skip
    assert (args.host, args.port, args.data) == ("::1", 0, ":memory:")
    assert (args.account_id, args.app_id, args.api_token) == ("acc", "app", "tok-123456")
    assert args.json and args.allow_external_webhooks and args.log_level == "debug"


def test_flags_win_over_the_environment_which_fills_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_ACCOUNT_ID", "env-acc")
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_APP_ID", "env-app")
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_API_TOKEN", "env-token-123")
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_DATA", ":memory:")
    args = _parse("--app-id", "flag-app")
    assert emulator_cli._setting(args, "account_id") == "env-acc"
    assert emulator_cli._setting(args, "app_id") == "flag-app"
    assert emulator_cli._setting(args, "api_token") == "env-token-123"
    assert emulator_cli._setting(args, "data") == ":memory:"
    monkeypatch.delenv("REALTIMEKIT_EMULATOR_ACCOUNT_ID")
    assert emulator_cli._setting(args, "account_id") is None


def test_flags_and_environment_reach_the_emulator_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_API_TOKEN", "env-token-123456")
    config = emulator_cli._build_config(
        _parse("--account-id", "acc", "--allow-external-webhooks"), ":memory:"
    )
    assert (config.account_id, config.app_id, config.api_token) == ("acc", None, "env-token-123456")
    assert config.db_path == ":memory:"
    assert config.allow_external_webhooks is True
    assert emulator_cli._build_config(_parse(), ":memory:").allow_external_webhooks is False


def test_the_default_data_file_lives_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    resolved = Path(emulator_cli.resolve_data_path(None))
    assert resolved == tmp_path / "xdg" / "realtimekit-mcp" / "emulator.sqlite3"
    assert resolved.parent.is_dir()


def test_memory_and_relative_data_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert emulator_cli.resolve_data_path(":memory:") == ":memory:"
    monkeypatch.chdir(tmp_path)
    assert emulator_cli.resolve_data_path("sub/state.db") == str(tmp_path / "sub" / "state.db")
    assert (tmp_path / "sub").is_dir()


def test_an_out_of_range_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert top_cli.main(["emulator", "--port", "70000", "--data", ":memory:"]) == 2
    assert "invalid port" in capsys.readouterr().err


def test_a_busy_port_is_reported_with_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert top_cli.main(["emulator", "--port", str(port), "--data", ":memory:"]) == 1
    captured = capsys.readouterr()
    assert f"cannot start on 127.0.0.1:{port}" in captured.err
    assert captured.out == ""  # nothing announced


def test_a_data_file_that_is_not_a_database_is_reported_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not SQLite " * 100)
    assert top_cli.main(["emulator", "--port", "0", "--data", str(junk)]) == 1
    captured = capsys.readouterr()
    assert "cannot start" in captured.err
    assert captured.out == ""


# --------------------------------------------------------------------------------------------
# The real command
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_command_prints_json_details_that_work_for_a_real_call(tmp_path: Path) -> None:
    async with emulator_process(["--data", ":memory:"], tmp_path / "stderr.log") as emulator:
        details = emulator.details
        assert details["host"] == "127.0.0.1"
        assert details["port"] > 0
        assert details["base_url"] == f"http://127.0.0.1:{details['port']}/client/v4"
        assert details["data"] == ":memory:"
        assert all(details[k] for k in ("account_id", "app_id", "api_token"))
        async with httpx.AsyncClient(timeout=30) as http:
            created = await http.post(
                f"{emulator.api}/meetings", headers=emulator.headers, json={"title": "cli"}
            )
            assert created.status_code == 201, created.text
            listed = await http.get(f"{emulator.api}/meetings", headers=emulator.headers)
            assert listed.status_code == 200
            assert [m["title"] for m in listed.json()["data"]] == ["cli"]
            wrong = await http.get(
                f"{emulator.api}/meetings", headers={"Authorization": "Bearer wrong-token"}
            )
            assert wrong.status_code in (401, 403)
            key = await http.get(details["webhooks_public_key_url"])
            assert key.json()["data"]["publicKey"].startswith("-----BEGIN PUBLIC KEY-----")
        assert await stop(emulator) == 0
    assert details["api_token"] not in emulator.stderr()


@pytest.mark.anyio
async def test_sigint_also_stops_it_cleanly(tmp_path: Path) -> None:
    async with emulator_process(["--data", ":memory:"], tmp_path / "stderr.log") as emulator:
        assert await stop(emulator, signal.SIGINT) == 0


@pytest.mark.anyio
async def test_fixed_identity_from_flags_and_environment(tmp_path: Path) -> None:
    env = {"REALTIMEKIT_EMULATOR_API_TOKEN": "ci-token-0123456789", "REALTIMEKIT_EMULATOR_DATA": ":memory:"}
    args = [
        "--account-id",
        "0123456789abcdef0123456789abcdef",
        "--app-id",
        "14a396e7-ca44-4937-bf1f-050a69118543",
    ]
    async with emulator_process(args, tmp_path / "stderr.log", env=env) as emulator:
        assert emulator.details["account_id"] == "0123456789abcdef0123456789abcdef"
        assert emulator.details["app_id"] == "14a396e7-ca44-4937-bf1f-050a69118543"
        assert emulator.details["api_token"] == "ci-token-0123456789"
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.get(f"{emulator.api}/meetings", headers=emulator.headers)
        assert response.status_code == 200, response.text
        assert await stop(emulator) == 0


@pytest.mark.anyio
async def test_a_restart_on_the_same_data_file_keeps_the_generated_identity_and_key(tmp_path: Path) -> None:
    data = str(tmp_path / "emulator.sqlite3")
    async with emulator_process(["--data", data], tmp_path / "first.log") as first:
        async with httpx.AsyncClient(timeout=30) as http:
            key_before = (await http.get(first.details["webhooks_public_key_url"])).json()["data"][
                "publicKey"
            ]
        assert await stop(first) == 0
    async with emulator_process(["--data", data], tmp_path / "second.log") as second:
        for name in ("account_id", "app_id", "api_token"):
            assert second.details[name] == first.details[name]
        async with httpx.AsyncClient(timeout=30) as http:
            key_after = (await http.get(second.details["webhooks_public_key_url"])).json()["data"][
                "publicKey"
            ]
        assert key_after == key_before
        assert await stop(second) == 0


@pytest.mark.anyio
async def test_the_human_banner_shows_the_details_and_a_curl_example(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "realtimekit_mcp", "emulator", "--port", "0", "--data", ":memory:"]
    with (tmp_path / "stderr.log").open("wb") as stderr:
        process = await anyio.open_process(command, stdout=subprocess.PIPE, stderr=stderr)
    try:
        assert process.stdout is not None
        output = b""
        with anyio.fail_after(60):
            while b"Press Ctrl+C" not in output:
                output += await process.stdout.receive()  # EndOfStream if it exits instead
        banner = output.decode()
        assert "Base URL:    http://127.0.0.1:" in banner
        for label in ("Account ID:", "App ID:", "API token:", "Webhook key:"):
            assert label in banner
        assert "curl -H 'Authorization: Bearer " in banner
        assert "/realtime/kit/" in banner
        process.send_signal(signal.SIGTERM)
        with anyio.fail_after(30):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            with anyio.fail_after(30):
                await process.wait()
        await process.aclose()


def test_the_stt_engine_flag_and_environment_choose_or_turn_off_server_side_transcription(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert emulator_cli._build_config(_parse(), ":memory:").stt_engine == "faster-whisper"
    assert emulator_cli._build_config(_parse("--stt-engine", "test"), ":memory:").stt_engine == "test"
    assert emulator_cli._build_config(_parse("--stt-engine", "none"), ":memory:").stt_engine is None
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_STT_ENGINE", "None")
    assert emulator_cli._build_config(_parse(), ":memory:").stt_engine is None
