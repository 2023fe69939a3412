"""The embedded backend: created on the first tool call, with its lifespan (timers, webhooks)
running inside the MCP server's lifespan, and closed with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
from tests.server.support import call_ok, connect

pytestmark = pytest.mark.anyio


async def test_embedded_emulator_starts_on_first_call_and_stops_with_the_server(tmp_path: Path) -> None:
    server = build_server(settings_from_args(env={}, data_dir=tmp_path))
    deps = server.deps
    async with connect(server, "legacy") as client:
        await client.list_tools()
        await client.read_resource("realtimekit://status")
        assert not deps.started and deps.emulator_app is None  # nothing built for tools/list or status
        created = await call_ok(client, "meeting_create", {"title": "lazy"})
        assert deps.started and deps.emulator_app is not None
        assert deps.task_group is not None  # the emulator's lifespan runs in the server's task group
    assert not deps.started  # closed with the server's lifespan
    assert (tmp_path / "emulator.sqlite3").exists() and (tmp_path / "identity.json").exists()

    # State persists in the data dir: a new server on the same directory sees the meeting.
    again = build_server(settings_from_args(env={}, data_dir=tmp_path))
    async with connect(again, "legacy") as client:
        listed = await call_ok(client, "meeting_get", {})
        assert created.structured_content is not None
        assert created.structured_content["id"] in listed.content[0].text  # type: ignore[union-attr]


async def test_unusable_data_dir_is_a_clear_tool_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    server = build_server(settings_from_args(env={}, data_dir=blocker / "sub"))
    async with connect(server, "legacy") as client:
        result = await client.call_tool("meeting_get", {})
        assert result.is_error
        message = result.content[0].text  # type: ignore[union-attr]
        assert "cannot use its data directory" in message and "REALTIMEKIT_DATA_DIR" in message
