"""The ``"test"`` engines: deterministic, model-free, exact.

:class:`ToneTTS` encodes each character of a sentence as a short tone (one frequency per symbol,
100 Hz apart, with a silent gap between symbols); :class:`ToneSTT` decodes such audio back into the
same text; :class:`EnergyVAD` calls any loud window speech. Together they make the bot's
speak -> WebRTC -> listen path testable without models: the tones survive Opus.
Text is normalised to lower case and the symbols of :data:`ALPHABET`; other characters are dropped.
"""

from __future__ import annotations

import math
from typing import Any

from realtimekit_mcp.speech.protocols import Transcription, VADStream

__all__ = ["ALPHABET", "EnergyVAD", "ToneSTT", "ToneTTS", "normalise"]

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .,?'-!"
"""Symbols the test engines carry; symbol ``i`` is a tone of ``500 + 100 * i`` Hz."""

_BASE_HZ = 500
_STEP_HZ = 100
_TONE_S = 0.05
_GAP_S = 0.03


def normalise(text: str) -> str:
    """``text`` as the test engines carry it: lower case, known symbols only, spaces collapsed."""
    kept = "".join(c for c in text.lower() if c in ALPHABET)
    return " ".join(kept.split())


def _numpy() -> Any:
    import numpy as np

    return np


class ToneTTS:
    """Text -> tones (deterministic). ``sample_rate`` must be a multiple of 100."""

    name = "test"

    def __init__(self, sample_rate: int = 48_000, amplitude: float = 0.3) -> None:
        if sample_rate % 100:
            raise ValueError("sample_rate must be a multiple of 100")
        self._np = _numpy()
        self.sample_rate = sample_rate
        self.amplitude = amplitude
        np = self._np
        n = int(_TONE_S * sample_rate)
        ramp = max(1, int(0.003 * sample_rate))
        envelope = np.ones(n)
        envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
        envelope[-ramp:] = np.linspace(1.0, 0.0, ramp)
        t = np.arange(n) / sample_rate
        gap = np.zeros(int(_GAP_S * sample_rate), dtype="<i2").tobytes()
        self._symbols = {
            c: (
                np.round(
                    amplitude * 32767 * envelope * np.sin(2 * math.pi * (_BASE_HZ + _STEP_HZ * i) * t)
                ).astype("<i2")
            ).tobytes()
            + gap
            for i, c in enumerate(ALPHABET)
        }

    def synthesize(self, text: str) -> bytes:
        """Tones for ``normalise(text)``, then one gap of silence."""
        return b"".join(self._symbols[c] for c in normalise(text))


class ToneSTT:
    """Tones -> text: the exact inverse of :class:`ToneTTS` (also after Opus and resampling)."""

    name = "test"
    max_concurrency = 2

    def __init__(self, sample_rate: int = 48_000, min_rms: float = 600.0) -> None:
        if sample_rate % 100:
            raise ValueError("sample_rate must be a multiple of 100")
        self._np = _numpy()
        self.sample_rate = sample_rate
        self.min_rms = min_rms

    def transcribe(self, pcm: bytes) -> Transcription:
        """Decode 10 ms blocks to symbols; runs of two or more equal blocks make one symbol."""
        np = self._np
        block = self.sample_rate // 100  # 10 ms: FFT bins exactly 100 Hz apart
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
        count = len(samples) // block
        if count == 0:
            return Transcription("", language="test")
        blocks = samples[: count * block].reshape(count, block)
        rms = np.sqrt(np.mean(blocks**2, axis=1))
        spectrum = np.abs(np.fft.rfft(blocks * np.hanning(block), axis=1))
        first = _BASE_HZ // _STEP_HZ
        bins = spectrum[:, first : first + len(ALPHABET)]
        best = np.argmax(bins, axis=1)
        out: list[str] = []
        previous, run = -1, 0
        for i in range(count):
            symbol = int(best[i]) if rms[i] >= self.min_rms else -1
            if symbol == previous:
                run += 1
            else:
                previous, run = symbol, 1
            if run == 2 and symbol >= 0:
                out.append(ALPHABET[symbol])
        return Transcription(normalise("".join(out)), language="test", confidence=1.0)


class _EnergyStream:
    def __init__(self, threshold: float) -> None:
        self._threshold = threshold
        self._np = _numpy()

    def probability(self, window: bytes) -> float:
        samples = self._np.frombuffer(window, dtype="<i2").astype(self._np.float64)
        if samples.size == 0:
            return 0.0
        return 1.0 if float(self._np.sqrt(self._np.mean(samples**2))) >= self._threshold else 0.0


class EnergyVAD:
    """Speech = RMS above ``threshold`` (s16 units) in a 10 ms window."""

    name = "test"

    def __init__(self, sample_rate: int = 48_000, threshold: float = 500.0) -> None:
        self.sample_rate = sample_rate
        self.frame_samples = sample_rate // 100
        self.threshold = threshold

    def new_stream(self) -> VADStream:
        """A fresh stream (stateless)."""
        return _EnergyStream(self.threshold)
