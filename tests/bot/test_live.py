"""The bot over real WebRTC on loopback against the emulator's live plane (issue 4 item 6, bot side)."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from typing import Any

import anyio
import pytest

from realtimekit_mcp.bot.participant import BotJoinError, BotParticipant, BotState
from realtimekit_mcp.bot.tracks import peak_frequency
from realtimekit_mcp.emulator.routes.client_api import live_plane

from .conftest import Dropper, Live

pytestmark = pytest.mark.anyio

HALF_SECOND = 48_000  # bytes of s16 mono 48 kHz


async def test_a_440_hz_tone_from_bot_a_peaks_at_440_hz_in_bot_b(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    await a.play_continuous_tone(440.0)
    with anyio.fail_after(10):
        buffer = await b.wait_audio(a.participant_id, seconds=1.0)
    assert buffer.name == "alice"
    peak = peak_frequency(buffer.peek_last(HALF_SECOND), low=100.0, high=2000.0)
    assert abs(peak - 440.0) <= 5.0, peak


async def test_queued_pcm_reaches_the_listener_and_its_future_resolves(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    with anyio.fail_after(10):
        played = await a.play_tone(660.0, seconds=0.6)
        await played
        buffer = await b.wait_audio(a.participant_id, seconds=0.6)
    # the newest audio ended with silence after the tone; the tone is in the buffer somewhere
    assert abs(peak_frequency(buffer.data, low=100.0, high=2000.0) - 660.0) <= 5.0


async def test_chat_goes_both_ways_to_the_room_and_privately(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    with anyio.fail_after(5):
        await a.send_chat("hello room")
        got = await b.wait_event("chat")
        assert got.data["text"] == "hello room" and got.data["private"] is False
        assert got.data["from_participant_id"] == a.participant_id and got.data["from_name"] == "alice"
        await b.send_chat("hi alice, privately", to=[a.participant_id])
        back = await a.wait_event("chat")
        assert back.data["text"] == "hi alice, privately" and back.data["private"] is True
        assert back.data["from_peer_id"] == b.peer_id
    # the sender's own echo is not reported as received chat
    assert [e.type for e in a.events_since(0)].count("chat") == 1


async def test_events_have_a_monotonic_sequence_and_report_joins_and_leaves(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    cursor = a.last_seq
    b = await live.bot(m, "bob")
    with anyio.fail_after(5):
        joined = await a.wait_event("participant_joined", after=cursor)
        assert joined.data["participant_id"] == b.participant_id and joined.data["name"] == "bob"
        await b.leave()
        left = await a.wait_event("participant_left", after=joined.seq)
    assert left.data["peer_id"] == b.peer_id
    seqs = [e.seq for e in a.events_since(0)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert b.state is BotState.LEFT and b.end_reason == "left"


async def test_a_rest_kick_removes_the_bot_and_its_status_says_kicked(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    r = await live.rest(
        "POST", f"/meetings/{m}/active-session/kick", json={"participant_ids": [a.participant_id]}
    )
    assert r.status_code == 200, r.text
    with anyio.fail_after(5):
        reason = await asyncio.shield(a.ended)
        await b.wait_event("participant_left", where=lambda e: e.data["peer_id"] == a.peer_id)
    status = a.status()
    assert status["state"] == "kicked" and "kicked" in reason
    assert a.events_since(0)[-1].type == "kicked"
    assert a.reconnects == 0
    with pytest.raises(RuntimeError, match="kicked"):
        await a.send_chat("still here?")


async def test_a_rest_mute_mutes_the_bot_and_says_so(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    await a.play_continuous_tone(440.0)
    r = await live.rest(
        "POST", f"/meetings/{m}/active-session/mute", json={"participant_ids": [a.participant_id]}
    )
    assert r.status_code == 200, r.text
    with anyio.fail_after(5):
        await a.wait_event("muted")
    assert a.status()["muted"] is True
    await a.set_muted(False)
    assert a.status()["muted"] is False


async def test_kick_all_ends_the_meeting_for_the_bots(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    r = await live.rest("POST", f"/meetings/{m}/active-session/kick-all")
    assert r.status_code == 200, r.text
    with anyio.fail_after(5):
        await asyncio.shield(a.ended)
        await asyncio.shield(b.ended)
    assert a.state is BotState.MEETING_ENDED and b.state is BotState.MEETING_ENDED


async def test_a_join_to_an_inactive_meeting_is_refused_with_a_clear_error(live: Live) -> None:
    m = await live.meeting()
    r = await live.rest("PATCH", f"/meetings/{m}", json={"status": "INACTIVE"})
    assert r.status_code == 200 and r.json()["data"]["status"] == "INACTIVE", r.text
    bot = await live.bot(m, "late", join=False)
    with anyio.fail_after(10), pytest.raises(BotJoinError, match=r"(?i)inactive"):
        await bot.join()
    assert bot.state is BotState.FAILED and "INACTIVE" in (bot.end_reason or "").upper()
    with anyio.fail_after(10), pytest.raises(BotJoinError, match="INACTIVE"):
        await BotParticipant.create(live.client, m, name="late", config=live.config())


async def test_a_deleted_participant_cannot_join_and_the_error_says_so(live: Live) -> None:
    m = await live.meeting()
    bot = await live.bot(m, "gone", join=False)
    r = await live.rest("DELETE", f"/meetings/{m}/participants/{bot.participant_id}")
    assert r.status_code == 200, r.text
    with anyio.fail_after(10), pytest.raises(BotJoinError, match="participant-details") as info:
        await bot.join()
    assert "HTTP 401" in str(info.value) or "HTTP 404" in str(info.value)
    assert bot.state is BotState.FAILED


async def test_a_bot_created_through_rest_gets_the_bot_preset_and_joins(live: Live) -> None:
    m = await live.meeting()
    bot = await BotParticipant.create(live.client, m, name="Helper", config=live.config())
    live.bots.append(bot)
    with anyio.fail_after(10):
        await bot.join()
    assert bot.details is not None and bot.details.preset_name == "realtimekit_mcp_bot"
    again = await BotParticipant.create(
        live.client, m, name="Helper 2", config=live.config()
    )  # preset reused
    assert again.participant_id != bot.participant_id


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _owned_by_sfu(task: asyncio.Task[Any], live: Live) -> bool:
    """Whether a task runs on an aiortc object of one of the emulator SFU's live peer connections.

    The emulator runs in this process; its own clean-up is tested on its side. Tasks of closed bot
    connections are reachable from no SFU connection, so a leak in the bot still counts.
    """
    objects: set[int] = set()
    for transport in live_plane(live.app).sfu.transports.values():
        for transceiver in transport.pc.getTransceivers():
            dtls = transceiver.receiver.transport
            objects.update({id(transceiver.sender), id(transceiver.receiver)})
            if dtls is not None:
                objects.update({id(dtls), id(dtls.transport), id(dtls.transport._connection)})
    coro = task.get_coro()
    frame = getattr(coro, "cr_frame", None)
    owner = frame.f_locals.get("self") if frame is not None else None
    return owner is not None and id(owner) in objects


@pytest.mark.slow
async def test_twenty_join_leave_cycles_leak_no_tasks_sockets_or_descriptors(live: Live) -> None:
    m = await live.meeting()
    listener = await live.bot(m, "listener")
    token = await live.token(m, "cycler")

    async def cycle() -> None:
        bot = BotParticipant(token, live.config(), display_name="cycler")
        with anyio.fail_after(15):
            await bot.join()
            cursor = listener.last_seq
            await bot.play_tone(440.0, seconds=0.04)
            await listener.wait_event(
                "subscribed", after=cursor, where=lambda e: e.data["peer_id"] == bot.peer_id
            )
            await bot.leave()
            await listener.wait_event(
                "participant_left", after=cursor, where=lambda e: e.data["peer_id"] == bot.peer_id
            )
        assert bot.state is BotState.LEFT

    async def settle() -> tuple[int, int]:
        for _ in range(50):  # let cancelled tasks and closing transports run to their end
            await asyncio.sleep(0)
        gc.collect()
        return len([t for t in asyncio.all_tasks() if not _owned_by_sfu(t, live)]), _fds()

    await cycle()  # warm-up: codecs, thread pools, the emulator's first-peer state
    tasks0, fds0 = await settle()
    start = time.monotonic()
    for _ in range(20):
        await cycle()
    elapsed = time.monotonic() - start
    tasks1, fds1 = await settle()
    print(f"20 cycles in {elapsed:.2f} s; non-SFU tasks {tasks0}->{tasks1}, fds {fds0}->{fds1}")
    assert listener.state is BotState.JOINED
    assert fds1 <= fds0
    assert tasks1 <= tasks0


async def test_a_socket_drop_is_followed_by_a_reconnect_and_media_resumes_within_5_s(live: Live) -> None:
    m = await live.meeting()
    a = await live.bot(m, "alice")
    dropper = Dropper()
    b = await live.bot(m, "bob", connect=dropper)
    await a.play_continuous_tone(440.0)
    with anyio.fail_after(10):
        await b.wait_audio(a.participant_id, seconds=0.5)
    old_peer = b.peer_id
    cursor = b.last_seq
    dropped_at = time.monotonic()
    dropper.drop_last()
    with anyio.fail_after(5):
        await b.wait_event("reconnected", after=cursor)
        buffer = await b.wait_audio(a.participant_id, new_frames=25)  # 0.5 s of fresh audio
    resumed = time.monotonic() - dropped_at
    assert b.peer_id != old_peer and b.reconnects == 1
    assert abs(peak_frequency(buffer.peek_last(HALF_SECOND // 2), low=100.0, high=2000.0) - 440.0) <= 5.0
    assert [e.type for e in b.events_since(cursor)][:1] == ["reconnecting"]
    # the other side saw the old peer go and the new one come
    with anyio.fail_after(5):
        await a.wait_event("participant_left", where=lambda e: e.data["peer_id"] == old_peer)
    print(f"media resumed {resumed:.2f} s after the drop")


async def test_a_join_cut_short_by_the_callers_deadline_cleans_up(live: Live) -> None:
    from .fakes import FakeConnect

    m = await live.meeting()
    silent = FakeConnect()  # a socket edge that accepts and never answers
    bot = await live.bot(m, "patient", join=False, connect=silent)
    with pytest.raises(TimeoutError), anyio.fail_after(0.5):
        await bot.join()
    assert bot.state is BotState.FAILED and bot.end_reason == "join cancelled"
    assert silent.last.closed and bot._http.is_closed and not bot._tasks


async def test_a_publisher_that_reconnects_publishes_again_and_is_heard(live: Live) -> None:
    m = await live.meeting()
    dropper = Dropper()
    a = await live.bot(m, "alice", connect=dropper)
    b = await live.bot(m, "bob")
    await a.play_continuous_tone(440.0)
    with anyio.fail_after(10):
        await b.wait_audio(a.participant_id, seconds=0.5)
    cursor_a, cursor_b = a.last_seq, b.last_seq
    old_peer = a.peer_id
    dropper.drop_last()
    with anyio.fail_after(5):
        await a.wait_event("reconnected", after=cursor_a)
        await b.wait_event("subscribed", after=cursor_b, where=lambda e: e.data["peer_id"] == a.peer_id)
        buffer = await b.wait_audio(a.participant_id, new_frames=25)
    assert a.peer_id != old_peer and a.status()["published"]["audio"]["producer_id"]
    assert abs(peak_frequency(buffer.peek_last(HALF_SECOND // 2), low=100.0, high=2000.0) - 440.0) <= 5.0
    assert b.audio_key(a.peer_id) == a.participant_id  # one buffer per participant across peers


async def test_the_participant_token_never_reaches_a_log_record_even_at_debug(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    m = await live.meeting()
    token = await live.token(m, "alice")
    with caplog.at_level(logging.DEBUG):
        a = BotParticipant(token, live.config(), display_name="alice")
        with anyio.fail_after(15):
            await a.join()
            await a.send_chat("hello")
            await a.leave()
    assert token and len(token) > 20
    assert any(r.name == "realtimekit_mcp.bot.websocket" for r in caplog.records)  # websockets logged
    assert all(token not in r.getMessage() for r in caplog.records)
