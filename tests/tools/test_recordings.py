"""recordings toolset: start, stop, and finished files with download URL and resource link."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_types import ResourceLink

from tests.server.support import call_ok, connect, make_rig, seed_session, text

pytestmark = pytest.mark.anyio


async def test_start_stop_and_find_the_file(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Rec"})).structured_content
        assert meeting is not None
        await seed_session(rig, meeting["id"], end=False)
        started = await call_ok(client, "recording_control", {"action": "start", "meeting_id": meeting["id"]})
        rec = started.structured_content
        assert rec is not None and rec["meeting_id"] == meeting["id"]
        paused = await call_ok(client, "recording_control", {"action": "pause", "meeting_id": meeting["id"]})
        assert paused.structured_content is not None and paused.structured_content["status"] == "PAUSED"
        await call_ok(client, "recording_control", {"action": "resume", "recording_id": rec["id"]})
        stopped = await call_ok(client, "recording_control", {"action": "stop", "meeting_id": meeting["id"]})
        assert stopped.structured_content is not None and stopped.structured_content["id"] == rec["id"]
        listed = await call_ok(client, "recording_list", {"meeting_id": meeting["id"]})
        body = text(listed)
        assert rec["id"] in body and "UPLOADED" in body and "download_url: http" in body
        links = [c for c in listed.content if isinstance(c, ResourceLink)]
        assert [str(x.uri) for x in links] == [f"realtimekit://recordings/{rec['id']}"]
        doc = await client.read_resource(f"realtimekit://recordings/{rec['id']}")
        assert '"download_url": "http' in doc.contents[0].text  # type: ignore[union-attr]
        assert '"download_url_expiry"' in doc.contents[0].text  # type: ignore[union-attr]


async def test_stop_needs_an_id_or_a_meeting(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        result = await client.call_tool("recording_control", {"action": "stop"})
        assert result.is_error and "Pass recording_id" in text(result)
        result = await client.call_tool("recording_control", {"action": "start"})
        assert result.is_error and "needs meeting_id" in text(result)


async def test_old_recording_start_and_stop_names_still_work(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert "recording_start" not in names and "recording_stop" not in names
        meeting = (await call_ok(client, "meeting_create", {"title": "Rec"})).structured_content
        assert meeting is not None
        await seed_session(rig, meeting["id"], end=False)
        started = await call_ok(client, "recording_start", {"meeting_id": meeting["id"]})
        assert (
            started.structured_content is not None
            and started.structured_content["meeting_id"] == meeting["id"]
        )
        stopped = await call_ok(client, "recording_stop", {"meeting_id": meeting["id"]})
        assert stopped.structured_content is not None
        assert stopped.structured_content["id"] == started.structured_content["id"]


async def test_poll_without_a_live_session_is_explained(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Empty"})).structured_content
        assert meeting is not None
        result = await client.call_tool(
            "session_poll_create", {"meeting_id": meeting["id"], "question": "q", "options": ["a", "b"]}
        )
        assert result.is_error
        assert "Could not create the poll: not found" in text(result) and "meeting_get" in text(result)
