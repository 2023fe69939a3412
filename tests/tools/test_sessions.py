"""sessions toolset: history, latest-session resolution, exports as links, moderation, polls."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_types import ResourceLink

from tests.server.support import accept, call_ok, connect, make_rig, seed_session, text

pytestmark = pytest.mark.anyio


async def _meeting(client, **options) -> str:  # type: ignore[no-untyped-def]
    created = await call_ok(client, "meeting_create", {"title": "Launch review", **options})
    assert created.structured_content is not None
    return str(created.structured_content["id"])


async def test_latest_session_of_a_meeting_lists_who_joined(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        session_id = await seed_session(rig, meeting_id)
        details = text(await call_ok(client, "session_get", {"meeting_id": meeting_id}))
        assert f"Session {session_id}" in details and "Ana" in details and "Bo" in details
        listed = text(await call_ok(client, "session_get", {"meeting_id": meeting_id, "view": "list"}))
        assert session_id in listed and "ENDED" in listed and "showing 1-1 of 1" in listed
        everything = text(await call_ok(client, "session_get", {}))
        assert session_id in everything and "showing 1-1 of 1" in everything
        assert text(await call_ok(client, "session_list", {"meeting_id": meeting_id})) == listed  # old name


async def test_meeting_without_sessions_says_so(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        result = await client.call_tool("session_get", {"meeting_id": meeting_id})
        assert result.is_error and "no sessions yet" in text(result)
        listed = text(await call_ok(client, "session_get", {"meeting_id": meeting_id, "view": "list"}))
        assert "No sessions." in listed


async def test_transcript_comes_as_preview_link_and_download_url(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client, summarize_on_end=True)
        session_id = await seed_session(rig, meeting_id)
        result = await call_ok(client, "session_get", {"meeting_id": meeting_id, "view": "transcript"})
        body = text(result)
        assert "launch plan" in body and "download_url: http" in body and "expires: 20" in body
        links = [c for c in result.content if isinstance(c, ResourceLink)]
        assert [str(link.uri) for link in links] == [f"realtimekit://sessions/{session_id}/transcript"]
        full = await client.read_resource(f"realtimekit://sessions/{session_id}/transcript")
        assert "The beta ships on Friday." in full.contents[0].text  # type: ignore[union-attr]


async def test_summary_and_chat_views(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client, summarize_on_end=True, persist_chat=True)
        session_id = await seed_session(rig, meeting_id)
        summary = await call_ok(client, "session_get", {"session_id": session_id, "view": "summary"})
        assert f"realtimekit://sessions/{session_id}/summary" in str(summary.content)
        chat = text(await call_ok(client, "session_get", {"session_id": session_id, "view": "chat"}))
        assert "hello all" in chat


async def test_kick_asks_then_kicks_from_the_live_session(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    questions: list[str] = []

    async def record(ctx, params):  # type: ignore[no-untyped-def]
        questions.append(params.message)
        return await accept(ctx, params)

    async with connect(rig.server, mode, elicitation_callback=record) as client:
        meeting_id = await _meeting(client)
        await seed_session(rig, meeting_id, end=False)
        done = text(
            await call_ok(
                client, "session_moderate", {"meeting_id": meeting_id, "action": "mute", "everyone": True}
            )
        )
        assert "Muted everyone" in done
        await call_ok(
            client, "session_moderate", {"meeting_id": meeting_id, "action": "kick", "everyone": True}
        )
    assert "Mute everyone" in questions[0] and meeting_id in questions[0]
    assert "Kick everyone" in questions[1]


async def test_moderation_needs_targets(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode, elicitation_callback=accept) as client:
        result = await client.call_tool("session_moderate", {"meeting_id": "m", "action": "kick"})
        assert result.is_error and "participant_ids" in text(result)


async def test_poll_is_posted_in_the_live_session(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        await seed_session(rig, meeting_id, end=False)
        result = await call_ok(
            client,
            "session_poll_create",
            {"meeting_id": meeting_id, "question": "Ship Friday?", "options": ["yes", "no"]},
        )
        assert (
            "Ship Friday?" in text(result) and "Poll ? " not in text(result) and "Poll  " not in text(result)
        )
