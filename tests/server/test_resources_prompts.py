"""Status resource, export templates, prompts and instructions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import INSTRUCTIONS, build_server
from tests.server.support import connect, make_rig

pytestmark = pytest.mark.anyio


async def test_status_names_backend_app_and_toolsets_without_starting_the_emulator(
    tmp_path: Path, mode: str
) -> None:
    server = build_server(settings_from_args(env={}, data_dir=tmp_path))
    async with connect(server, mode) as client:
        result = await client.read_resource("realtimekit://status")
        status = json.loads(result.contents[0].text)  # type: ignore[union-attr]
    assert status["backend"] == "embedded" and str(tmp_path) in status["backend_description"]
    assert status["toolsets"] == ["meetings", "participants", "sessions", "recordings", "bot"]
    assert len(status["tools"]) == 15 and status["read_only"] is False
    assert status["app_id"] and status["embedded_emulator_started"] is False
    assert status["bots"] == {
        "media_dir": str(tmp_path / "media"),
        "started": False,
        "live": 0,
        "emulator_listener": None,
    }
    # the identity is kept in the data dir, and the token is not in the status
    identity = json.loads((tmp_path / "identity.json").read_text())
    assert identity["app_id"] == status["app_id"] and identity["api_token"] not in json.dumps(status)


async def test_templates_are_listed_for_exports_recordings_and_bot_transcripts_and_participants(
    tmp_path: Path, mode: str
) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        templates = {str(t.uri_template) for t in (await client.list_resource_templates()).resource_templates}
    assert templates == {
        "realtimekit://sessions/{session_id}/transcript",
        "realtimekit://sessions/{session_id}/summary",
        "realtimekit://sessions/{session_id}/chat",
        "realtimekit://recordings/{recording_id}",
        "realtimekit://bots/{bot_id}/transcript",
        "realtimekit://bots/{bot_id}/participants",
    }


async def test_unknown_export_is_a_clear_resource_error(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        with pytest.raises(Exception, match="No transcript for session"):
            await client.read_resource(
                "realtimekit://sessions/00000000-0000-4000-8000-000000000000/transcript"
            )


async def test_prompts_and_short_instructions(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert prompts == {"plan_meeting", "brief_last_session", "run_live_session"}
        brief = await client.get_prompt("brief_last_session", {"meeting_id": "m-1"})
        assert "session_get meeting_id=m-1" in str(brief.messages[0].content)
    assert len(INSTRUCTIONS) < 600


async def test_missing_export_is_resource_not_found_on_the_wire(tmp_path: Path, mode: str) -> None:
    from mcp import MCPError

    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("realtimekit://recordings/00000000-0000-4000-8000-000000000000")
    assert caught.value.error.code == -32602
