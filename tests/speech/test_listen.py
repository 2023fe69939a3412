"""VAD segmentation and the transcription pipeline, with the deterministic engines."""

from __future__ import annotations

import threading

import anyio
import pytest

from realtimekit_mcp.speech import get_stt, get_tts, get_vad
from realtimekit_mcp.speech.deterministic import EnergyVAD
from realtimekit_mcp.speech.listen import (
    SegmenterOptions,
    TranscriptionPipeline,
    TranscriptSegment,
    UtteranceSegmenter,
)
from realtimekit_mcp.speech.protocols import Transcription

RATE = 48_000
FRAME = 1_920  # 20 ms of s16 mono 48 kHz


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * RATE) * 2)


def frames(pcm: bytes) -> list[bytes]:
    return [pcm[i : i + FRAME] for i in range(0, len(pcm), FRAME)]


def test_two_utterances_separated_by_silence_are_cut_with_their_spans() -> None:
    seg = UtteranceSegmenter(EnergyVAD(), SegmenterOptions(min_silence=0.3, pre_roll=0.1, post_roll=0.1))
    one, two = get_tts("test").synthesize("first one"), get_tts("test").synthesize("second")
    stream = silence(1.0) + one + silence(1.0) + two + silence(1.0)
    got = []
    for chunk in frames(stream):
        got.extend(seg.feed(chunk))
    assert len(got) == 2
    start = got[0].start_sample / RATE
    assert 0.85 <= start <= 1.0  # speech began at 1.0 s, 0.1 s of pre-roll kept
    assert got[0].end_sample / RATE == pytest.approx(1.0 + len(one) / 2 / RATE + 0.1, abs=0.05)
    assert get_stt("test").transcribe(got[0].pcm).text == "first one"
    assert get_stt("test").transcribe(got[1].pcm).text == "second"


def test_a_click_shorter_than_min_speech_is_not_an_utterance() -> None:
    seg = UtteranceSegmenter(EnergyVAD(), SegmenterOptions(min_speech=0.25))
    click = get_tts("test").synthesize("a")  # 50 ms of tone
    assert seg.feed(silence(0.5) + click + silence(1.0)) == []
    assert not seg.in_speech


def test_long_speech_is_cut_at_max_seconds_and_flush_ends_the_open_one() -> None:
    seg = UtteranceSegmenter(EnergyVAD(), SegmenterOptions(max_seconds=2.0))
    speech = get_tts("test").synthesize("x" * 60)  # 4.8 s, gaps of 30 ms only
    cut = seg.feed(speech)
    assert [round((u.end_sample - u.start_sample) / RATE, 2) for u in cut] == [2.0, 2.0]
    assert seg.in_speech
    rest = seg.flush()
    assert len(rest) == 1 and not seg.in_speech


async def collect(
    pipeline: TranscriptionPipeline, got: list[TranscriptSegment], n: int, bound: float = 10.0
) -> None:
    with anyio.fail_after(bound):
        while len(got) < n:
            await pipeline.drain()
            if len(got) < n:
                await anyio.lowlevel.checkpoint()


@pytest.mark.anyio
async def test_the_pipeline_transcribes_each_speaker_with_names_ids_and_timestamps() -> None:
    got: list[TranscriptSegment] = []
    clock = iter(float(i) for i in range(10_000))
    now = [0.0]

    def tick() -> float:
        now[0] = next(clock) * 0.02
        return now[0]

    pipe = TranscriptionPipeline(get_stt("test"), get_vad("test"), on_segment=got.append, clock=tick)
    pipe.start()
    tts = get_tts("test")
    alice = silence(0.5) + tts.synthesize("hello bob") + silence(1.0)
    bob = silence(0.3) + tts.synthesize("hi alice") + silence(1.0)
    for i in range(max(len(alice), len(bob)) // FRAME + 1):
        a, b = alice[i * FRAME : (i + 1) * FRAME], bob[i * FRAME : (i + 1) * FRAME]
        if a:
            pipe.feed("p-alice", a, participant_id="p-alice", peer_id="peer-a", name="Alice")
        if b:
            pipe.feed("p-bob", b, participant_id="p-bob", name="Bob")
    await collect(pipe, got, 2)
    await pipe.aclose()
    by_name = {s.speaker_name: s for s in got}
    assert by_name["Alice"].text == "hello bob" and by_name["Bob"].text == "hi alice"
    alice_seg = by_name["Alice"]
    assert (
        alice_seg.id == "p-alice-1"
        and alice_seg.peer_id == "peer-a"
        and alice_seg.participant_id == "p-alice"
    )
    # the clock advanced 20 ms per fed frame of the two streams; speech began after 0.5 s of alice's stream
    assert alice_seg.start < alice_seg.end <= alice_seg.transcribed_at
    assert alice_seg.to_dict()["text"] == "hello bob"


@pytest.mark.anyio
async def test_a_slow_stt_never_blocks_feeding_and_drops_the_oldest_utterances() -> None:
    gate = threading.Event()
    started = threading.Event()

    class SlowSTT:
        name = "slow"
        sample_rate = RATE
        max_concurrency = 1

        def transcribe(self, pcm: bytes) -> Transcription:
            started.set()
            gate.wait(10)
            return get_stt("test").transcribe(pcm)

    got: list[TranscriptSegment] = []
    pipe = TranscriptionPipeline(SlowSTT(), get_vad("test"), on_segment=got.append, max_pending=2)
    pipe.start()
    tts = get_tts("test")
    words = ["number one", "number two", "number three", "number four", "number five"]
    pipe.feed("k", tts.synthesize(words[0]) + silence(0.6))
    with anyio.fail_after(5):
        while not started.is_set():  # the worker thread holds number one
            await anyio.lowlevel.checkpoint()
    for word in words[1:]:
        pipe.feed("k", tts.synthesize(word) + silence(0.6))  # returns at once although STT is stuck
    assert pipe.dropped == 2  # two and three: only the newest two wait
    gate.set()
    await collect(pipe, got, 3)
    await pipe.aclose()
    assert [s.text for s in got] == ["number one", "number four", "number five"]


@pytest.mark.anyio
async def test_ending_a_stream_transcribes_the_open_utterance() -> None:
    got: list[TranscriptSegment] = []
    pipe = TranscriptionPipeline(get_stt("test"), get_vad("test"), on_segment=got.append)
    pipe.start()
    pipe.feed("k", silence(0.2) + get_tts("test").synthesize("cut off"), name="Carol")
    assert pipe.speaking("k")
    pipe.end_stream("k")
    await collect(pipe, got, 1)
    await pipe.aclose()
    assert got[0].text == "cut off" and got[0].speaker_name == "Carol"
