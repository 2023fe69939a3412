"""PCM helpers, outgoing sources and tracks, files, and receive buffers (no network)."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Any

import anyio
import av
import pytest

from realtimekit_mcp.bot.tracks import (
    FRAME_BYTES,
    FRAME_SAMPLES,
    SAMPLE_RATE,
    AudioBuffer,
    AudioSource,
    PcmAudioTrack,
    StillImageTrack,
    ToneGenerator,
    VideoFileTrack,
    color_bars,
    decode_audio_file,
    load_image,
    pcm_samples,
    peak_frequency,
    tone_pcm,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("frequency", [220.0, 440.0, 1000.0])
def test_the_goertzel_peak_finds_a_generated_tone(frequency: float) -> None:
    pcm = tone_pcm(frequency, 0.25)
    assert len(pcm) == 0.25 * SAMPLE_RATE * 2
    assert abs(peak_frequency(pcm, low=100, high=2000) - frequency) <= 2


@pytest.mark.parametrize("frequency", [440.0, 437.5])
def test_a_tone_generator_is_phase_continuous_across_frames_and_seconds(frequency: float) -> None:
    gen = ToneGenerator(frequency)
    joined = pcm_samples(b"".join(gen(FRAME_SAMPLES) for _ in range(60)))  # 1.2 s: wraps the looped second
    straight = pcm_samples(tone_pcm(frequency, 1.2))
    assert len(joined) == len(straight)
    assert max(abs(a - b) for a, b in zip(joined, straight, strict=True)) <= 2


async def test_queued_audio_plays_in_order_and_resolves_its_future_when_sent() -> None:
    source = AudioSource(max_buffer_seconds=1.0)
    first = source.enqueue(b"\x01\x00" * (FRAME_SAMPLES + 10))  # a frame and a bit
    second = source.enqueue(b"\x02\x00" * 10)
    assert source.next_frame() == b"\x01\x00" * FRAME_SAMPLES and not first.done()
    frame = source.next_frame()
    assert (
        frame[:20] == b"\x01\x00" * 10
        and frame[20:40] == b"\x02\x00" * 10
        and frame[40:] == bytes(FRAME_BYTES - 40)
    )
    assert first.done() and second.done()
    assert source.next_frame() == bytes(FRAME_BYTES)  # silence when idle


async def test_the_outgoing_queue_is_bounded_clearable_and_mutable() -> None:
    source = AudioSource(max_buffer_seconds=0.1, generator=ToneGenerator(440.0))
    with pytest.raises(BufferError, match="full"):
        source.enqueue(bytes(int(0.2 * SAMPLE_RATE) * 2))
    pending = source.enqueue(bytes(FRAME_BYTES * 2))
    source.clear()
    assert pending.cancelled() and source.buffered_seconds == 0
    assert source.next_frame() != bytes(FRAME_BYTES)  # the generator fills idle time
    source.paused = True
    assert source.next_frame() == bytes(FRAME_BYTES)


async def test_the_pcm_track_gives_20_ms_frames_with_advancing_timestamps() -> None:
    track = PcmAudioTrack(AudioSource(generator=ToneGenerator(440.0)))
    with anyio.fail_after(2):
        frames = [await track.recv() for _ in range(3)]
    assert [f.samples for f in frames] == [FRAME_SAMPLES] * 3
    assert [f.pts for f in frames] == [0, FRAME_SAMPLES, 2 * FRAME_SAMPLES]
    assert frames[0].sample_rate == SAMPLE_RATE and frames[0].layout.name == "mono"
    track.stop()


def test_the_receive_buffer_drops_the_oldest_audio_beyond_its_bound() -> None:
    buffer = AudioBuffer(peer_id="p", name="n", max_bytes=FRAME_BYTES * 2)
    for i in range(3):
        buffer.append(bytes([i]) * FRAME_BYTES)
    assert buffer.dropped_bytes == FRAME_BYTES and buffer.frames == 3
    assert buffer.take(FRAME_BYTES) == b"\x01" * FRAME_BYTES
    assert buffer.peek_last(4) == b"\x02" * 4 and buffer.seconds == FRAME_SAMPLES / SAMPLE_RATE


async def test_waiting_on_a_receive_buffer_wakes_on_each_frame() -> None:
    buffer = AudioBuffer(peer_id="p", name="n", max_bytes=10**6)

    async def feed() -> None:
        for _ in range(5):
            await asyncio.sleep(0)
            buffer.append(bytes(FRAME_BYTES))

    with anyio.fail_after(2):
        task = asyncio.create_task(feed())
        await buffer.wait_until(lambda b: b.frames >= 5)
        await task


def _write_wav(path: Path, pcm: bytes, rate: int, channels: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def test_a_16_khz_stereo_wav_decodes_to_48_khz_mono(tmp_path: Path) -> None:
    mono = pcm_samples(tone_pcm(440.0, 0.5, sample_rate=16_000))
    stereo = bytearray()
    for s in mono:
        stereo += int(s).to_bytes(2, "little", signed=True) * 2
    path = tmp_path / "tone.wav"
    _write_wav(path, bytes(stereo), 16_000, 2)
    pcm = decode_audio_file(path)
    assert abs(len(pcm) / 2 / SAMPLE_RATE - 0.5) < 0.01
    assert abs(peak_frequency(pcm, low=100, high=2000) - 440.0) <= 2


@pytest.mark.parametrize(("suffix", "codec"), [(".mp3", "mp3"), (".ogg", "libopus")])
def test_compressed_audio_files_decode_with_av(tmp_path: Path, suffix: str, codec: str) -> None:
    path = tmp_path / f"tone{suffix}"
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(codec, rate=SAMPLE_RATE)
        stream.layout = "mono"
        pcm = tone_pcm(440.0, 1.0)
        for i in range(0, len(pcm), FRAME_BYTES):
            frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
            frame.planes[0].update(pcm[i : i + FRAME_BYTES].ljust(FRAME_BYTES, b"\0"))
            frame.sample_rate = SAMPLE_RATE
            frame.pts = i // 2
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    decoded = decode_audio_file(path)
    assert 0.9 < len(decoded) / 2 / SAMPLE_RATE < 1.2
    assert (
        abs(
            peak_frequency(decoded[SAMPLE_RATE // 2 : SAMPLE_RATE + SAMPLE_RATE // 2], low=100, high=2000)
            - 440
        )
        <= 3
    )


def test_a_file_that_is_not_audio_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("not audio")
    with pytest.raises(ValueError, match="cannot decode audio"):
        decode_audio_file(path)


async def test_a_still_image_becomes_a_low_rate_video_track(tmp_path: Path) -> None:
    path = tmp_path / "card.png"
    with av.open(str(path), "w", format="image2") as container:
        png: Any = container.add_stream("png")
        png.width, png.height, png.pix_fmt = 64, 48, "rgb24"
        for packet in png.encode(color_bars(64, 48).reformat(format="rgb24")):
            container.mux(packet)
    image = load_image(path)
    assert (image.width, image.height, image.format.name) == (64, 48, "yuv420p")
    track = StillImageTrack(image, fps=50)
    with anyio.fail_after(2):
        frames = [await track.recv() for _ in range(2)]
    assert (frames[1].pts or 0) > (frames[0].pts or 0)
    track.stop()


async def test_a_video_file_plays_and_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.webm"
    with av.open(str(path), "w") as container:
        vp8: Any = container.add_stream("libvpx", rate=10)
        vp8.width, vp8.height, vp8.pix_fmt = 64, 48, "yuv420p"
        for i in range(3):
            frame = color_bars(64, 48)
            frame.pts = i
            for packet in vp8.encode(frame):
                container.mux(packet)
        for packet in vp8.encode(None):
            container.mux(packet)
    track = VideoFileTrack(path, fps=100)
    with anyio.fail_after(5):
        frames = [await track.recv() for _ in range(7)]  # more frames than the file: it loops
    assert all((f.width, f.height) == (64, 48) for f in frames)
    track.stop()
    with pytest.raises(Exception):  # noqa: B017 - any av error for a missing file
        VideoFileTrack(tmp_path / "missing.webm")
