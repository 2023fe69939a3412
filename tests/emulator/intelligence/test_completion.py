"""The end of a live-transcribed session: the transcript webhook waits for the live transcriber."""

from __future__ import annotations

import anyio
import httpx
import pytest

from realtimekit_mcp.emulator import create_app
from realtimekit_mcp.emulator.events import RecordingEventSink

from ..conftest import API, TOKEN, make_config
from .conftest import TeeSink

pytestmark = pytest.mark.anyio


async def test_a_session_transcribed_before_a_restart_still_gets_its_transcript_webhook() -> None:
    app = create_app(make_config(stt_engine="test", vad_engine="test"), sink=RecordingEventSink())
    backend = app.state.backend
    sink = TeeSink(backend.sink)
    backend.sink = sink
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.local", headers=headers) as c:
        r = await c.post(f"{API}/meetings", json={"title": "Restarted", "summarize_on_end": True})
        meeting_id = r.json()["data"]["id"]
        r = await c.post(
            "/_emulator/sessions",
            json={"meeting_id": meeting_id, "transcript": [{"text": "We ship on Friday."}]},
        )
        session_id = r.json()["data"]["session"]["id"]
        # this session was being transcribed live by an earlier process (the flag is persisted)
        backend.begin_live_transcription(session_id)
        r = await c.post(f"/_emulator/sessions/{session_id}/end")
        assert r.status_code == 200, r.text
        with anyio.fail_after(5):
            await sink.wait_for("meeting.summary")
    names = sink.names()
    assert names.count("meeting.transcript") == 1
    assert names.index("meeting.ended") < names.index("meeting.transcript") < names.index("meeting.summary")


async def test_a_session_that_was_not_transcribed_live_keeps_the_usual_end_order() -> None:
    app = create_app(make_config(stt_engine="test", vad_engine="test"), sink=RecordingEventSink())
    backend = app.state.backend
    sink = TeeSink(backend.sink)
    backend.sink = sink
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.local", headers=headers) as c:
        r = await c.post(f"{API}/meetings", json={"title": "Seeded", "transcribe_on_end": True})
        meeting_id = r.json()["data"]["id"]
        r = await c.post(
            "/_emulator/sessions",
            json={"meeting_id": meeting_id, "transcript": [{"text": "Hello."}], "end": True},
        )
        assert r.status_code == 200, r.text
        with anyio.fail_after(5):
            await sink.wait_for("meeting.transcript")
        r = await c.get("/_emulator/state")  # one more round trip: a second webhook would be here by now
    assert sink.names().count("meeting.transcript") == 1
