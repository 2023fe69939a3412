"""meetings toolset, through the in-memory SDK client on both protocol eras."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.support import accept, call_ok, connect, decline, make_rig, seed_session, text

pytestmark = pytest.mark.anyio


async def test_create_then_get_and_list_shows_the_meeting(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        created = await call_ok(client, "meeting_create", {"title": "Weekly sync"})
        meeting = created.structured_content
        assert meeting is not None and meeting["title"] == "Weekly sync" and meeting["status"] == "ACTIVE"
        got = text(await call_ok(client, "meeting_get", {"meeting_id": meeting["id"]}))
        assert "Weekly sync" in got and "no live session" in got
        listed = text(await call_ok(client, "meeting_get", {}))
        assert meeting["id"] in listed and "showing 1-1 of 1" in listed


async def test_list_pages_by_cursor_with_total(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        for i in range(5):
            await call_ok(client, "meeting_create", {"title": f"m{i}"})
        first = text(await call_ok(client, "meeting_get", {"limit": 2}))
        assert "showing 1-2 of 5; pass cursor=" in first
        cursor = first.rsplit("cursor=", 1)[1].split()[0]
        second = text(await call_ok(client, "meeting_list", {"cursor": cursor}))  # old name
        assert "showing 3-4 of 5" in second
        bad = await client.call_tool("meeting_get", {"cursor": "not-a-cursor"})
        assert bad.is_error and "Invalid cursor" in text(bad)


async def test_get_reports_a_live_session(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Live"})).structured_content
        assert meeting is not None
        session_id = await seed_session(rig, meeting["id"], end=False)
        got = text(await call_ok(client, "meeting_get", {"meeting_id": meeting["id"]}))
        assert f"live session {session_id}" in got


async def test_unknown_meeting_is_a_tool_error_with_a_next_step(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        result = await client.call_tool("meeting_get", {"meeting_id": "00000000-0000-4000-8000-000000000000"})
        assert result.is_error
        assert "not found" in text(result) and "meeting_get without meeting_id" in text(result)


async def test_update_renames_without_asking(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Old"})).structured_content
        assert meeting is not None
        updated = await call_ok(client, "meeting_update", {"meeting_id": meeting["id"], "title": "New"})
        assert updated.structured_content == {"id": meeting["id"], "title": "New", "status": "ACTIVE"}


async def test_deactivating_asks_the_user_and_names_the_meeting(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    questions: list[str] = []

    async def record_and_accept(ctx, params):  # type: ignore[no-untyped-def]
        questions.append(params.message)
        return await accept(ctx, params)

    async with connect(rig.server, mode, elicitation_callback=record_and_accept) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Board call"})).structured_content
        assert meeting is not None
        result = await call_ok(client, "meeting_update", {"meeting_id": meeting["id"], "status": "INACTIVE"})
        assert result.structured_content is not None and result.structured_content["status"] == "INACTIVE"
    assert len(questions) == 1 and "Board call" in questions[0] and meeting["id"] in questions[0]


async def test_declined_deactivation_changes_nothing(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode, elicitation_callback=decline) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Keep"})).structured_content
        assert meeting is not None
        result = await client.call_tool("meeting_update", {"meeting_id": meeting["id"], "status": "INACTIVE"})
        assert result.is_error
        got = text(await call_ok(client, "meeting_get", {"meeting_id": meeting["id"]}))
        assert "status ACTIVE" in got


async def test_summarising_a_meeting_turns_transcription_on_too(tmp_path: Path, mode: str) -> None:
    # A summary is made from the session's transcript: without transcribe_on_end there is none.
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        created = await call_ok(client, "meeting_create", {"title": "Notes", "summarize_on_end": True})
        plain = await call_ok(client, "meeting_create", {"title": "No notes"})
        meeting_id = created.structured_content["id"]  # type: ignore[index]
        client_ = await rig.server.deps.client()
        assert (await client_.meetings.get(meeting_id)).transcribe_on_end is True
        assert (await client_.meetings.get(plain.structured_content["id"])).transcribe_on_end is False  # type: ignore[index]
        await call_ok(
            client, "meeting_update", {"meeting_id": plain.structured_content["id"], "summarize_on_end": True}
        )  # type: ignore[index]
        assert (await client_.meetings.get(plain.structured_content["id"])).transcribe_on_end is True  # type: ignore[index]
