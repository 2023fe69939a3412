"""What a speech engine is: the TTS, STT and VAD protocols and the values they exchange.

Audio crossing these interfaces is always **PCM s16le, mono**, at the engine's own
``sample_rate``; callers resample (once) between that rate and the 48 kHz of WebRTC with
:mod:`realtimekit_mcp.speech.audio`. Engine methods are blocking and may take hundreds of
milliseconds: call them from a worker thread (``anyio.to_thread.run_sync``), never on the event loop.

This module imports nothing heavy: the bot and the emulator may import it at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = [
    "STTEngine",
    "SpeechUnavailableError",
    "TTSEngine",
    "Transcription",
    "VADEngine",
    "VADStream",
]

INSTALL_HINT = "pip install 'realtimekit-mcp[speech]'"


class SpeechUnavailableError(RuntimeError):
    """A speech engine cannot be loaded: its packages or model files are missing or do not verify.

    The message says what is missing and what to install (``pip install 'realtimekit-mcp[speech]'``).
    """


@dataclass(frozen=True, slots=True)
class Transcription:
    """What an STT engine heard in one utterance.

    Attributes:
        text: the words, stripped ("" when nothing was recognised).
        language: the language code the engine used or detected, if it knows.
        confidence: a 0..1 score when the engine has one (None otherwise).
    """

    text: str
    language: str | None = None
    confidence: float | None = None


@runtime_checkable
class TTSEngine(Protocol):
    """Text to speech. One call synthesises one sentence (the caller splits text into sentences).

    Attributes:
        name: the registry name (``"piper"``, ``"test"``).
        sample_rate: the rate of the PCM that :meth:`synthesize` returns.
    """

    name: str
    sample_rate: int

    def synthesize(self, text: str) -> bytes:
        """PCM s16le mono at :attr:`sample_rate` for ``text`` (blocking; b"" for nothing speakable)."""
        ...


@runtime_checkable
class STTEngine(Protocol):
    """Speech to text over one whole utterance (VAD-segmented, at most ~30 s).

    Attributes:
        name: the registry name (``"faster-whisper"``, ``"test"``).
        sample_rate: the rate :meth:`transcribe` expects its PCM in.
        max_concurrency: how many :meth:`transcribe` calls may usefully run at once in this
            process (callers use it for their thread limiter; real engines use 1 and their own
            internal threads).
    """

    name: str
    sample_rate: int
    max_concurrency: int

    def transcribe(self, pcm: bytes) -> Transcription:
        """Transcribe PCM s16le mono at :attr:`sample_rate` (blocking)."""
        ...


@runtime_checkable
class VADStream(Protocol):
    """Voice-activity state for one audio stream (one remote participant)."""

    def probability(self, window: bytes) -> float:
        """Speech probability 0..1 of one window of exactly ``frame_samples`` samples (s16le)."""
        ...


@runtime_checkable
class VADEngine(Protocol):
    """Voice activity detection. Stateless engine, one :class:`VADStream` per audio stream.

    Attributes:
        name: the registry name (``"silero"``, ``"test"``).
        sample_rate: the rate of the windows given to :meth:`VADStream.probability`.
        frame_samples: samples per window.
    """

    name: str
    sample_rate: int
    frame_samples: int

    def new_stream(self) -> VADStream:
        """Fresh state for a new stream."""
        ...
