"""Engines by name, loaded on first use and shared within the process.

>>> tts = get_tts("piper")            # bundled joe voice, verified by sha256
>>> stt = get_stt("faster-whisper")   # bundled whisper tiny.en
>>> vad = get_vad("silero")           # Silero v6 from faster-whisper's assets
>>> get_tts("test"), get_stt("test"), get_vad("test")   # deterministic, no models, no extra

The first call of a real engine imports its packages and loads its model (0.5-1 s; call it from a
worker thread in async code); later calls with the same options return the same object. Without
the ``speech`` extra a real engine raises :class:`SpeechUnavailableError` naming what to install.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from realtimekit_mcp.speech.protocols import (
    INSTALL_HINT,
    SpeechUnavailableError,
    STTEngine,
    TTSEngine,
    VADEngine,
)

__all__ = [
    "available",
    "clear_cache",
    "get_stt",
    "get_tts",
    "get_vad",
    "register_stt",
    "register_tts",
    "register_vad",
]


def _piper(**options: Any) -> TTSEngine:
    from realtimekit_mcp.speech.piper_tts import PiperTTS

    return PiperTTS(**options)


def _whisper(**options: Any) -> STTEngine:
    from realtimekit_mcp.speech.whisper_stt import FasterWhisperSTT

    return FasterWhisperSTT(**options)


def _silero(**options: Any) -> VADEngine:
    from realtimekit_mcp.speech.silero_vad import SileroVAD

    return SileroVAD(**options)


def _test_tts(**options: Any) -> TTSEngine:
    from realtimekit_mcp.speech.deterministic import ToneTTS

    return ToneTTS(**options)


def _test_stt(**options: Any) -> STTEngine:
    from realtimekit_mcp.speech.deterministic import ToneSTT

    return ToneSTT(**options)


def _test_vad(**options: Any) -> VADEngine:
    from realtimekit_mcp.speech.deterministic import EnergyVAD

    return EnergyVAD(**options)


_TTS: dict[str, Callable[..., TTSEngine]] = {"piper": _piper, "test": _test_tts}
_STT: dict[str, Callable[..., STTEngine]] = {"faster-whisper": _whisper, "test": _test_stt}
_VAD: dict[str, Callable[..., VADEngine]] = {"silero": _silero, "test": _test_vad}
_cache: dict[tuple[str, str, tuple[tuple[str, str], ...]], Any] = {}
_lock = threading.Lock()


def register_tts(name: str, factory: Callable[..., TTSEngine]) -> None:
    """Add (or replace) a TTS engine factory under ``name``."""
    _TTS[name] = factory


def register_stt(name: str, factory: Callable[..., STTEngine]) -> None:
    """Add (or replace) an STT engine factory under ``name``."""
    _STT[name] = factory


def register_vad(name: str, factory: Callable[..., VADEngine]) -> None:
    """Add (or replace) a VAD engine factory under ``name``."""
    _VAD[name] = factory


def _get(kind: str, table: dict[str, Callable[..., Any]], name: str, options: dict[str, Any]) -> Any:
    factory = table.get(name)
    if factory is None:
        raise ValueError(f"unknown {kind} engine {name!r}; known: {', '.join(sorted(table))}")
    key = (kind, name, tuple(sorted((k, repr(v)) for k, v in options.items())))
    with _lock:  # one load per key, even when several threads ask at once
        engine = _cache.get(key)
        if engine is None:
            try:
                engine = factory(**options)
            except ImportError as exc:
                raise SpeechUnavailableError(
                    f"the {kind} engine {name!r} needs {exc.name or 'a missing package'}: {INSTALL_HINT}"
                ) from None
            _cache[key] = engine
    return engine


def get_tts(name: str = "piper", **options: Any) -> TTSEngine:
    """The TTS engine ``name`` (``"piper"`` or ``"test"``), loaded once per option set.

    Options of ``"piper"``: ``model`` (path of a voice ``.onnx`` with its ``.onnx.json`` beside it,
    default the bundled joe voice), ``sha256`` (verify that file), ``length_scale``.

    Raises:
        SpeechUnavailableError: packages or model files missing or not verified.
        ValueError: unknown engine name.
    """
    engine: TTSEngine = _get("tts", _TTS, name, options)
    return engine


def get_stt(name: str = "faster-whisper", **options: Any) -> STTEngine:
    """The STT engine ``name`` (``"faster-whisper"`` or ``"test"``), loaded once per option set.

    Options of ``"faster-whisper"``: ``model`` (a local CTranslate2 directory, default the bundled
    tiny.en; a hub model name only with ``allow_download=True``), ``cpu_threads`` (2),
    ``compute_type`` ("int8"), ``beam_size`` (1), ``language`` ("en").

    Raises:
        SpeechUnavailableError: packages or model files missing or not verified.
        ValueError: unknown engine name.
    """
    engine: STTEngine = _get("stt", _STT, name, options)
    return engine


def get_vad(name: str = "silero", **options: Any) -> VADEngine:
    """The VAD engine ``name`` (``"silero"`` or ``"test"``), loaded once per option set.

    Options of ``"silero"``: ``model`` (path of a Silero v6 ONNX file; default the copy inside
    faster-whisper, verified).

    Raises:
        SpeechUnavailableError: packages or model files missing or not verified.
        ValueError: unknown engine name.
    """
    engine: VADEngine = _get("vad", _VAD, name, options)
    return engine


def available() -> dict[str, list[str]]:
    """Registered engine names by kind (registered, not necessarily installed)."""
    return {"tts": sorted(_TTS), "stt": sorted(_STT), "vad": sorted(_VAD)}


def clear_cache() -> None:
    """Forget loaded engines (tests)."""
    with _lock:
        _cache.clear()
