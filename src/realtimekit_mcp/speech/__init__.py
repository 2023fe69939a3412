"""Offline speech for the bot and the emulator: TTS, STT and VAD engines behind small protocols.

* :mod:`.protocols` - :class:`TTSEngine`, :class:`STTEngine`, :class:`VADEngine`, :class:`Transcription`,
  :class:`SpeechUnavailableError` (no heavy imports).
* :mod:`.registry` - :func:`get_tts`, :func:`get_stt`, :func:`get_vad` (lazy, cached).
* :mod:`.audio` - resampling and sentence splitting.
* :mod:`.listen` - :class:`UtteranceSegmenter` (VAD) and :class:`TranscriptionPipeline`
  (per-speaker utterances transcribed in worker threads, bounded queue).
* :mod:`.deterministic` - the ``"test"`` engines (tones in, exact text out).

Real engines need the ``speech`` extra: ``pip install 'realtimekit-mcp[speech]'``.
Importing this package is cheap: numpy, onnxruntime, piper and faster-whisper load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from realtimekit_mcp.speech.protocols import (
    SpeechUnavailableError,
    STTEngine,
    Transcription,
    TTSEngine,
    VADEngine,
    VADStream,
)
from realtimekit_mcp.speech.registry import available, get_stt, get_tts, get_vad

if TYPE_CHECKING:
    from realtimekit_mcp.speech.audio import split_sentences
    from realtimekit_mcp.speech.listen import TranscriptionPipeline, TranscriptSegment, UtteranceSegmenter

__all__ = [
    "STTEngine",
    "SpeechUnavailableError",
    "TTSEngine",
    "TranscriptSegment",
    "Transcription",
    "TranscriptionPipeline",
    "UtteranceSegmenter",
    "VADEngine",
    "VADStream",
    "available",
    "get_stt",
    "get_tts",
    "get_vad",
    "split_sentences",
]

_WHERE = {
    "split_sentences": "audio",
    "TranscriptionPipeline": "listen",
    "TranscriptSegment": "listen",
    "UtteranceSegmenter": "listen",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
