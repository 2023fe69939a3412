"""faster-whisper STT (MIT) with the bundled whisper tiny.en weights (CTranslate2 int8, MIT)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from realtimekit_mcp.speech.protocols import INSTALL_HINT, SpeechUnavailableError, Transcription

__all__ = ["FasterWhisperSTT"]


class FasterWhisperSTT:
    """Whisper via CTranslate2 on the CPU, one utterance per call (greedy decoding by default).

    Args:
        model: a local CTranslate2 model directory (default: the bundled tiny.en, verified by sha256).
            A model *name* (``"base.en"``) is accepted only with ``allow_download=True``, because it
            is fetched from the Hugging Face hub; the default never touches the network.
        allow_download: permit a hub model name.
        cpu_threads: CTranslate2 threads per call.
        compute_type: CTranslate2 compute type (``"int8"``).
        beam_size: 1 = greedy (fast); 5 = more accurate, slower.
        language: the spoken language (None: detect).
    """

    name = "faster-whisper"
    sample_rate = 16_000
    max_concurrency = 1

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        allow_download: bool = False,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        language: str | None = "en",
    ) -> None:
        try:
            import numpy

            WhisperModel = importlib.import_module("faster_whisper").WhisperModel
        except ImportError as exc:
            raise SpeechUnavailableError(f"faster-whisper STT needs {exc.name}: {INSTALL_HINT}") from None
        self._np: Any = numpy
        source = self._resolve(model, allow_download)
        try:
            self._model: Any = WhisperModel(
                source,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                local_files_only=not allow_download,
            )
        except Exception as exc:
            raise SpeechUnavailableError(f"cannot load the whisper model {source}: {exc}") from None
        self.model = source
        self.beam_size = beam_size
        self.language = language

    @staticmethod
    def _resolve(model: str | Path | None, allow_download: bool) -> str:
        if model is None:
            from realtimekit_mcp.speech.models import bundled_whisper_tiny_en

            return str(bundled_whisper_tiny_en())
        path = Path(model).expanduser()
        if path.is_dir():
            if not (path / "model.bin").is_file():
                raise SpeechUnavailableError(f"{path} is not a CTranslate2 whisper model (no model.bin)")
            return str(path)
        if allow_download:
            return str(model)
        raise SpeechUnavailableError(
            f"whisper model {str(model)!r} is not a local directory; give a directory, or allow "
            "downloads explicitly (allow_download=True) to fetch a named model from the hub"
        )

    def transcribe(self, pcm: bytes) -> Transcription:
        """Transcribe 16 kHz s16le mono PCM (one utterance, <= 30 s for one decoding window)."""
        np = self._np
        audio = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0
        if audio.size < self.sample_rate // 10:
            return Transcription("", language=self.language)
        segments, info = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=self.beam_size,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        parts = [s.text.strip() for s in segments]
        probability = getattr(info, "language_probability", None)
        return Transcription(
            " ".join(p for p in parts if p),
            language=getattr(info, "language", self.language),
            confidence=float(probability) if probability is not None else None,
        )
