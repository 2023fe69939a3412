"""The bot's speech queue over its outgoing audio source (test TTS; frames pulled like the track does)."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

pytest.importorskip("aiortc")

from realtimekit_mcp.bot.tracks import FRAME_BYTES, AudioSource
from realtimekit_mcp.bot.voice import Speaker
from realtimekit_mcp.speech import SpeechUnavailableError, get_stt, get_tts, registry

pytestmark = pytest.mark.anyio

SILENT = bytes(FRAME_BYTES)


class Player:
    """Reads 20 ms frames from the source as the paced track would (unpaced here), keeping them."""

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self.frames: list[bytes] = []

    def pull(self, n: int = 1) -> None:
        for _ in range(n):
            self.frames.append(self.source.next_frame())

    async def play_until(self, future: asyncio.Future[Any], bound: float = 10.0) -> None:
        with anyio.fail_after(bound):
            while not future.done():
                self.pull()
                await anyio.lowlevel.checkpoint()

    def heard(self) -> str:
        return get_stt("test").transcribe(b"".join(self.frames)).text


async def queued(source: AudioSource, bound: float = 5.0) -> None:
    with anyio.fail_after(bound):
        while source.buffered_seconds == 0:
            await anyio.lowlevel.checkpoint()


async def test_speech_is_queued_sentence_by_sentence_and_played_in_order() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    source = AudioSource()
    speaker = Speaker(source, "test", emit=lambda t, **d: events.append((t, d)))
    first = await speaker.say("Hello there. How are you?")
    second = await speaker.say("Fine.")
    assert first.sentences == ["Hello there.", "How are you?"]
    player = Player(source)
    await player.play_until(second.done)
    assert first.done.result() == "played" and second.done.result() == "played"
    assert player.heard() == "hello there.how are you?fine."
    assert [t for t, _ in events] == ["speech_started", "speech_ended", "speech_started", "speech_ended"]
    assert first.first_audio_at is not None and first.first_audio_at >= first.requested_at
    assert first.to_dict()["status"] == "played" and first.to_dict()["audio_seconds"] > 0
    await speaker.aclose()


async def test_stop_flushes_within_one_frame() -> None:
    source = AudioSource()
    speaker = Speaker(source, "test")
    item = await speaker.say("a long sentence that keeps going for quite a while.")
    await queued(source)
    player = Player(source)
    player.pull(3)
    assert player.frames[-1] != SILENT
    assert speaker.stop() == 1
    player.pull(1)
    assert player.frames[-1] == SILENT  # the very next frame
    assert source.buffered_seconds == 0 and not speaker.speaking
    assert item.done.result() == "stopped"
    await speaker.aclose()


async def test_interrupt_pre_empts_what_is_playing_and_queued() -> None:
    source = AudioSource()
    speaker = Speaker(source, "test")
    long = await speaker.say("this is the first thing. and the second thing.")
    waiting = await speaker.say("never said.")
    await queued(source)
    player = Player(source)
    player.pull(5)
    before = len(player.frames)
    urgent = await speaker.interrupt("now this.")
    assert long.done.result() == "interrupted" and waiting.done.result() == "interrupted"
    await player.play_until(urgent.done)
    assert urgent.done.result() == "played"
    assert get_stt("test").transcribe(b"".join(player.frames[before:])).text == "now this."
    await speaker.aclose()


async def test_speech_cut_while_synthesising_is_never_queued() -> None:
    import threading

    release = threading.Event()

    class SlowTTS:
        name = "slow"
        sample_rate = 48_000

        def synthesize(self, text: str) -> bytes:
            release.wait(5)
            return get_tts("test").synthesize(text)

    source = AudioSource()
    speaker = Speaker(source, SlowTTS())
    item = await speaker.say("late words.")
    with anyio.fail_after(5):
        while speaker.current is None:
            await anyio.lowlevel.checkpoint()
    speaker.stop()
    release.set()
    with anyio.fail_after(5):
        while speaker.current is not None:  # the worker saw the flush after synthesis
            await anyio.lowlevel.checkpoint()
    assert source.buffered_seconds == 0 and item.done.result() == "stopped"
    await speaker.aclose()


async def test_without_a_tts_engine_say_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: Any) -> Any:
        raise SpeechUnavailableError("piper is missing: pip install 'realtimekit-mcp[speech]'")

    monkeypatch.setitem(registry._TTS, "broken-for-test", broken)
    speaker = Speaker(AudioSource(), "broken-for-test")
    with pytest.raises(SpeechUnavailableError, match=r"realtimekit-mcp\[speech\]"):
        await speaker.say("hello")
    await speaker.aclose()
