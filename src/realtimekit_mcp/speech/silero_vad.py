"""Silero VAD v6 (MIT) on onnxruntime, from the ONNX file that ships inside faster-whisper."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from realtimekit_mcp.speech.protocols import INSTALL_HINT, SpeechUnavailableError, VADStream

__all__ = ["SileroVAD"]

_CONTEXT = 64  # samples of the previous window the v6 model reads before each 512-sample window


class _SileroStream:
    def __init__(self, engine: SileroVAD) -> None:
        np = engine.np
        self._engine = engine
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def probability(self, window: bytes) -> float:
        np = self._engine.np
        audio = np.frombuffer(window, dtype="<i2").astype(np.float32) / 32768.0
        if audio.size != self._engine.frame_samples:
            raise ValueError(f"Silero needs windows of {self._engine.frame_samples} samples")
        batch = np.concatenate([self._context, audio]).reshape(1, -1)
        self._context = audio[-_CONTEXT:]
        out, self._h, self._c = self._engine.session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return float(out.reshape(-1)[0])


class SileroVAD:
    """Silero v6: 512-sample windows (32 ms) at 16 kHz, ~0.2 ms each on one thread.

    Args:
        model: a Silero v6 ONNX file (inputs ``input [n, 576]``, ``h``, ``c``); default the copy
            inside faster-whisper, verified by sha256.
    """

    name = "silero"
    sample_rate = 16_000
    frame_samples = 512

    def __init__(self, model: str | Path | None = None) -> None:
        try:
            import numpy

            onnxruntime = importlib.import_module("onnxruntime")
        except ImportError as exc:
            raise SpeechUnavailableError(f"Silero VAD needs {exc.name}: {INSTALL_HINT}") from None
        if model is None:
            from realtimekit_mcp.speech.models import bundled_silero_vad

            path = bundled_silero_vad()
        else:
            path = Path(model).expanduser()
            if not path.is_file():
                raise SpeechUnavailableError(f"Silero VAD model {path} is missing")
        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        self.np: Any = numpy
        self.session: Any = onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.model_path = path

    def new_stream(self) -> VADStream:
        """Fresh LSTM state for one audio stream."""
        return _SileroStream(self)
