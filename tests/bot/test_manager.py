"""BotManager: handles, limits and clean-up, against the emulator's live plane."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import wave
from pathlib import Path

import anyio
import pytest

from realtimekit_mcp.bot.manager import BotLimitError, BotManager, BotManagerLimits, UnknownBotError
from realtimekit_mcp.bot.participant import BotJoinError
from realtimekit_mcp.bot.tracks import color_bars, peak_frequency, tone_pcm

from .conftest import Live

pytestmark = pytest.mark.anyio


async def test_bots_get_opaque_handles_and_can_be_listed_read_and_left(live: Live) -> None:
    m = await live.meeting()
    async with BotManager(live.config(), client=live.client) as manager:
        with anyio.fail_after(20):
            a = await manager.join(meeting_id=m, name="Alpha")
            b = await manager.join(token=await live.token(m, "beta"), name="beta")
        assert a.startswith("bot_") and a != b and m not in a
        assert {s["name"] for s in manager.list()} == {"Alpha", "beta"}
        bot_a = manager.live(a)
        await bot_a.send_chat("from alpha")
        with anyio.fail_after(5):
            await manager.get(b).wait_event("chat")
        events, cursor = manager.events(b, 0)
        assert events[0].type == "joined" and cursor == events[-1].seq
        assert manager.events(b, cursor) == ([], cursor)
        final = await manager.leave(a)
        assert final["state"] == "left" and final["end_reason"] == "left"
        assert manager.status(a)["state"] == "left"  # a tombstone keeps the reason
        with pytest.raises(RuntimeError, match="ended"):
            manager.live(a)
        with pytest.raises(UnknownBotError, match="no bot"):
            manager.get("bot_nope")
    assert manager.get(b).state.value == "left"  # shutdown made the rest leave
    with pytest.raises(BotLimitError, match="shut down"):
        await manager.join(token="x.y.z")


async def test_the_bot_limit_is_enforced_and_freed_by_leaving(live: Live) -> None:
    m = await live.meeting()
    async with BotManager(live.config(), limits=BotManagerLimits(max_bots=1)) as manager:
        with anyio.fail_after(20):
            first = await manager.join(token=await live.token(m, "one"))
            with pytest.raises(BotLimitError, match="1 bots"):
                await manager.join(token=await live.token(m, "two"))
            await manager.leave(first)
            await manager.join(token=await live.token(m, "two"))


async def test_received_audio_is_bounded_per_bot_by_the_manager_budget(live: Live) -> None:
    m = await live.meeting()
    limits = BotManagerLimits(max_bots=4, max_buffered_audio_seconds=1.0)  # 0.25 s per bot
    async with BotManager(live.config(), limits=limits) as manager:
        with anyio.fail_after(20):
            speaker = manager.live(await manager.join(token=await live.token(m, "speaker")))
            listener = manager.live(await manager.join(token=await live.token(m, "listener")))
            await speaker.play_continuous_tone(300.0)
            buffer = await listener.wait_audio(speaker.participant_id, new_frames=30)
        assert buffer.seconds <= 0.25 and buffer.dropped_bytes > 0
        assert manager.buffered_audio_bytes() <= int(0.25 * 48_000) * 2


async def test_a_kicked_bot_is_cleaned_up_and_reports_why(live: Live) -> None:
    m = await live.meeting()
    async with BotManager(live.config()) as manager:
        with anyio.fail_after(20):
            bot_id = await manager.join(token=await live.token(m, "victim"))
            bot = manager.get(bot_id)
            r = await live.rest(
                "POST", f"/meetings/{m}/active-session/kick", json={"participant_ids": [bot.participant_id]}
            )
            assert r.status_code == 200
            await asyncio.shield(bot.ended)
        status = manager.status(bot_id)
        assert status["state"] == "kicked" and "kicked" in status["end_reason"]
        assert status["published"] == {} or status["state"] == "kicked"
        assert bot._send is None and bot._recv is None and not bot._tasks


async def test_joining_an_inactive_meeting_through_the_manager_fails_clearly(live: Live) -> None:
    m = await live.meeting()
    await live.rest("PATCH", f"/meetings/{m}", json={"status": "INACTIVE"})
    async with BotManager(live.config(), client=live.client) as manager:
        with anyio.fail_after(20), pytest.raises(BotJoinError, match="INACTIVE"):
            await manager.join(meeting_id=m)
        with anyio.fail_after(20), pytest.raises(BotJoinError, match=r"(?i)inactive"):
            await manager.join(token=await live.token(m, "late"))
        assert manager.list() == []  # failed joins leave no handle behind


async def test_a_bot_can_show_a_still_image_and_stop_it(live: Live) -> None:
    m = await live.meeting()
    async with BotManager(live.config()) as manager:
        with anyio.fail_after(20):
            shower = manager.live(await manager.join(token=await live.token(m, "shower")))
            watcher = manager.live(await manager.join(token=await live.token(m, "watcher")))
            await shower.publish_video(color_bars(160, 120), fps=5)
            added = await watcher.wait_event("producer_added", where=lambda e: e.data["kind"] == "video")
            assert added.data["peer_id"] == shower.peer_id
            await shower.stop_video()
            await watcher.wait_event("producer_removed", after=added.seq)
        assert "video" not in shower.status()["published"]


async def test_a_bot_plays_a_wav_file_that_another_bot_hears(live: Live, tmp_path: Path) -> None:
    path = tmp_path / "beep.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        wav.writeframes(tone_pcm(750.0, 0.8, sample_rate=24_000))
    m = await live.meeting()
    async with BotManager(live.config()) as manager:
        with anyio.fail_after(20):
            player = manager.live(await manager.join(token=await live.token(m, "player")))
            ear = manager.live(await manager.join(token=await live.token(m, "ear")))
            done = await player.play_file(path)
            await done
            buffer = await ear.wait_audio(player.participant_id, seconds=0.8)
        assert abs(peak_frequency(buffer.data, low=100, high=2000) - 750.0) <= 5


def test_importing_the_bot_package_loads_no_media_stack() -> None:
    code = (
        "import sys, realtimekit_mcp, realtimekit_mcp.bot\n"
        "heavy = [m for m in ('aiortc', 'av', 'google.protobuf', 'websockets') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_a_speaker_only_bot_is_heard_but_receives_nothing(live: Live) -> None:
    m = await live.meeting()
    async with BotManager(live.config()) as manager:
        with anyio.fail_after(20):
            ear = manager.live(await manager.join(token=await live.token(m, "ear")))
            mouth = manager.live(await manager.join(token=await live.token(m, "mouth"), listen=False))
            await ear.play_continuous_tone(500.0)
            await mouth.play_continuous_tone(600.0)
            buffer = await ear.wait_audio(mouth.participant_id, seconds=0.5)
            await mouth.wait_event("producer_added")  # it knows about the ear's audio ...
        assert abs(peak_frequency(buffer.peek_last(24_000), low=100, high=2000) - 600.0) <= 5
        assert mouth.audio == {}  # ... and does not receive it
