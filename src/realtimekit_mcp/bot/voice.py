"""The bot's voice and ears: queued speech over its outgoing audio, transcription of what it hears.

:class:`Speaker` turns text into speech sentence by sentence with an injected TTS engine, resamples
it once to 48 kHz and queues it on the bot's :class:`~realtimekit_mcp.bot.tracks.AudioSource`
(played in paced 20 ms frames). Speech is queued; :meth:`Speaker.interrupt` pre-empts the queue and
:meth:`Speaker.stop` flushes it (the next frame sent is silence). :class:`Listener` feeds every
remote participant's received PCM to a :class:`~realtimekit_mcp.speech.listen.TranscriptionPipeline`.

No speech package is imported until a bot speaks or listens (engines are injected or resolved then).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from realtimekit_mcp.bot.tracks import SAMPLE_RATE, AudioBuffer, AudioSource

if TYPE_CHECKING:
    from realtimekit_mcp.speech.listen import SegmenterOptions, TranscriptionPipeline, TranscriptSegment
    from realtimekit_mcp.speech.protocols import STTEngine, TTSEngine, VADEngine

__all__ = ["Listener", "Speaker", "SpeechItem", "resolve_stt", "resolve_tts", "resolve_vad"]

logger = logging.getLogger(__name__)

_tts_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)


def _tts_limiter(engine: TTSEngine) -> anyio.CapacityLimiter:
    """One synthesis at a time per engine and event loop (piper uses all cores by itself)."""
    per_loop = _tts_limiters.setdefault(asyncio.get_running_loop(), {})
    limiter = per_loop.get(id(engine))
    if limiter is None:
        limiter = per_loop[id(engine)] = anyio.CapacityLimiter(1)
    return limiter


def resolve_tts(engine: TTSEngine | str | None) -> TTSEngine:
    """An engine object for ``engine`` (a name from the registry; None = ``"piper"``). Blocking."""
    if engine is None or isinstance(engine, str):
        from realtimekit_mcp.speech.registry import get_tts

        return get_tts(engine or "piper")
    return engine


def resolve_stt(engine: STTEngine | str | None) -> STTEngine:
    """An STT engine (None = ``"faster-whisper"``). Blocking."""
    if engine is None or isinstance(engine, str):
        from realtimekit_mcp.speech.registry import get_stt

        return get_stt(engine or "faster-whisper")
    return engine


def resolve_vad(engine: VADEngine | str | None) -> VADEngine:
    """A VAD engine (None = ``"silero"``). Blocking."""
    if engine is None or isinstance(engine, str):
        from realtimekit_mcp.speech.registry import get_vad

        return get_vad(engine or "silero")
    return engine


@dataclass(slots=True)
class SpeechItem:
    """One ``say``: its text, sentences and outcome.

    ``done`` resolves with ``"played"``, ``"interrupted"`` (pre-empted by an interrupt),
    ``"stopped"`` (flushed by stop) or ``"failed"``; ``first_audio_at`` is the monotonic time its
    first audio was queued (``first_audio_at - requested_at`` is the TTS time to first audio).
    """

    id: int
    text: str
    sentences: list[str]
    requested_at: float
    done: asyncio.Future[str]
    first_audio_at: float | None = None
    seconds: float = 0.0
    generation: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "speech_id": self.id,
            "sentences": len(self.sentences),
            "status": self.done.result() if self.done.done() and not self.done.cancelled() else "queued",
            "audio_seconds": round(self.seconds, 3),
            "time_to_first_audio": (
                round(self.first_audio_at - self.requested_at, 3) if self.first_audio_at else None
            ),
        }


class Speaker:
    """Speech queue of one bot over its :class:`AudioSource`.

    Args:
        source: the bot's outgoing audio.
        engine: a TTS engine or registry name (None: ``"piper"``), resolved on first use.
        emit: ``emit(type, **data)`` for ``speech_started`` / ``speech_ended`` events.
        lookahead: sentences synthesised ahead of what is playing.
        first_max: a first sentence longer than this is cut at its first comma (sooner first audio).
    """

    def __init__(
        self,
        source: AudioSource,
        engine: TTSEngine | str | None = None,
        *,
        emit: Callable[..., Any] | None = None,
        lookahead: int = 1,
        first_max: int | None = 40,
    ) -> None:
        self.first_max = first_max
        self.source = source
        self._engine_spec = engine
        self._engine: TTSEngine | None = None if engine is None or isinstance(engine, str) else engine
        self._emit = emit or (lambda *a, **k: None)
        self.lookahead = max(1, lookahead)
        self._queue: list[SpeechItem] = []
        self._ids = itertools.count(1)
        self._generation = 0
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self.current: SpeechItem | None = None

    async def engine(self) -> TTSEngine:
        """The TTS engine, loaded in a worker thread on first use.

        Raises:
            SpeechUnavailableError: the engine cannot be loaded (says what to install).
        """
        if self._engine is None:
            self._engine = await anyio.to_thread.run_sync(resolve_tts, self._engine_spec)
        return self._engine

    @property
    def speaking(self) -> bool:
        """Whether speech is playing or queued."""
        return self.current is not None or bool(self._queue)

    async def say(self, text: str) -> SpeechItem:
        """Queue ``text`` behind what is already queued; returns at once (await ``item.done`` to wait)."""
        from realtimekit_mcp.speech.audio import split_sentences

        await self.engine()  # fail now, clearly, if speech is unavailable
        item = SpeechItem(
            id=next(self._ids),
            text=text,
            sentences=split_sentences(text, first_max=self.first_max),
            requested_at=time.monotonic(),
            done=asyncio.get_running_loop().create_future(),
            generation=self._generation,
        )
        if not item.sentences:
            item.done.set_result("played")
            return item
        self._queue.append(item)
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="rtk-bot-speaker")
        return item

    def stop(self, status: str = "stopped") -> int:
        """Flush: drop queued speech and the audio queued on the source (silence from the next frame).

        Returns how many speech items were cut.
        """
        self._generation += 1
        items = ([self.current] if self.current else []) + self._queue
        self._queue = []
        self.source.clear()
        for item in items:
            self._finish(item, status)
        return len(items)

    async def interrupt(self, text: str) -> SpeechItem:
        """Cut whatever is playing or queued, then say ``text``."""
        await self.engine()
        self.stop("interrupted")
        return await self.say(text)

    async def aclose(self) -> None:
        """Stop speaking and end the worker."""
        self.stop()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(BaseException):
                await worker

    def _finish(self, item: SpeechItem, status: str) -> None:
        if not item.done.done():
            item.done.set_result(status)
            self._emit("speech_ended", speech_id=item.id, status=status, audio_seconds=round(item.seconds, 3))
        if self.current is item:
            self.current = None

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            item = self._queue.pop(0)
            self.current = item
            try:
                await self._speak(item)
            except asyncio.CancelledError:
                self._finish(item, "stopped")
                raise
            except Exception as exc:
                logger.warning("speech failed: %s", type(exc).__name__)
                self._finish(item, "failed")
            finally:
                if self.current is item:
                    self.current = None

    async def _speak(self, item: SpeechItem) -> None:
        engine = await self.engine()
        generation = self._generation
        self._emit("speech_started", speech_id=item.id, text=item.text)
        played: list[asyncio.Future[None]] = []

        def render(sentence: str) -> bytes:
            pcm = engine.synthesize(sentence)
            if engine.sample_rate != SAMPLE_RATE:
                from realtimekit_mcp.speech.audio import resample

                pcm = resample(pcm, engine.sample_rate, SAMPLE_RATE)
            return pcm

        limiter = _tts_limiter(engine)
        for sentence in item.sentences:
            # keep at most `lookahead` sentences queued beyond the one playing
            while len(played) > self.lookahead:
                if not await self._played(played.pop(0)):
                    return
            if generation != self._generation:
                return
            pcm = await anyio.to_thread.run_sync(render, sentence, limiter=limiter)
            if generation != self._generation or item.done.done():
                return  # flushed while synthesising
            played.append(self.source.enqueue(pcm))
            item.seconds += len(pcm) / 2 / SAMPLE_RATE
            if item.first_audio_at is None:
                item.first_audio_at = time.monotonic()
        for future in played:
            if not await self._played(future):
                self._finish(item, "stopped")
                return
        self._finish(item, "played")

    @staticmethod
    async def _played(future: asyncio.Future[None]) -> bool:
        """Wait for queued audio; False when it was flushed (the source was cleared)."""
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and not (task is not None and task.cancelling()):
                return False  # stop, stop_audio or leave cleared the source
            raise  # this task is being cancelled
        return True


@dataclass(slots=True)
class _Tap:
    buffer: AudioBuffer
    callback: Callable[[bytes], None] = field(repr=False)


class Listener:
    """Feeds remote participants' audio buffers into a transcription pipeline."""

    def __init__(self, pipeline: TranscriptionPipeline) -> None:
        self.pipeline = pipeline
        self._taps: dict[str, _Tap] = {}

    @classmethod
    async def create(
        cls,
        stt: STTEngine | str | None,
        vad: VADEngine | str | None,
        on_segment: Callable[[TranscriptSegment], None],
        *,
        max_pending: int = 8,
        options: SegmenterOptions | None = None,
    ) -> Listener:
        """Resolve the engines (in a worker thread) and start a pipeline.

        Raises:
            SpeechUnavailableError: an engine cannot be loaded (says what to install).
        """
        from realtimekit_mcp.speech.listen import TranscriptionPipeline

        stt_engine = await anyio.to_thread.run_sync(resolve_stt, stt)
        vad_engine = await anyio.to_thread.run_sync(resolve_vad, vad)
        pipeline = TranscriptionPipeline(
            stt_engine, vad_engine, on_segment=on_segment, max_pending=max_pending, options=options
        )
        pipeline.start()
        return cls(pipeline)

    def attach(self, key: str, buffer: AudioBuffer, participant_id: str) -> None:
        """Transcribe what arrives in ``buffer`` (speaker ``key``) from now on."""
        old = self._taps.get(key)
        if old is not None and old.buffer is buffer:
            return
        self.detach(key, end=False)
        pipeline = self.pipeline

        def tap(pcm: bytes) -> None:
            pipeline.feed(key, pcm, participant_id=participant_id, peer_id=buffer.peer_id, name=buffer.name)

        buffer.taps.append(tap)
        self._taps[key] = _Tap(buffer, tap)

    def detach(self, key: str, *, end: bool = True) -> None:
        """Stop feeding ``key``; with ``end`` transcribe its open utterance."""
        entry = self._taps.pop(key, None)
        if entry is not None:
            with contextlib.suppress(ValueError):
                entry.buffer.taps.remove(entry.callback)
        if end:
            self.pipeline.end_stream(key)

    async def aclose(self) -> None:
        """Detach everything and stop the pipeline."""
        for key in list(self._taps):
            self.detach(key, end=False)
        await self.pipeline.aclose()
