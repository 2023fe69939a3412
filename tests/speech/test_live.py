"""The bot speaks and listens over real WebRTC on loopback (emulator on port 0).

Deterministic engines (tones -> exact text) check the plumbing; one test runs the real engines.
"""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.bot.tracks import FRAME_BYTES
from realtimekit_mcp.speech.metrics import word_error_rate

from .conftest import Live, RealEngines

pytestmark = pytest.mark.anyio

TEST_SPEECH = {"tts": "test", "stt": "test", "vad": "test"}


async def transcript_until(bot: object, done: object, bound: float = 20.0) -> list[dict[str, object]]:
    """Collect the bot's own-listener transcript events until ``done(texts)`` holds."""
    cursor = 0
    events: list[dict[str, object]] = []
    with anyio.fail_after(bound):
        while not done(" ".join(str(e["text"]) for e in events)):  # type: ignore[operator]
            event = await bot.wait_event("transcript", after=cursor)  # type: ignore[attr-defined]
            cursor = event.seq
            if event.data.get("source") == "bot":
                events.append(event.to_dict())
    return events


async def test_what_bot_a_says_bot_b_transcribes_exactly_with_the_speaker_and_never_itself(
    live: Live,
) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice", transcribe=True, **TEST_SPEECH)
    bob = await live.bot(m, "bob", transcribe=True, **TEST_SPEECH)
    said = await alice.say("hello bob. this is alice.", wait=True)
    assert said.done.result() == "played"
    heard = await transcript_until(bob, lambda t: "this is alice." in t)
    assert [e["text"] for e in heard] == ["hello bob.this is alice."]  # no pause between sentences
    first = heard[0]
    assert first["speaker_name"] == "alice" and first["participant_id"] == alice.participant_id
    assert first["peer_id"] == alice.peer_id
    assert float(first["start"]) < float(first["end"]) <= float(first["at"])  # type: ignore[arg-type]
    assert 0 < float(first["lag"]) < 3  # type: ignore[arg-type]
    assert bob.transcript()[0]["text"] == first["text"]
    await bob.say("hi alice.", wait=True)
    back = await transcript_until(alice, lambda t: "hi alice." in t)
    assert back[0]["speaker_name"] == "bob"
    # each bot heard only the other one
    assert all(s["participant_id"] == alice.participant_id for s in bob.transcript())
    assert all(s["participant_id"] == bob.participant_id for s in alice.transcript())


async def test_stop_flushes_the_bots_speech_within_one_frame(live: Live) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice", **TEST_SPEECH)
    bob = await live.bot(m, "bob", **TEST_SPEECH)
    item = await alice.say("a long announcement that would take several seconds to play out.")
    with anyio.fail_after(10):
        buffer = await bob.wait_audio(alice.participant_id, seconds=0.3)
        await buffer.wait_until(lambda b: any(b.peek_last(FRAME_BYTES)))  # speech is arriving
    sent = alice.audio_source.frames_sent
    assert alice.stop_speaking() == 1
    assert alice.audio_source.buffered_seconds == 0 and not alice.speaking
    assert alice.audio_source.next_frame() == bytes(FRAME_BYTES)  # what the track reads next is silence
    assert item.done.result() == "stopped"
    with anyio.fail_after(5):  # and the listener hears silence soon after (network + jitter buffer)
        await buffer.wait_until(lambda b: not any(b.peek_last(FRAME_BYTES * 5)))
    assert alice.audio_source.frames_sent > sent


async def test_interrupt_pre_empts_queued_speech(live: Live) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice", **TEST_SPEECH)
    bob = await live.bot(m, "bob", transcribe=True, **TEST_SPEECH)
    first = await alice.say("the first part. the second part that nobody hears.")
    queued = await alice.say("queued words.")
    with anyio.fail_after(10):
        buffer = await bob.wait_audio(alice.participant_id, seconds=0.2)
        await buffer.wait_until(lambda b: any(b.peek_last(FRAME_BYTES)))
    urgent = await alice.interrupt("urgent news.", wait=True)
    assert first.done.result() == "interrupted" and queued.done.result() == "interrupted"
    assert urgent.done.result() == "played"
    heard = await transcript_until(bob, lambda t: t.endswith("urgent news."))
    text = " ".join(str(e["text"]) for e in heard)
    assert "nobody" not in text and "queued" not in text


async def test_real_engines_bot_b_transcribes_bot_a_within_the_error_budget(
    live: Live, real_engines: RealEngines
) -> None:
    m = await live.meeting()
    engines = {"tts": real_engines.tts, "stt": real_engines.stt, "vad": real_engines.vad}
    alice = await live.bot(m, "Alice Speaker", **engines)
    bob = await live.bot(m, "Bob Listener", transcribe=True, **engines)
    script = "Please start the recording now. The budget review moves to Thursday afternoon."
    item = await alice.say(script, wait=True)
    assert item.done.result() == "played" and item.first_audio_at is not None
    heard = await transcript_until(bob, lambda t: "thursday" in t.lower() or "afternoon" in t.lower(), 30)
    text = " ".join(str(e["text"]) for e in heard)
    assert word_error_rate(script, text) <= 0.15, text
    assert {e["speaker_name"] for e in heard} == {"Alice Speaker"}
    assert all(float(e["lag"]) < 5.0 for e in heard)  # type: ignore[arg-type]
