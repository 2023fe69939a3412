"""The client end to end against the in-process emulator (``httpx.ASGITransport``).

The core client tests use respx; these check that the client and the emulator agree on the real
wire format for a full tour of the API (and that downloads of emulator URLs work in-process).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from realtimekit_mcp.client import RealtimeKitClient, errors
from realtimekit_mcp.emulator import EmulatorConfig, create_app

pytestmark = pytest.mark.anyio

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "14a396e7-ca44-4937-bf1f-050a69118543"
TOKEN = "client-wing-emulator-token-01"
BASE = "http://emulator.local"
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


class Tour:
    def __init__(self, client: RealtimeKitClient, raw: httpx.AsyncClient) -> None:
        self.client = client
        self.raw = raw

    async def control(self, path: str, body: dict[str, Any]) -> Any:
        r = await self.raw.post(f"/_emulator{path}", json=body)
        assert r.status_code == 200, r.text
        return r.json()["data"]


@pytest.fixture
async def tour() -> AsyncIterator[Tour]:
    config = EmulatorConfig(
        account_id=ACCOUNT, app_id=APP, api_token=TOKEN, seed=11, clock=lambda: START, public_base_url=BASE
    )
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        client = RealtimeKitClient(
            account_id=ACCOUNT, app_id=APP, api_token=TOKEN, base_url=f"{BASE}/client/v4", http_client=http
        )
        async with client:
            yield Tour(client, http)


async def test_meetings_and_participants_round_trip(tour: Tour) -> None:
    c = tour.client
    meeting = await c.meetings.create(title="Stand-up", ai_config={"transcription": {"language": "en-US"}})
    assert (await c.meetings.get(meeting.id)).title == "Stand-up"
    assert meeting.id in [m.id async for m in c.meetings.iter()]
    assert (await c.meetings.update(meeting.id, status="INACTIVE")).status == "INACTIVE"
    assert (await c.meetings.replace(meeting.id, title="Renamed")).title == "Renamed"

    added = await c.participants.add(meeting.id, "alice", "group_call_host", name="Alice")
    assert added.token and added.token.startswith("eyJ")
    assert (await c.participants.get(meeting.id, added.id)).name == "Alice"
    assert [p.id for p in (await c.participants.list(meeting.id)).items] == [added.id]
    edited = await c.participants.edit(meeting.id, added.id, name="Alice B")
    assert edited.name == "Alice B"
    replaced = await c.participants.replace(meeting.id, added.id, "alice-2", "group_call_host")
    assert replaced.custom_participant_id == "alice-2"
    fresh = await c.participants.refresh_token(meeting.id, added.id)
    assert fresh.startswith("eyJ")
    deleted = await c.participants.delete(meeting.id, added.id)
    assert deleted.preset_id
    with pytest.raises(errors.NotFoundError):
        await c.participants.get(meeting.id, added.id)


async def test_errors_from_the_emulator_are_typed(tour: Tour) -> None:
    with pytest.raises(errors.NotFoundError):
        await tour.client.meetings.get("00000000-0000-4000-8000-000000000000")
    bad = RealtimeKitClient(
        account_id=ACCOUNT,
        app_id=APP,
        api_token="wrong-token-123",
        base_url=f"{BASE}/client/v4",
        http_client=tour.raw,
    )
    with pytest.raises(errors.AuthenticationError) as info:
        await bad.meetings.list()
    assert "wrong-token-123" not in str(info.value)


async def test_presets_round_trip_through_the_strict_request_models(tour: Tour) -> None:
    c = tour.client
    summaries = (await c.presets.list()).items
    host = next(p for p in summaries if p.name == "group_call_host")
    assert host.id is not None
    full = await c.presets.get(host.id)
    assert full.config is not None and full.permissions is not None and full.ui is not None
    created = await c.presets.create("bot", full.config, full.permissions, full.ui)
    assert created.name == "bot"
    updated = await c.presets.update(created.id, permissions={"hidden_participant": True})
    assert updated.permissions is not None and updated.permissions["hidden_participant"] is True
    assert (
        await c.presets.replace(created.id, "bot2", full.config, full.permissions, full.ui)
    ).name == "bot2"
    assert (await c.presets.delete(created.id)).id == created.id


async def test_sessions_exports_and_downloads(tour: Tour) -> None:
    c = tour.client
    meeting = await c.meetings.create(title="Retro")
    seeded = await tour.control(
        "/sessions",
        {
            "meeting_id": meeting.id,
            "participants": [{"custom_participant_id": "alice", "name": "Alice"}],
            "chat": [{"participant": 0, "text": "hello"}],
            "transcript": [{"participant": 0, "text": "good morning"}],
        },
    )
    session_id = seeded["session"]["id"] if "session" in seeded else seeded["id"]
    live = await c.active_session.get(meeting.id)
    assert live.id == session_id and live.status == "LIVE"
    await tour.control(f"/sessions/{session_id}/end", {})

    assert session_id in [s.id async for s in c.sessions.iter(associated_id=meeting.id)]
    assert (await c.sessions.get(session_id)).status == "ENDED"
    people = await c.sessions.participants(session_id)
    assert people.items and people.items[0].display_name == "Alice"
    assert people.items[0].id is not None
    one = await c.sessions.participant(session_id, people.items[0].id)
    assert one.display_name == "Alice"
    chat = await c.sessions.chat(session_id)
    assert chat.chat_download_url
    assert b"hello" in await c.download(chat.chat_download_url)
    transcript = await c.sessions.transcript(session_id)
    assert transcript.session_id == session_id and transcript.transcript_download_url
    assert b"good morning" in await c.download(transcript.transcript_download_url)


async def test_webhooks_and_analytics(tour: Tour) -> None:
    c = tour.client
    hook = await c.webhooks.create("hook", "https://example.com/hook", ["meeting.started"])
    assert hook.enabled is True
    assert [h.id for h in await c.webhooks.list()] == [hook.id]
    assert (await c.webhooks.update(hook.id, enabled=False)).enabled is False
    assert (await c.webhooks.get(hook.id)).enabled is False
    replaced = await c.webhooks.replace(hook.id, "h2", "https://example.com/2", ["meeting.ended"])
    assert replaced.events == ["meeting.ended"]
    assert (await c.webhooks.delete(hook.id)).id == hook.id
    assert "meeting.summary" in await c.webhooks.events()
    stats = await c.analytics.daywise()
    assert stats.session_stats is not None


async def test_live_moderation_recordings_and_livestreams(tour: Tour) -> None:
    c = tour.client
    meeting = await c.meetings.create(title="Live")
    alice = await c.participants.add(meeting.id, "alice", "group_call_host")
    await tour.control(
        "/sessions",
        {
            "meeting_id": meeting.id,
            "participants": [{"participant_id": alice.id}, {"custom_participant_id": "bob"}],
        },
    )
    muted = await c.active_session.mute(meeting.id, participant_ids=[alice.id])
    assert muted.participants is not None
    assert (
        await c.active_session.mute_all(meeting.id, allow_unmute=True)
    ).muted_participants_count is not None
    poll = await c.active_session.create_poll(meeting.id, "Lunch?", ["yes", "no"])
    assert poll.poll is not None and poll.poll.question == "Lunch?"

    recording = await c.recordings.start(meeting.id)
    assert recording.status == "INVOKED"
    await tour.control("/clock/advance", {"seconds": 5})
    assert (await c.recordings.get_active(meeting.id)).id == recording.id
    assert (await c.recordings.pause(recording.id)).status == "PAUSED"
    assert (await c.recordings.resume(recording.id)).status == "RECORDING"
    assert (await c.recordings.stop(recording.id)).status in ("UPLOADING", "UPLOADED")
    await tour.control("/clock/advance", {"seconds": 30})
    done = await c.recordings.get(recording.id)
    assert done.status == "UPLOADED" and isinstance(done.download_url, str)
    assert len(await c.download(done.download_url)) > 0
    listed = await c.recordings.list(meeting_id=meeting.id, status=["UPLOADED", "ERRORED"])
    assert [r.id for r in listed.items] == [recording.id]

    stream = await c.livestreams.start(meeting.id, name="show")
    assert stream.id and stream.stream_key
    await tour.control("/clock/advance", {"seconds": 5})
    assert (await c.livestreams.get_active(meeting.id)).id == stream.id
    assert stream.id in [ls.id async for ls in c.livestreams.iter()]
    assert (await c.livestreams.get(stream.id)).livestream is not None
    await c.livestreams.stop(meeting.id)

    kicked = await c.active_session.kick(meeting.id, custom_participant_ids=["bob"])
    assert kicked.participants is not None
    assert (await c.active_session.kick_all(meeting.id)).kicked_participants_count is not None
    with pytest.raises(errors.NotFoundError):
        await c.active_session.get(meeting.id)
