"""Media in and out of the bot: PCM audio tracks, tones, files, still-image/video tracks, receive buffers.

Audio inside the bot is always **PCM s16le, mono, 48 kHz**, cut in 20 ms frames (960 samples,
1,920 bytes). Outgoing audio is a :class:`PcmAudioTrack` that plays whatever is queued on it and
silence otherwise, paced in real time. Incoming audio is converted by :class:`AudioReceiver` into a
bounded :class:`AudioBuffer` per remote participant.

Pure helpers (tone synthesis, Goertzel analysis) need no aiortc and no numpy; resampling is av's
(swresample), as in :mod:`realtimekit_mcp.speech.audio`.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fractions
import logging
import math
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

__all__ = [
    "FRAME_BYTES",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AudioBuffer",
    "AudioReceiver",
    "AudioSource",
    "PcmAudioTrack",
    "StillImageTrack",
    "ToneGenerator",
    "VideoFileTrack",
    "color_bars",
    "decode_audio_file",
    "goertzel_power",
    "load_image",
    "pcm_samples",
    "peak_frequency",
    "tone_pcm",
]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960
"""Samples in one 20 ms frame at 48 kHz."""
FRAME_BYTES = FRAME_SAMPLES * 2
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)
_VIDEO_CLOCK = 90_000

# ----------------------------------------------------------------------------- pure helpers


def pcm_samples(pcm: bytes) -> array.array[int]:
    """The samples of s16le PCM as an ``array('h')``."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    return samples


def _to_bytes(samples: array.array[int]) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def tone_pcm(
    frequency: float,
    seconds: float,
    *,
    amplitude: float = 0.5,
    sample_rate: int = SAMPLE_RATE,
    phase: float = 0.0,
) -> bytes:
    """A sine tone as s16le mono PCM."""
    count = int(seconds * sample_rate)
    scale = max(0.0, min(1.0, amplitude)) * 32767
    step = 2 * math.pi * frequency / sample_rate
    return _to_bytes(array.array("h", (int(scale * math.sin(phase + step * i)) for i in range(count))))


def goertzel_power(samples: Sequence[int], frequency: float, sample_rate: int = SAMPLE_RATE) -> float:
    """The power of ``frequency`` in ``samples`` (Goertzel algorithm)."""
    coeff = 2 * math.cos(2 * math.pi * frequency / sample_rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2 = s1
        s1 = s0
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def peak_frequency(
    pcm: bytes, *, low: float = 50.0, high: float = 2000.0, step: float = 1.0, sample_rate: int = SAMPLE_RATE
) -> float:
    """The strongest frequency of s16le mono PCM between ``low`` and ``high``.

    A coarse scan (10 x ``step``) followed by a fine scan around the best coarse bin.
    """
    samples = pcm_samples(pcm)
    if not samples:
        raise ValueError("no samples")

    def best(lo: float, hi: float, st: float) -> float:
        top, top_power = lo, -1.0
        f = lo
        while f <= hi:
            power = goertzel_power(samples, f, sample_rate)
            if power > top_power:
                top, top_power = f, power
            f += st
        return top

    coarse = best(low, high, step * 10)
    return best(max(low, coarse - step * 10), min(high, coarse + step * 10), step)


class ToneGenerator:
    """A continuous sine source: each call returns the next ``n`` samples as PCM (phase kept).

    For a whole-number frequency one second holds whole cycles, so that second is computed once
    and looped; other frequencies are computed frame by frame.
    """

    def __init__(self, frequency: float, amplitude: float = 0.5) -> None:
        self.frequency = frequency
        self.amplitude = amplitude
        self._phase = 0.0
        self._loop = tone_pcm(frequency, 1.0, amplitude=amplitude) if float(frequency).is_integer() else None
        self._pos = 0

    def __call__(self, samples: int) -> bytes:
        if self._loop is not None:
            n = samples * 2
            out = self._loop[self._pos : self._pos + n]
            while len(out) < n:
                out += self._loop[: n - len(out)]
            self._pos = (self._pos + n) % len(self._loop)
            return out
        pcm = tone_pcm(self.frequency, samples / SAMPLE_RATE, amplitude=self.amplitude, phase=self._phase)
        self._phase = (self._phase + 2 * math.pi * self.frequency * samples / SAMPLE_RATE) % (2 * math.pi)
        return pcm


# ----------------------------------------------------------------------------- files


def _decode_with_av(path: Path) -> bytes:
    chunks: list[bytes] = []
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise ValueError(f"{path.name}: no audio stream")
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(bytes(out.planes[0])[: out.samples * 2])
        for out in resampler.resample(None):
            chunks.append(bytes(out.planes[0])[: out.samples * 2])
    return b"".join(chunks)


def decode_audio_file(path: str | Path) -> bytes:
    """Decode an audio file (WAV, OGG, MP3, ...) to s16le mono 48 kHz PCM with av (swresample).

    Raises:
        ValueError: the file is not decodable audio.
        OSError: the file cannot be read.
    """
    p = Path(path)
    try:
        return _decode_with_av(p)
    except av.error.FFmpegError as exc:
        raise ValueError(f"{p.name}: cannot decode audio ({type(exc).__name__})") from None


# ----------------------------------------------------------------------------- outgoing audio


@dataclass(slots=True)
class _Pending:
    end: int
    future: asyncio.Future[None]


class AudioSource:
    """Outgoing PCM (s16le mono 48 kHz): a bounded queue, then the generator ``source``, then silence.

    One source outlives the tracks that read it (a reconnect makes a new peer connection and a new
    :class:`PcmAudioTrack` over the same source). :meth:`enqueue` returns a future resolved when the
    last queued sample has been sent; ``max_buffer_seconds`` bounds the queue (:class:`BufferError`).
    """

    def __init__(
        self, *, generator: Callable[[int], bytes] | None = None, max_buffer_seconds: float = 600.0
    ) -> None:
        self.generator = generator
        self.max_buffer_bytes = int(max_buffer_seconds * SAMPLE_RATE) * 2
        self.paused = False
        self._buffer = bytearray()
        self._sent = 0
        self._queued_total = 0
        self._pending: list[_Pending] = []
        self.frames_sent = 0

    @property
    def buffered_seconds(self) -> float:
        """Seconds of queued audio not yet sent."""
        return len(self._buffer) / 2 / SAMPLE_RATE

    def enqueue(self, pcm: bytes) -> asyncio.Future[None]:
        """Queue PCM for playback; the future resolves when it has been sent (cancelled by :meth:`clear`)."""
        if len(self._buffer) + len(pcm) > self.max_buffer_bytes:
            raise BufferError(
                f"audio queue is full ({self.buffered_seconds:.1f} s queued, limit "
                f"{self.max_buffer_bytes / 2 / SAMPLE_RATE:.0f} s)"
            )
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        self._buffer.extend(pcm)
        self._queued_total += len(pcm)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(self._queued_total, future))
        if not pcm:
            self._settle()
        return future

    def clear(self) -> None:
        """Drop queued audio and cancel the futures of what was not played."""
        self._sent += len(self._buffer)
        self._buffer.clear()
        pending, self._pending = self._pending, []
        for item in pending:
            if not item.future.done():
                item.future.cancel()

    def _settle(self) -> None:
        while self._pending and self._pending[0].end <= self._sent:
            item = self._pending.pop(0)
            if not item.future.done():
                item.future.set_result(None)

    def next_frame(self) -> bytes:
        """The next 20 ms of PCM (queued audio first, then the generator, else silence)."""
        self.frames_sent += 1
        if self._buffer:
            chunk = bytes(self._buffer[:FRAME_BYTES])
            del self._buffer[:FRAME_BYTES]
            self._sent += len(chunk)
            self._settle()
            chunk = chunk.ljust(FRAME_BYTES, b"\0")
        elif self.generator is not None:
            chunk = self.generator(FRAME_SAMPLES)[:FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
        else:
            chunk = bytes(FRAME_BYTES)
        return bytes(FRAME_BYTES) if self.paused else chunk


class PcmAudioTrack(MediaStreamTrack):
    """An outgoing audio track reading 20 ms frames from an :class:`AudioSource`, paced in real time."""

    kind = "audio"

    def __init__(self, source: AudioSource) -> None:
        super().__init__()
        self.source = source
        self._start: float | None = None
        self._timestamp = 0

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms frame."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
            self._timestamp = 0
        else:
            self._timestamp += FRAME_SAMPLES
            due = self._start + self._timestamp / SAMPLE_RATE
            if due - now < -0.5:  # fell far behind (event loop stall): resynchronise
                self._start = now - self._timestamp / SAMPLE_RATE
            elif due > now:
                await asyncio.sleep(due - now)
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(self.source.next_frame())
        frame.pts = self._timestamp
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = _TIME_BASE
        return frame


# ----------------------------------------------------------------------------- outgoing video


def color_bars(width: int = 320, height: int = 240) -> av.VideoFrame:
    """A generated colour-bar frame (yuv420p)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    bars = [(235, 128, 128), (210, 16, 146), (170, 166, 16), (145, 54, 34), (106, 202, 222), (81, 90, 240)]
    y_plane, u_plane, v_plane = frame.planes
    bar_w = max(1, width // len(bars))
    y_row = bytes(bars[min(x // bar_w, len(bars) - 1)][0] for x in range(y_plane.line_size))
    u_row = bytes(bars[min(2 * x // bar_w, len(bars) - 1)][1] for x in range(u_plane.line_size))
    v_row = bytes(bars[min(2 * x // bar_w, len(bars) - 1)][2] for x in range(v_plane.line_size))
    y_plane.update(y_row * y_plane.height)
    u_plane.update(u_row * u_plane.height)
    v_plane.update(v_row * v_plane.height)
    return frame


def load_image(path: str | Path, *, max_width: int = 1280) -> av.VideoFrame:
    """Decode an image file (PNG, JPEG, ...) into a yuv420p frame, scaled down to ``max_width``.

    Raises:
        ValueError: the file is not a decodable image.
    """
    p = Path(path)
    try:
        with av.open(str(p)) as container:
            frame = next(container.decode(video=0))
    except (av.error.FFmpegError, StopIteration) as exc:
        raise ValueError(f"{p.name}: cannot decode image ({type(exc).__name__})") from None
    width, height = frame.width, frame.height
    if width > max_width:
        height = int(height * max_width / width)
        width = max_width
    return frame.reformat(width=width - width % 2, height=height - height % 2, format="yuv420p")


def _copy_frame(image: av.VideoFrame) -> av.VideoFrame:
    """A new yuv420p frame with the pixels of ``image`` (frames are mutable; each send needs its own)."""
    source = image if image.format.name == "yuv420p" else image.reformat(format="yuv420p")
    frame = av.VideoFrame(source.width, source.height, "yuv420p")
    for dst, src in zip(frame.planes, source.planes, strict=True):
        dst.update(bytes(src))
    return frame


class _PacedVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, fps: float) -> None:
        super().__init__()
        self.fps = max(0.5, fps)
        self._start: float | None = None
        self._count = 0

    async def _pace(self) -> int:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        else:
            self._count += 1
            due = self._start + self._count / self.fps
            if due > now:
                await asyncio.sleep(due - now)
        return int(self._count * _VIDEO_CLOCK / self.fps)


class StillImageTrack(_PacedVideoTrack):
    """Sends one image again and again at a low frame rate (VP8 through aiortc, single layer)."""

    def __init__(self, image: av.VideoFrame, fps: float = 2.0) -> None:
        super().__init__(fps)
        self.image = image

    async def recv(self) -> av.VideoFrame:
        """The image again, with the next timestamp."""
        pts = await self._pace()
        frame = _copy_frame(self.image)
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, _VIDEO_CLOCK)
        return frame


class VideoFileTrack(_PacedVideoTrack):
    """Plays a video file's frames (looping by default) at ``fps``, decoded with av."""

    def __init__(
        self, path: str | Path, *, fps: float = 15.0, loop: bool = True, max_width: int = 640
    ) -> None:
        super().__init__(fps)
        self.path = Path(path)
        self.loop = loop
        self.max_width = max_width
        self._container: av.container.InputContainer | None = None
        self._frames: object = None
        with av.open(str(self.path)) as probe:  # fail early on an undecodable file
            if not probe.streams.video:
                raise ValueError(f"{self.path.name}: no video stream")

    def _next_decoded(self) -> av.VideoFrame | None:
        for _ in range(2):
            if self._container is None:
                self._container = av.open(str(self.path))
                self._frames = self._container.decode(video=0)
            try:
                return next(self._frames)  # type: ignore[call-overload, no-any-return]
            except StopIteration:
                self._container.close()
                self._container = None
                if not self.loop:
                    return None
        return None

    async def recv(self) -> av.VideoFrame:
        """The next frame of the file."""
        pts = await self._pace()
        decoded = self._next_decoded()
        if decoded is None:
            self.stop()
            raise MediaStreamError
        width, height = decoded.width, decoded.height
        if width > self.max_width:
            height = int(height * self.max_width / width)
            width = self.max_width
        frame = decoded.reformat(width=width - width % 2, height=height - height % 2, format="yuv420p")
        frame.pts = pts
        frame.time_base = fractions.Fraction(1, _VIDEO_CLOCK)
        return frame

    def stop(self) -> None:
        """End the track and close the file."""
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
            self._container = None
        super().stop()


# ----------------------------------------------------------------------------- incoming audio


class AudioBuffer:
    """Received PCM (s16le mono 48 kHz) of one remote participant, bounded to ``max_bytes``.

    Stored as a deque of frames, so appending and trimming cost O(frame) however full it is.
    When full, the oldest audio is dropped and counted in ``dropped_bytes``.
    """

    def __init__(self, peer_id: str, name: str, max_bytes: int) -> None:
        self.peer_id = peer_id
        self.name = name
        self.max_bytes = max_bytes - max_bytes % 2
        self.size = 0
        self.received_bytes = 0
        self.dropped_bytes = 0
        self.frames = 0
        self.last_frame_at: float | None = None
        self._chunks: deque[bytes] = deque()
        self._tick = asyncio.Event()
        self.taps: list[Callable[[bytes], None]] = []
        """Called with every appended chunk (the bot's transcription listens here); must be cheap."""

    def __repr__(self) -> str:
        return f"AudioBuffer(peer_id={self.peer_id!r}, name={self.name!r}, seconds={self.seconds:.2f})"

    def append(self, pcm: bytes) -> None:
        """Add PCM, dropping the oldest bytes beyond the bound."""
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        self._chunks.append(pcm)
        self.size += len(pcm)
        self.received_bytes += len(pcm)
        self.frames += 1
        self.last_frame_at = time.monotonic()
        self._drop(self.size - self.max_bytes)
        for tap in self.taps:
            try:
                tap(pcm)
            except Exception:  # a listener must never break the media path
                logger.exception("audio tap of %s failed", self.peer_id)
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    def _drop(self, excess: int) -> None:
        while excess > 0 and self._chunks:
            head = self._chunks[0]
            if len(head) <= excess:
                self._chunks.popleft()
                cut = len(head)
            else:
                self._chunks[0] = head[excess:]
                cut = excess
            self.size -= cut
            self.dropped_bytes += cut
            excess -= cut

    async def wait_until(self, predicate: Callable[[AudioBuffer], bool]) -> None:
        """Wait until ``predicate(self)`` holds, checking after every appended frame (bound it with a timeout)."""
        while not predicate(self):
            await self._tick.wait()

    @property
    def data(self) -> bytes:
        """A copy of all buffered PCM, oldest first."""
        return b"".join(self._chunks)

    def take(self, max_bytes: int | None = None) -> bytes:
        """Remove and return up to ``max_bytes`` of the oldest buffered PCM (all by default)."""
        want = self.size if max_bytes is None else min(self.size, max_bytes - max_bytes % 2)
        parts: list[bytes] = []
        got = 0
        while got < want and self._chunks:
            head = self._chunks.popleft()
            if got + len(head) > want:
                keep = want - got
                self._chunks.appendleft(head[keep:])
                head = head[:keep]
            parts.append(head)
            got += len(head)
        self.size -= got
        return b"".join(parts)

    def peek_last(self, n_bytes: int) -> bytes:
        """The newest ``n_bytes`` of buffered PCM, left in place."""
        parts: list[bytes] = []
        got = 0
        for chunk in reversed(self._chunks):
            if got >= n_bytes:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(reversed(parts))[-n_bytes:] if n_bytes > 0 else b""

    @property
    def seconds(self) -> float:
        """Seconds of audio buffered."""
        return self.size / 2 / SAMPLE_RATE


class AudioReceiver:
    """Reads a remote audio track into an :class:`AudioBuffer` (converted to mono s16 48 kHz)."""

    def __init__(self, track: MediaStreamTrack, buffer: AudioBuffer) -> None:
        self.track = track
        self.buffer = buffer
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        self.task: asyncio.Task[None] = asyncio.create_task(
            self._run(), name=f"rtk-audio-in-{buffer.peer_id}"
        )

    async def _run(self) -> None:
        while True:
            try:
                frame = await self.track.recv()
            except MediaStreamError:
                return
            for out in self._resampler.resample(frame):  # type: ignore[arg-type]
                self.buffer.append(bytes(out.planes[0])[: out.samples * 2])

    async def stop(self) -> None:
        """Stop reading (the buffer keeps what it has)."""
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task
