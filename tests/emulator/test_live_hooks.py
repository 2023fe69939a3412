"""Hooks for the live plane: join/leave, listener notices, and the lifespan ticker."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from realtimekit_mcp.emulator import create_app

from .conftest import API, TOKEN, Emu, make_config

pytestmark = pytest.mark.anyio


async def test_join_and_leave_drive_the_session(emu: Emu) -> None:
    m = await emu.create_meeting(session_keep_alive_time_in_secs=60)
    p = await emu.add_participant(m["id"], "alice")
    joined = emu.backend.join(emu.backend.app_id, m["id"], p["id"])
    again = emu.backend.join(emu.backend.app_id, m["id"], p["id"])  # a second device: a second peer
    assert again["session_id"] == joined["session_id"] and again["peer_id"] != joined["peer_id"]
    s = (await emu.client.get(f"{API}/meetings/{m['id']}/active-session")).json()["data"]
    assert s["live_participants"] == 2 and s["max_concurrent_participants"] == 2
    emu.backend.leave(joined["peer_id"])
    emu.backend.leave(again["peer_id"])
    await emu.advance(60)
    s = (await emu.client.get(f"{API}/sessions/{joined['session_id']}")).json()["data"]
    assert s["status"] == "ENDED"


async def test_listeners_hear_kicks_mutes_polls_and_endings(emu: Emu) -> None:
    notices: list[tuple[str, dict[str, Any]]] = []
    emu.backend.listeners.append(lambda name, data: notices.append((name, data)))
    m = await emu.create_meeting()
    seed = await emu.seed(
        m["id"], participants=[{"custom_participant_id": "a"}, {"custom_participant_id": "b"}]
    )
    base = f"{API}/meetings/{m['id']}/active-session"
    await emu.client.post(base + "/mute-all", json={})
    await emu.client.post(base + "/kick", json={"custom_participant_ids": ["b"]})
    await emu.client.post(base + "/poll", json={"question": "q", "options": ["x"]})
    await emu.client.post(base + "/kick-all")
    notices = [(n, d) for n, d in notices if n not in ("peer.joined", "peer.left", "session.kick_all")]
    names = [n for n, _ in notices]  # joins/leaves/kick-all notices: tests/emulator/intelligence
    assert names == ["peer.muted", "peer.muted", "peer.kicked", "poll.created", "session.ended"]
    assert notices[0][1]["allow_unmute"] is False
    assert notices[2][1]["peer_id"] == seed["peers"][1]["peer_id"]
    assert notices[-1][1]["reason"] == "HOST_ENDED_MEETING"


async def test_a_broken_listener_does_not_break_the_api(emu: Emu) -> None:
    def broken(name: str, data: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")

    emu.backend.listeners.append(broken)
    m = await emu.create_meeting()
    await emu.seed(m["id"])
    r = await emu.client.post(f"{API}/meetings/{m['id']}/active-session/kick-all")
    assert r.status_code == 200


class _Waiter:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.recording = anyio.Event()

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        self.seen.append(event)
        if event == "recording.statusUpdate" and payload["recording"]["status"] == "RECORDING":
            self.recording.set()


async def test_the_lifespan_ticker_runs_transitions_without_requests() -> None:
    waiter = _Waiter()
    config = make_config(clock=None, recording_start_delay=0.05, tick_interval=0.01)
    app = create_app(config, sink=waiter)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://e", headers={"Authorization": f"Bearer {TOKEN}"}
        ) as c,
    ):
        meeting = (await c.post(f"{API}/meetings", json={})).json()["data"]
        r = await c.post(f"{API}/recordings", json={"meeting_id": meeting["id"]})
        assert r.json()["data"]["status"] == "INVOKED"
        with anyio.fail_after(5):
            await waiter.recording.wait()


async def test_events_and_notices_wait_for_the_commit_and_vanish_on_rollback(emu: Emu) -> None:
    notices: list[str] = []
    emu.backend.listeners.append(lambda name, data: notices.append(name))
    with pytest.raises(RuntimeError), emu.backend.store.transaction():
        emu.backend._emit("meeting.started", {"meeting": {}})
        emu.backend._notify("session.ended", {})
        raise RuntimeError("rolled back")
    assert emu.sink.events == [] and notices == []
    with emu.backend.store.transaction():
        emu.backend._emit("meeting.started", {"meeting": {}})
        assert emu.sink.events == []
    assert emu.sink.names() == ["meeting.started"]


async def test_a_broken_sink_does_not_fail_a_committed_write(emu: Emu) -> None:
    class Broken:
        def emit(self, event: str, payload: dict[str, Any]) -> None:
            raise RuntimeError("sink bug")

    emu.backend.sink = Broken()
    m = await emu.create_meeting()
    r = await emu.client.post("/_emulator/sessions", json={"meeting_id": m["id"]})
    assert r.status_code == 200
