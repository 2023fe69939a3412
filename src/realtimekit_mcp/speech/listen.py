"""From live audio to transcript segments: VAD segmentation and transcription off the event loop.

:class:`UtteranceSegmenter` (pure, synchronous) cuts one stream into utterances with a VAD.
:class:`TranscriptionPipeline` takes 48 kHz PCM of many speakers (:meth:`~TranscriptionPipeline.feed`,
cheap, on the event loop: resampling + VAD), queues finished utterances in a **bounded** queue
(oldest dropped and counted when STT falls behind, so media is never blocked) and transcribes them in
worker threads, calling ``on_segment`` with a :class:`TranscriptSegment` per non-empty final.

Used by the bot (each remote participant) and usable by the emulator (each participant server-side).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread

from realtimekit_mcp.speech.audio import StreamResampler, resample
from realtimekit_mcp.speech.protocols import STTEngine, VADEngine, VADStream

__all__ = [
    "SegmenterOptions",
    "TranscriptSegment",
    "TranscriptionPipeline",
    "Utterance",
    "UtteranceSegmenter",
]

logger = logging.getLogger(__name__)

INPUT_RATE = 48_000


@dataclass(frozen=True, slots=True)
class SegmenterOptions:
    """VAD segmentation settings (Silero-like defaults).

    Attributes:
        threshold: probability at or above which a window is speech.
        neg_threshold: probability below which a window counts as silence (hysteresis).
        min_silence: seconds of silence that end an utterance (the hangover; it adds to the lag).
        min_speech: utterances with less speech than this are dropped (clicks, coughs).
        pre_roll: seconds of audio kept before the first speech window.
        post_roll: seconds of audio kept after the last speech window.
        max_seconds: an utterance is cut at this length (Whisper handles at most 30 s).
    """

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_silence: float = 0.4
    min_speech: float = 0.25
    pre_roll: float = 0.2
    post_roll: float = 0.15
    max_seconds: float = 20.0


@dataclass(frozen=True, slots=True)
class Utterance:
    """One segmented utterance: PCM at the VAD's rate and its sample span in the stream."""

    pcm: bytes
    sample_rate: int
    start_sample: int
    end_sample: int


class UtteranceSegmenter:
    """Cuts one stream of PCM (at ``vad.sample_rate``) into utterances. Not thread-safe."""

    def __init__(self, vad: VADEngine, options: SegmenterOptions | None = None) -> None:
        self.vad = vad
        self.options = options or SegmenterOptions()
        self.rate = vad.sample_rate
        self._window_bytes = vad.frame_samples * 2
        self._stream: VADStream = vad.new_stream()
        self._pending = bytearray()  # not yet a whole window
        self._history: deque[bytes] = deque()  # pre-roll windows while silent
        self._speech: list[bytes] = []  # windows of the current utterance
        self._position = 0  # samples consumed by windows
        self._start = 0
        self._speech_windows = 0
        self._silent_windows = 0
        self.in_speech = False

    def _windows(self, seconds: float) -> int:
        return max(0, round(seconds * self.rate / self.vad.frame_samples))

    def feed(self, pcm: bytes) -> list[Utterance]:
        """Add PCM; returns the utterances that ended within it."""
        self._pending.extend(pcm)
        out: list[Utterance] = []
        opts = self.options
        pre, post = self._windows(opts.pre_roll), self._windows(opts.post_roll)
        hangover = max(1, self._windows(opts.min_silence))
        max_windows = max(1, self._windows(opts.max_seconds))
        while len(self._pending) >= self._window_bytes:
            window = bytes(self._pending[: self._window_bytes])
            del self._pending[: self._window_bytes]
            p = self._stream.probability(window)
            start_of_window = self._position
            self._position += self.vad.frame_samples
            if not self.in_speech:
                if p >= opts.threshold:
                    self.in_speech = True
                    self._speech = list(self._history)
                    self._start = start_of_window - len(self._history) * self.vad.frame_samples
                    self._history.clear()
                    self._speech.append(window)
                    self._speech_windows, self._silent_windows = 1, 0
                else:
                    self._history.append(window)
                    while len(self._history) > pre:
                        self._history.popleft()
                continue
            self._speech.append(window)
            if p >= opts.neg_threshold:
                self._speech_windows += 1
                self._silent_windows = 0
            else:
                self._silent_windows += 1
            if self._silent_windows >= hangover or len(self._speech) >= max_windows:
                keep = len(self._speech) - max(0, self._silent_windows - post)
                utterance = self._close(keep)
                if utterance is not None:
                    out.append(utterance)
        return out

    def _close(self, keep: int) -> Utterance | None:
        windows = self._speech[:keep]
        speech = self._speech_windows
        self.in_speech = False
        self._speech = []
        self._speech_windows = self._silent_windows = 0
        if speech * self.vad.frame_samples < self.options.min_speech * self.rate:
            return None
        pcm = b"".join(windows)
        return Utterance(pcm, self.rate, self._start, self._start + len(pcm) // 2)

    def flush(self) -> list[Utterance]:
        """End the stream: the open utterance, if any (its silence trimmed to ``post_roll``)."""
        if not self.in_speech:
            return []
        post = self._windows(self.options.post_roll)
        utterance = self._close(len(self._speech) - max(0, self._silent_windows - post))
        return [utterance] if utterance is not None else []


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    """A final transcript of one utterance of one speaker.

    Attributes:
        id: ``"<speaker key>-<n>"``, unique within the pipeline.
        speaker_key: the key the audio was fed under (the bot uses the participant id).
        participant_id / peer_id / speaker_name: who spoke, as given to :meth:`TranscriptionPipeline.feed`.
        text: what was said.
        start / end: wall-clock (epoch seconds) of the utterance's first and last audio.
        transcribed_at: wall-clock when the text was ready (``transcribed_at - end`` is the lag,
            which includes the VAD hangover).
        language: as reported by the engine.
    """

    id: str
    speaker_key: str
    participant_id: str
    peer_id: str
    speaker_name: str
    text: str
    start: float
    end: float
    transcribed_at: float
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "id": self.id,
            "participant_id": self.participant_id,
            "peer_id": self.peer_id,
            "speaker_name": self.speaker_name,
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "transcribed_at": round(self.transcribed_at, 3),
            "language": self.language,
        }


@dataclass(slots=True)
class _Stream:
    segmenter: UtteranceSegmenter
    resampler: StreamResampler
    participant_id: str = ""
    peer_id: str = ""
    name: str = ""
    fed: int = 0  # samples at the VAD rate
    last_at: float = 0.0
    count: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@dataclass(frozen=True, slots=True)
class _Job:
    stream_key: str
    number: int
    pcm: bytes
    rate: int
    start: float
    end: float
    participant_id: str
    peer_id: str
    name: str


_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)


def stt_limiter(stt: STTEngine) -> anyio.CapacityLimiter:
    """The process-wide (per event loop) thread limiter of one STT engine (``stt.max_concurrency``)."""
    per_loop = _limiters.setdefault(asyncio.get_running_loop(), {})
    limiter = per_loop.get(id(stt))
    if limiter is None:
        limiter = per_loop[id(stt)] = anyio.CapacityLimiter(max(1, stt.max_concurrency))
    return limiter


class TranscriptionPipeline:
    """Per-speaker VAD segmentation + transcription in worker threads (asyncio).

    Call :meth:`start` in a running loop, :meth:`feed` with each chunk of 48 kHz PCM (any size),
    :meth:`end_stream` when a speaker goes away, :meth:`aclose` at the end.

    Args:
        stt / vad: the engines (shared across pipelines; the STT's thread limiter is per process).
        on_segment: called on the event loop with each non-empty final segment.
        max_pending: utterances waiting for STT; beyond it the oldest is dropped (``dropped``).
        options: VAD segmentation settings.
        clock: wall clock for timestamps.
    """

    def __init__(
        self,
        stt: STTEngine,
        vad: VADEngine,
        *,
        on_segment: Callable[[TranscriptSegment], None],
        max_pending: int = 8,
        options: SegmenterOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.stt = stt
        self.vad = vad
        self.on_segment = on_segment
        self.max_pending = max(1, max_pending)
        self.options = options or SegmenterOptions()
        self.clock = clock
        self.dropped = 0
        self.transcribed = 0
        self.failed = 0
        self._streams: dict[str, _Stream] = {}
        self._queue: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    # ------------------------------------------------------------------ input

    def _stream(self, key: str) -> _Stream:
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = _Stream(
                UtteranceSegmenter(self.vad, self.options),
                StreamResampler(INPUT_RATE, self.vad.sample_rate),
            )
        return stream

    def feed(
        self,
        key: str,
        pcm: bytes,
        *,
        participant_id: str = "",
        peer_id: str = "",
        name: str = "",
        at: float | None = None,
    ) -> None:
        """Add 48 kHz s16le mono PCM of speaker ``key`` that ended arriving ``at`` (default now).

        Cheap (resampling and VAD, well under a millisecond per 20 ms frame with Silero); finished
        utterances are queued for transcription.
        """
        if self._closed:
            return
        stream = self._stream(key)
        stream.participant_id = participant_id or stream.participant_id or key
        stream.peer_id = peer_id or stream.peer_id
        stream.name = name or stream.name
        chunk = stream.resampler.process(pcm)
        stream.fed += len(chunk) // 2
        stream.last_at = self.clock() if at is None else at
        for utterance in stream.segmenter.feed(chunk):
            self._enqueue(key, stream, utterance)

    def end_stream(self, key: str) -> None:
        """The speaker is gone: transcribe what they were saying and forget the stream."""
        stream = self._streams.pop(key, None)
        if stream is None:
            return
        for utterance in stream.segmenter.flush():
            self._enqueue(key, stream, utterance)

    def speaking(self, key: str) -> bool:
        """Whether the VAD is inside an utterance of ``key`` right now."""
        stream = self._streams.get(key)
        return bool(stream and stream.segmenter.in_speech)

    def _enqueue(self, key: str, stream: _Stream, utterance: Utterance) -> None:
        rate = utterance.sample_rate

        def wall(sample: int) -> float:
            return stream.last_at - (stream.fed - sample) / rate

        job = _Job(
            stream_key=key,
            number=next(stream.count),
            pcm=utterance.pcm,
            rate=rate,
            start=wall(utterance.start_sample),
            end=wall(utterance.end_sample),
            participant_id=stream.participant_id,
            peer_id=stream.peer_id,
            name=stream.name,
        )
        if len(self._queue) >= self.max_pending:
            old = self._queue.popleft()
            self.dropped += 1
            logger.warning(
                "speech-to-text is behind: dropped an utterance of %s (%.1f s)",
                old.stream_key,
                len(old.pcm) / 2 / old.rate,
            )
        self._queue.append(job)
        self._idle.clear()
        self._wake.set()

    @property
    def pending(self) -> int:
        """Utterances queued or being transcribed."""
        return len(self._queue) + self._busy

    # ------------------------------------------------------------------ workers

    def start(self) -> None:
        """Start the workers (``stt.max_concurrency`` of them) on the running loop."""
        if self._workers:
            return
        for i in range(max(1, self.stt.max_concurrency)):
            self._workers.append(asyncio.create_task(self._work(), name=f"rtk-stt-worker-{i}"))

    async def _work(self) -> None:
        limiter = stt_limiter(self.stt)
        while True:
            while not self._queue:
                if self._busy == 0:
                    self._idle.set()
                self._wake.clear()
                await self._wake.wait()
            job = self._queue.popleft()
            self._busy += 1
            try:
                await self._transcribe(job, limiter)
            finally:
                self._busy -= 1
                if not self._queue and self._busy == 0:
                    self._idle.set()

    async def _transcribe(self, job: _Job, limiter: anyio.CapacityLimiter) -> None:
        pcm = job.pcm
        if job.rate != self.stt.sample_rate:
            pcm = resample(pcm, job.rate, self.stt.sample_rate)
        try:
            result = await anyio.to_thread.run_sync(self.stt.transcribe, pcm, limiter=limiter)
        except Exception as exc:
            self.failed += 1
            logger.warning("speech-to-text failed for %s: %s", job.stream_key, type(exc).__name__)
            return
        self.transcribed += 1
        text = result.text.strip()
        if not text:
            return
        segment = TranscriptSegment(
            id=f"{job.stream_key}-{job.number}",
            speaker_key=job.stream_key,
            participant_id=job.participant_id,
            peer_id=job.peer_id,
            speaker_name=job.name,
            text=text,
            start=job.start,
            end=job.end,
            transcribed_at=self.clock(),
            language=result.language,
        )
        try:
            self.on_segment(segment)
        except Exception:
            logger.exception("transcript callback failed")

    async def drain(self) -> None:
        """Wait until every queued utterance has been transcribed (bound it with a timeout)."""
        await self._idle.wait()

    async def aclose(self, *, flush: bool = False) -> None:
        """Stop the workers; with ``flush`` first end every stream and transcribe what is queued."""
        if flush:
            for key in list(self._streams):
                self.end_stream(key)
            if self._workers:
                await self.drain()
        self._closed = True
        workers, self._workers = self._workers, []
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(BaseException):
                await task
        self._queue.clear()
        self._streams.clear()
