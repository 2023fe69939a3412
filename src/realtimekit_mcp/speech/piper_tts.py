"""Piper TTS (piper-tts, GPL-3.0-or-later, an optional dependency) with the bundled CC0 joe voice."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Any

from realtimekit_mcp.speech.models import bundled_piper_voice, sha256_file
from realtimekit_mcp.speech.protocols import INSTALL_HINT, SpeechUnavailableError

__all__ = ["PiperTTS"]


class PiperTTS:
    """Piper voice synthesis on the CPU (onnxruntime).

    Args:
        model: a voice ``.onnx`` (its ``.onnx.json`` beside it) or a directory holding one; default
            the bundled ``en_US-joe-medium`` voice, verified by sha256.
        sha256: the expected sha256 of a ``model`` of your own (verified before loading).
        length_scale: speaking rate (< 1 faster).
        threads: onnxruntime intra-op threads (default 1: steadier latency on a busy 2-core box,
            and a core stays free for the media; None: onnxruntime's default, all cores).
        warm_up: synthesise one short phrase at load, so the first real sentence is not cold.
    """

    name = "piper"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        sha256: str | None = None,
        length_scale: float | None = None,
        threads: int | None = 1,
        warm_up: bool = True,
    ) -> None:
        try:
            onnxruntime = importlib.import_module("onnxruntime")
            PiperVoice = importlib.import_module("piper").PiperVoice
            SynthesisConfig = importlib.import_module("piper.config").SynthesisConfig
        except ImportError as exc:
            raise SpeechUnavailableError(f"piper TTS needs {exc.name}: {INSTALL_HINT}") from None
        path = self._resolve(model, sha256)
        try:
            voice = PiperVoice.load(str(path))
        except Exception as exc:
            raise SpeechUnavailableError(f"cannot load the piper voice {path.name}: {exc}") from None
        if threads is not None:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            voice.session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        self.model_path = path
        self._voice: Any = voice
        self._config: Any = SynthesisConfig(length_scale=length_scale)
        self.sample_rate: int = int(voice.config.sample_rate)
        self._lock = threading.Lock()  # one synthesis at a time per voice (espeak phonemizer state)
        if warm_up:
            self.synthesize("Ready.")

    @staticmethod
    def _resolve(model: str | Path | None, sha256: str | None) -> Path:
        if model is None:
            return bundled_piper_voice()
        path = Path(model).expanduser()
        if path.is_dir():
            found = sorted(path.glob("*.onnx"))
            if len(found) != 1:
                raise SpeechUnavailableError(f"{path} must hold exactly one .onnx voice (found {len(found)})")
            path = found[0]
        if not path.is_file() or not Path(f"{path}.json").is_file():
            raise SpeechUnavailableError(f"piper voice {path} or its {path.name}.json is missing")
        if sha256 is not None and sha256_file(path) != sha256.lower():
            raise SpeechUnavailableError(f"piper voice {path} does not match the given sha256")
        return path

    def synthesize(self, text: str) -> bytes:
        """PCM s16le mono at :attr:`sample_rate` (piper may split ``text`` further; chunks are joined)."""
        if not text.strip():
            return b""
        with self._lock:
            chunks = list(self._voice.synthesize(text, syn_config=self._config))
        return b"".join(chunk.audio_int16_bytes for chunk in chunks)
