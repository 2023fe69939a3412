"""Audio plumbing for speech: resampling (once, with av's swresample) and sentence splitting.

PCM here is always s16le mono. :func:`resample` converts a whole clip; :class:`StreamResampler`
converts a stream chunk by chunk (state kept, so there are no clicks at chunk borders).
"""

from __future__ import annotations

import re
from typing import Any

from realtimekit_mcp.speech.protocols import INSTALL_HINT, SpeechUnavailableError

__all__ = ["StreamResampler", "resample", "split_sentences"]

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[.!?;][\"')\]])\s+|\n+")
_MAX_SENTENCE_CHARS = 240


def split_sentences(text: str, *, first_max: int | None = None) -> list[str]:
    """Split text into sentences to synthesise one by one (long ones are cut at commas or spaces).

    ``first_max``: when the first sentence is longer, it is cut at its first comma (or semicolon,
    colon, dash) that leaves at least 12 characters before it, so the first audio is ready sooner.

    >>> split_sentences("Hello there. How are you?  Fine!")
    ['Hello there.', 'How are you?', 'Fine!']
    >>> split_sentences("Well, as I said before, we are late.", first_max=20)
    ['Well, as I said before,', 'we are late.']
    """
    out = _split(text)
    if first_max is not None and out and len(out[0]) > first_max:
        first = out[0]
        cut = min((i for i in (first.find(m, 12) for m in (", ", "; ", ": ", " - ")) if i > 0), default=-1)
        if 0 < cut < len(first) - 12:
            out[0:1] = [first[: cut + 1].strip(), first[cut + 1 :].strip()]
    return out


def _split(text: str) -> list[str]:
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        sentence = " ".join(piece.split())
        while len(sentence) > _MAX_SENTENCE_CHARS:
            cut = sentence.rfind(", ", 0, _MAX_SENTENCE_CHARS)
            if cut <= 0:
                cut = sentence.rfind(" ", 0, _MAX_SENTENCE_CHARS)
            if cut <= 0:
                cut = _MAX_SENTENCE_CHARS
            out.append(sentence[: cut + 1].strip())
            sentence = sentence[cut + 1 :].strip()
        if sentence:
            out.append(sentence)
    return out


def _modules() -> tuple[Any, Any]:
    try:
        import av
        import numpy as np
    except ImportError as exc:
        raise SpeechUnavailableError(f"resampling needs {exc.name}: {INSTALL_HINT}") from None
    return av, np


class StreamResampler:
    """Resamples a stream of s16le mono PCM chunk by chunk (av's swresample, state kept)."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._resampler: Any = None
        self._pts = 0
        if from_rate != to_rate:
            av, _ = _modules()
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)

    def _frames(self, frames: list[Any]) -> bytes:
        return b"".join(bytes(f.planes[0])[: f.samples * 2] for f in frames)

    def process(self, pcm: bytes) -> bytes:
        """Resample the next chunk (the output may lag the input by a few milliseconds)."""
        if self._resampler is None or not pcm:
            return pcm
        av, np = _modules()
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = self.from_rate
        frame.pts = self._pts
        self._pts += samples.shape[1]
        return self._frames(self._resampler.resample(frame))

    def flush(self) -> bytes:
        """The samples still held by the resampler."""
        if self._resampler is None:
            return b""
        return self._frames(self._resampler.resample(None))


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole clip of s16le mono PCM."""
    if from_rate == to_rate or not pcm:
        return pcm
    stream = StreamResampler(from_rate, to_rate)
    return stream.process(pcm) + stream.flush()
