"""Bot media: CPU per bot, how many bots one meeting carries, and mouth-to-ear latency through the SFU.

Usage::

    .venv/bin/python bench/bot_media.py                  # full run: raw baselines + sweep N=1,5,10,...,30
    .venv/bin/python bench/bot_media.py --ns 10 --duration 10
    .venv/bin/python bench/bot_media.py --quick          # a few seconds (the smoke test runs this)
    .venv/bin/python bench/bot_media.py --assert         # exit 1 when a target is missed

Set-up of one step (N bots): the emulator (``realtimekit-mcp emulator --port 0``, 127.0.0.1) runs in
its own process; a *speakers* process joins N speaker-only bots (``subscribe_audio=False``) that each
publish audio (a continuous tone; bot 0 is the *probe*, see below); a *listener* process joins one bot
that subscribes to all of them. The baseline, measured in the same run, is the same media without
the project: a *raw sender* process with K ``RTCPeerConnection``\\ s sending a tone track and a *raw
receiver* process with K peer connections receiving it, directly on 127.0.0.1 (the parent relays the
SDP; no signalling server), same jitter-buffer prefetch as the bot. CPU is read from
``/proc/<pid>/stat`` (user + system, all threads) of each process over the measurement window, so
every role is accounted separately.

Figures:

* **CPU per bot** = speakers-process CPU / N, against the raw sender's CPU per stream (target
  ratio <= 1.5 at ``--ref-n`` bots). Raw baselines run with 1 pair and with ``--ref-n`` pairs
  (``--raw-streams``); each N is compared with the one of the nearest size, since per-stream cost
  falls as a process's fixed cost is shared. Also printed: the SFU (emulator) and the listener per
  stream, and the end-to-end ratio (speakers + SFU + listener) / (raw sender + raw receiver).
* **Diagnostics**: each worker's event-loop lag (how late a 20 ms sleep wakes up, p99/max) and the
  probe sender's pacing lag, to tell which process a late frame came from.
* **Late or lost frames** (target: < 1 % at N >= 10 over 30 s). Every 20 ms Opus frame of every
  stream is checked at the listener, where the decoded frame leaves aiortc (``track.recv()``), by
  its RTP media time (``pts``) and its arrival time on the monotonic clock:

  - *lost*: frames of the window that never reached the listener: holes in the ``pts`` sequence
    (960 samples a frame), plus frames missing at the window edges of a stream that stalled, plus
    the whole window of a stream that never arrived. Losses anywhere (bot -> SFU, the SFU's
    bounded forwarding queue, SFU -> listener, aiortc's jitter buffer) show up as pts holes,
    because the SFU forwards the publisher's RTP timestamps.
  - *late*: frames that arrived more than ``--late-ms`` (default 60 ms) after their due time. The
    due time of a frame is its media time plus the stream's smallest observed delay
    ``min(arrival - pts)`` in the window, i.e. the schedule of the fastest frame; extra delay
    beyond 60 ms is what a 60 ms playout buffer could not absorb (a bot that falls behind in its
    pacing, an event loop stall, a queue in the SFU).

  Percentages are (late + lost) / expected over all N streams.
* **Mouth-to-ear latency**: the probe bot publishes 200 ms tone bursts once a second
  (1 kHz); *published* is the moment its audio source hands the first tone frame to the WebRTC
  track (monotonic clock), *heard* is the arrival of the first decoded frame at the listener whose
  samples exceed -24 dBFS after >= 100 ms of silence, plus the offset of the first such sample in
  that frame. Both processes run on one machine, so CLOCK_MONOTONIC is shared. Includes Opus
  encode/decode, the codec look-ahead, both peer connections, the SFU and the jitter-buffer
  prefetch. The raw pair measures the same without the SFU.

A step passes when late + lost < 1 %. The sweep runs every N up to ``--ref-n`` and stops at the
first failing N above it. Exit status is 0 unless ``--assert`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import fractions
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
PROBE_HZ = 1000
PROBE_PERIOD_FRAMES = 50  # one burst a second
PROBE_BURST_FRAMES = 10  # 200 ms of tone
ONSET_THRESHOLD = 2000  # s16 peak, about -24 dBFS (the tone peaks at 16383)
QUIET_FRAMES_BEFORE_ONSET = 5
EDGE_SLACK = 0.1  # seconds at the window edges a stream may start late / end early

TARGET_CPU_RATIO = 1.5
TARGET_N = 10
TARGET_LATENCY_P50_MS = 80.0
TARGET_LATE_LOST = 0.01


# =============================================================================== shared pieces


class BurstTone:
    """An audio generator (``n samples -> PCM``) that plays 200 ms of tone once a second.

    Called once per 20 ms frame, right when the frame is handed to the track, so the call time of
    a burst's first frame is the moment that tone onset is *published*; those times are kept in
    :attr:`onsets` (``time.monotonic()``).
    """

    def __init__(self, frequency: int = PROBE_HZ) -> None:
        from realtimekit_mcp.bot.tracks import tone_pcm  # aiortc loads only where a tone is made

        self._tone = tone_pcm(frequency, 1.0)  # one second of a whole-number frequency loops seamlessly
        self._frame = 0
        self.onsets: list[float] = []
        self.calls = LagLog()
        self._first: float | None = None

    def __call__(self, samples: int) -> bytes:
        now = time.monotonic()
        if self._first is None:
            self._first = now
        # how far this frame is behind the track's real-time schedule (the track resynchronises
        # only after 0.5 s behind, so this is the sender's pacing lag)
        self.calls.add(now, now - self._first - self._frame * samples / SAMPLE_RATE)
        index = self._frame % PROBE_PERIOD_FRAMES
        self._frame += 1
        if index >= PROBE_BURST_FRAMES:
            return bytes(samples * 2)
        if index == 0:
            self.onsets.append(time.monotonic())
        start = index * samples * 2  # 20 ms frames of 1 kHz hold whole cycles: phase restarts at 0
        return self._tone[start : start + samples * 2]


class LagLog:
    """Delays observed at given times; summarised over a window."""

    def __init__(self) -> None:
        self.times: array.array[float] = array.array("d")
        self.lags: array.array[float] = array.array("d")

    def add(self, at: float, lag: float) -> None:
        self.times.append(at)
        self.lags.append(lag)

    def summary(self, t0: float, t1: float) -> dict[str, float | None]:
        """p99 and max in ms of the lags recorded in ``[t0, t1]`` (relative to the smallest one)."""
        picked = [lag for at, lag in zip(self.times, self.lags, strict=True) if t0 <= at <= t1]
        if not picked:
            return {"p99_ms": None, "max_ms": None}
        base = min(picked)
        return {
            "p99_ms": round((_percentile(picked, 0.99) - base) * 1000, 1),
            "max_ms": round((max(picked) - base) * 1000, 1),
        }


class LoopLag:
    """Measures how late this process's event loop wakes up from a 20 ms sleep."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.log = LagLog()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> LoopLag:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.interval)
            after = time.monotonic()
            self.log.add(after, after - before - self.interval)


@dataclass
class StreamLog:
    """What one received stream delivered: media time and arrival of each frame, onsets heard."""

    pts: array.array[float] = field(default_factory=lambda: array.array("d"))
    arrivals: array.array[float] = field(default_factory=lambda: array.array("d"))
    onsets: list[float] = field(default_factory=list)
    quiet: int = QUIET_FRAMES_BEFORE_ONSET  # quiet frames in a row (start as if after silence)


class FrameProbe:
    """Records every decoded frame that leaves aiortc (``pts``, arrival) and the tone onsets in it."""

    def __init__(self) -> None:
        self.streams: dict[int, StreamLog] = {}

    def observe(self, key: int, frame: Any) -> None:
        """Log one decoded ``av.AudioFrame`` of stream ``key``."""
        now = time.monotonic()
        log = self.streams.get(key)
        if log is None:
            log = self.streams[key] = StreamLog()
        if frame.pts is not None:
            log.pts.append(float(frame.pts * frame.time_base))
            log.arrivals.append(now)
        channels = len(frame.layout.channels)
        samples = array.array("h")
        samples.frombytes(bytes(frame.planes[0])[: frame.samples * channels * 2])
        peak = max(max(samples, default=0), -min(samples, default=0))
        if peak <= ONSET_THRESHOLD:
            log.quiet += 1
            return
        if log.quiet >= QUIET_FRAMES_BEFORE_ONSET:
            first = next(i for i, x in enumerate(samples) if abs(x) > ONSET_THRESHOLD)
            log.onsets.append(now + (first // channels) / frame.sample_rate)
        log.quiet = 0

    def analyse(self, t0: float, t1: float, expected_streams: int, late_s: float) -> dict[str, Any]:
        """Late/lost counts per stream for frames arriving in ``[t0, t1]``, and the probe's onsets."""
        window_frames = round((t1 - t0) / FRAME_SECONDS)
        streams: list[dict[str, Any]] = []
        for log in self.streams.values():
            picked = [(p, a) for p, a in zip(log.pts, log.arrivals, strict=True) if t0 <= a <= t1]
            if not picked:
                streams.append({"received": 0, "lost": window_frames, "late": 0, "max_extra_ms": None})
                continue
            slots = {round(p / FRAME_SECONDS) for p, _ in picked}
            span = max(slots) - min(slots) + 1
            received = len(slots)
            head = max(0.0, picked[0][1] - t0 - EDGE_SLACK)
            tail = max(0.0, t1 - picked[-1][1] - EDGE_SLACK)
            lost = span - received + round((head + tail) / FRAME_SECONDS)
            delays = [a - p for p, a in picked]
            base = min(delays)
            extra = [d - base for d in delays]
            late = sum(1 for e in extra if e > late_s)
            streams.append(
                {
                    "received": received,
                    "lost": lost,
                    "late": late,
                    "max_extra_ms": round(max(extra) * 1000, 1),
                    "onsets_in_window": sum(1 for o in log.onsets if t0 <= o <= t1),
                }
            )
        for _ in range(max(0, expected_streams - len(streams))):  # streams that never arrived
            streams.append({"received": 0, "lost": window_frames, "late": 0, "max_extra_ms": None})
        probe = max(self.streams.values(), key=lambda s: len(s.onsets), default=None)
        return {
            "streams": streams,
            "received": sum(s["received"] for s in streams),
            "lost": sum(s["lost"] for s in streams),
            "late": sum(s["late"] for s in streams),
            "streams_with_late_or_lost": sum(1 for s in streams if s["late"] or s["lost"]),
            "heard_onsets": list(probe.onsets) if probe is not None else [],
        }


def match_latencies(
    published: Sequence[float], heard: Sequence[float], t0: float, t1: float
) -> dict[str, Any]:
    """Pair each onset published in the window with the first one heard after it (within 0.5 s)."""
    latencies: list[float] = []
    missed = 0
    for p in published:
        if not t0 <= p <= t1 - 0.5:
            continue
        after = [h - p for h in heard if 0 <= h - p < 0.5]
        if after:
            latencies.append(min(after) * 1000)
        else:
            missed += 1
    return {
        "count": len(latencies),
        "missed": missed,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def _read_line() -> str:
    line: str = await asyncio.to_thread(sys.stdin.readline)
    if not line:
        raise SystemExit("parent went away")
    return line.strip()


async def _wait_stop() -> tuple[float, float]:
    """Wait for ``stop <t0> <t1>`` from the parent."""
    while True:
        parts = (await _read_line()).split()
        if parts and parts[0] == "stop":
            return float(parts[1]), float(parts[2])


def _quiet_logs() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)


# =============================================================================== worker roles


async def role_speakers(cfg: dict[str, Any]) -> None:
    """N speaker-only bots; bot 0 plays probe bursts, the others continuous tones."""
    from realtimekit_mcp.bot.participant import BotConfig, BotParticipant

    config = BotConfig.for_origin(cfg["origin"], subscribe_audio=False, request_timeout=30.0)
    bots = [
        BotParticipant(token, config, display_name=f"speaker-{i}") for i, token in enumerate(cfg["tokens"])
    ]
    gate = asyncio.Semaphore(4)

    async def join(bot: BotParticipant) -> None:
        async with gate:
            await bot.join()

    await asyncio.gather(*(join(b) for b in bots))
    lag = LoopLag().start()
    probe = BurstTone()
    bots[0].audio_source.generator = probe
    await bots[0].publish_audio()
    for i, bot in enumerate(bots[1:], start=1):
        await bot.play_continuous_tone(300.0 + 20 * i)
    _emit({"event": "ready"})
    t0, t1 = await _wait_stop()
    _emit(
        {
            "event": "result",
            "published_onsets": probe.onsets,
            "loop_lag": lag.log.summary(t0, t1),
            "pacing_lag": probe.calls.summary(t0, t1),
            "states": sorted({b.state.value for b in bots}),
            "reconnects": sum(b.reconnects for b in bots),
        }
    )
    await asyncio.gather(*(b.leave() for b in bots), return_exceptions=True)


async def role_listener(cfg: dict[str, Any]) -> None:
    """One bot subscribed to every speaker; frames observed where they leave aiortc."""
    from aiortc.rtcrtpreceiver import RemoteStreamTrack

    from realtimekit_mcp.bot.participant import BotConfig, BotParticipant

    probe = FrameProbe()
    original = RemoteStreamTrack.recv

    async def recv(self: RemoteStreamTrack) -> Any:
        frame = await original(self)
        probe.observe(id(self), frame)
        return frame

    # Bench-only instrumentation: the listener process holds nothing but the listener bot, so
    # every remote track of aiortc in this process is one of its subscriptions.
    RemoteStreamTrack.recv = recv  # type: ignore[method-assign]
    config = BotConfig.for_origin(cfg["origin"], max_buffered_audio_seconds=2.0, request_timeout=30.0)
    bot = BotParticipant(cfg["token"], config, display_name="listener")
    await bot.join()
    lag = LoopLag().start()
    _emit({"event": "joined"})
    expected = int(cfg["streams"])
    deadline = time.monotonic() + float(cfg.get("ready_timeout", 90.0))
    while sum(1 for s in probe.streams.values() if len(s.pts) > 10) < expected:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    _emit({"event": "ready", "streams": len(probe.streams)})
    t0, t1 = await _wait_stop()
    result = probe.analyse(t0, t1, expected, cfg["late_s"])
    _emit({"event": "result", **result, "state": bot.state.value, "loop_lag": lag.log.summary(t0, t1)})
    await bot.leave()


class _ToneTrack:
    """Factory for the raw sender's track class (defined lazily: aiortc loads only in workers)."""

    @staticmethod
    def make(generator: Callable[[int], bytes]) -> Any:
        import av
        from aiortc import MediaStreamTrack

        time_base = fractions.Fraction(1, SAMPLE_RATE)

        class ToneTrack(MediaStreamTrack):
            kind = "audio"

            def __init__(self) -> None:
                super().__init__()
                self._start: float | None = None
                self._pts = 0

            async def recv(self) -> av.AudioFrame:
                now = time.monotonic()
                if self._start is None:
                    self._start = now
                else:
                    self._pts += FRAME_SAMPLES
                    due = self._start + self._pts / SAMPLE_RATE
                    if due > now:
                        await asyncio.sleep(due - now)
                frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
                frame.planes[0].update(generator(FRAME_SAMPLES))
                frame.pts = self._pts
                frame.sample_rate = SAMPLE_RATE
                frame.time_base = time_base
                return frame

        return ToneTrack()


async def role_raw_sender(cfg: dict[str, Any]) -> None:
    """K peer connections each sending a tone (stream 0: probe bursts), 127.0.0.1 host candidates only."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from realtimekit_mcp.bot.tracks import ToneGenerator
    from realtimekit_mcp.emulator.sfu import loopback_only

    probe = BurstTone()
    pcs = []
    offers = []
    with loopback_only():
        for i in range(int(cfg["streams"])):
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            generator: Callable[[int], bytes] = probe if i == 0 else ToneGenerator(300 + 20 * i)
            pc.addTrack(_ToneTrack.make(generator))
            await pc.setLocalDescription(await pc.createOffer())
            pcs.append(pc)
            offers.append(pc.localDescription.sdp)
    _emit({"event": "offers", "sdp": offers})
    answers = json.loads(await _read_line())["sdp"]
    for pc, sdp in zip(pcs, answers, strict=True):
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
    lag = LoopLag().start()
    _emit({"event": "ready"})
    t0, t1 = await _wait_stop()
    summary = {"loop_lag": lag.log.summary(t0, t1), "pacing_lag": probe.calls.summary(t0, t1)}
    _emit({"event": "result", "published_onsets": probe.onsets, **summary})
    await asyncio.gather(*(pc.close() for pc in pcs), return_exceptions=True)


async def role_raw_receiver(cfg: dict[str, Any]) -> None:
    """K peer connections answering the raw sender; frames observed as they leave aiortc."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamError

    from realtimekit_mcp.bot.peer import set_audio_jitter_prefetch
    from realtimekit_mcp.emulator.sfu import loopback_only

    probe = FrameProbe()
    readers: list[asyncio.Task[None]] = []

    async def read(track: Any) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                probe.observe(id(track), await track.recv())

    offers = json.loads(await _read_line())["sdp"]
    pcs = []
    answers = []
    with loopback_only():
        for sdp in offers:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.on("track", lambda track: readers.append(asyncio.create_task(read(track))))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            if cfg.get("prefetch") is not None:
                for transceiver in pc.getTransceivers():
                    set_audio_jitter_prefetch(transceiver.receiver, int(cfg["prefetch"]))
            await pc.setLocalDescription(await pc.createAnswer())
            pcs.append(pc)
            answers.append(pc.localDescription.sdp)
    lag = LoopLag().start()
    _emit({"event": "answers", "sdp": answers})
    deadline = time.monotonic() + 60.0
    while sum(1 for s in probe.streams.values() if len(s.pts) > 10) < len(offers):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    _emit({"event": "ready", "streams": len(probe.streams)})
    t0, t1 = await _wait_stop()
    result = probe.analyse(t0, t1, len(offers), cfg["late_s"])
    _emit({"event": "result", **result, "loop_lag": lag.log.summary(t0, t1)})
    for task in readers:
        task.cancel()
    await asyncio.gather(*(pc.close() for pc in pcs), return_exceptions=True)


ROLES = {
    "speakers": role_speakers,
    "listener": role_listener,
    "raw-sender": role_raw_sender,
    "raw-receiver": role_raw_receiver,
}


def run_role(role: str) -> int:
    """Entry point of a worker process: one JSON config line on stdin, JSON lines on stdout."""
    _quiet_logs()
    cfg = json.loads(sys.stdin.readline())
    asyncio.run(ROLES[role](cfg))
    return 0


# =============================================================================== the parent


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) from ``/proc/<pid>/stat``."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)


def loadavg() -> str:
    """The 1/5/15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Child:
    """A worker process speaking JSON lines; its stderr goes to a temp file (shown on failure)."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, stderr_path: Path) -> None:
        self.name = name
        self.proc = proc
        self.stderr_path = stderr_path

    @classmethod
    async def start(cls, name: str, argv: list[str], tmp: Path) -> Child:
        stderr_path = tmp / f"{name}.stderr"
        with stderr_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                cwd=str(ROOT),
                limit=16 * 1024 * 1024,
            )
        return cls(name, proc, stderr_path)

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def send(self, obj: dict[str, Any] | str) -> None:
        assert self.proc.stdin is not None
        line = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def expect(self, event: str, within: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
                with contextlib.suppress(json.JSONDecodeError):
                    msg = json.loads(line)
                    if isinstance(msg, dict) and msg.get("event") == event:
                        return msg

    def tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()


def _worker_argv(role: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--role", role]


def runqueue_wait_seconds(pid: int) -> float:
    """Seconds the threads of a process spent runnable but waiting for a CPU (``schedstat``)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def machine_counters() -> tuple[float, float, float]:
    """Busy and total CPU seconds of the machine (``/proc/stat``), and CPU pressure (PSI ``some``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    pressure = 0.0
    with contextlib.suppress(OSError, IndexError, ValueError):
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        pressure = int(some.rsplit("total=", 1)[1]) / 1e6
    return (sum(values) - idle) / ticks, sum(values) / ticks, pressure


@dataclass
class Window:
    """A measurement window: its bounds and what each process and the machine did in it."""

    t0: float
    t1: float
    cpu: dict[str, float]
    """CPU seconds per child."""
    wait: dict[str, float]
    """Run-queue wait in % of the window per child (waiting for a core: the machine was busy)."""
    machine_busy_pct: float
    """All CPU use on the machine (ours and everyone else's), % of all cores."""
    others_pct_of_core: float
    """CPU used by processes other than the children, % of one core."""
    cpu_pressure_pct: float
    """PSI: share of the window in which some runnable task waited for a CPU."""

    @property
    def wall(self) -> float:
        return self.t1 - self.t0

    def machine(self) -> dict[str, Any]:
        return {
            "busy_pct_of_all_cores": round(self.machine_busy_pct, 1),
            "others_pct_of_one_core": round(self.others_pct_of_core, 1),
            "cpu_pressure_some_pct": round(self.cpu_pressure_pct, 1),
            "runqueue_wait_pct": {k: round(v, 1) for k, v in self.wait.items()},
        }


async def _measure(children: Sequence[Child], warmup: float, duration: float) -> Window:
    """Let the media settle, then read every child's CPU (and the machine's) over ``duration`` s."""
    await asyncio.sleep(warmup)
    t0 = time.monotonic()
    busy0, total0, psi0 = machine_counters()
    cpu0 = {c.name: cpu_seconds(c.pid) for c in children}
    wait0 = {c.name: runqueue_wait_seconds(c.pid) for c in children}
    await asyncio.sleep(duration)
    cpu1 = {c.name: cpu_seconds(c.pid) for c in children}
    wait1 = {c.name: runqueue_wait_seconds(c.pid) for c in children}
    busy1, total1, psi1 = machine_counters()
    t1 = time.monotonic()
    wall = t1 - t0
    cpu = {name: cpu1[name] - cpu0[name] for name in cpu0}
    return Window(
        t0=t0,
        t1=t1,
        cpu=cpu,
        wait={name: 100 * (wait1[name] - wait0[name]) / wall for name in wait0},
        machine_busy_pct=100 * (busy1 - busy0) / max(1e-9, total1 - total0),
        others_pct_of_core=100 * ((busy1 - busy0) - sum(cpu.values())) / wall,
        cpu_pressure_pct=100 * (psi1 - psi0) / wall,
    )


async def run_raw(streams: int, args: argparse.Namespace, tmp: Path, prefetch: int | None) -> dict[str, Any]:
    """The baseline: K raw aiortc sender/receiver pairs on loopback, no signalling server."""
    sender = await Child.start("raw-sender", _worker_argv("raw-sender"), tmp)
    receiver = await Child.start("raw-receiver", _worker_argv("raw-receiver"), tmp)
    try:
        await sender.send({"streams": streams})
        await receiver.send({"prefetch": prefetch, "late_s": args.late_ms / 1000})
        offers = await sender.expect("offers", 60)
        await receiver.send({"sdp": offers["sdp"]})
        answers = await receiver.expect("answers", 60)
        await sender.send({"sdp": answers["sdp"]})
        await sender.expect("ready", 60)
        await receiver.expect("ready", 90)
        window = await _measure([sender, receiver], args.warmup, args.duration)
        t0, t1, cpu = window.t0, window.t1, window.cpu
        await sender.send(f"stop {t0} {t1}")
        await receiver.send(f"stop {t0} {t1}")
        sent = await sender.expect("result", 30)
        got = await receiver.expect("result", 30)
    finally:
        await sender.stop()
        await receiver.stop()
    wall = t1 - t0
    expected = got["received"] + got["lost"]
    return {
        "streams": streams,
        "wall_s": round(wall, 2),
        "sender_cpu_pct_per_stream": 100 * cpu["raw-sender"] / wall / streams,
        "receiver_cpu_pct_per_stream": 100 * cpu["raw-receiver"] / wall / streams,
        "lost": got["lost"],
        "late": got["late"],
        "expected": expected,
        "late_lost_fraction": (got["lost"] + got["late"]) / expected if expected else 1.0,
        "worst_extra_delay_ms": max((s["max_extra_ms"] or 0.0) for s in got["streams"]),
        "latency": match_latencies(sent["published_onsets"], got["heard_onsets"], t0, t1),
        "sender_loop_lag": sent["loop_lag"],
        "sender_pacing_lag": sent["pacing_lag"],
        "receiver_loop_lag": got["loop_lag"],
        "machine": window.machine(),
    }


async def _start_emulator(tmp: Path) -> tuple[Child, dict[str, Any]]:
    argv = [
        sys.executable, "-m", "realtimekit_mcp", "emulator",
        "--host", "127.0.0.1", "--port", "0", "--data", ":memory:", "--json", "--log-level", "warning",
    ]  # fmt: skip
    emulator = await Child.start("emulator", argv, tmp)
    assert emulator.proc.stdout is not None
    async with asyncio.timeout(60):
        line = await emulator.proc.stdout.readline()
    if not line:
        raise RuntimeError(f"the emulator did not start:\n{emulator.tail()}")
    details = json.loads(line)
    from realtimekit_mcp._redact import register_secret

    register_secret(details["api_token"])
    return emulator, details


async def _tokens(details: dict[str, Any], count: int) -> tuple[str, list[str]]:
    """A meeting and ``count`` participant tokens (group_call_host preset)."""
    import httpx

    api = f"{details['base_url']}/accounts/{details['account_id']}/realtime/kit/{details['app_id']}"
    headers = {"Authorization": f"Bearer {details['api_token']}"}
    async with httpx.AsyncClient(headers=headers, timeout=30.0) as http:
        r = await http.post(f"{api}/meetings", json={"title": "bench bot_media"})
        r.raise_for_status()
        meeting = r.json()["data"]["id"]
        tokens = []
        for i in range(count):
            body = {"custom_participant_id": f"bench-{i}", "preset_name": "group_call_host", "name": f"p{i}"}
            r = await http.post(f"{api}/meetings/{meeting}/participants", json=body)
            r.raise_for_status()
            tokens.append(r.json()["data"]["token"])
    return meeting, tokens


async def run_bots(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """One step: N speaker bots and one listener in one emulator meeting."""
    emulator, details = await _start_emulator(tmp)
    listener: Child | None = None
    speakers: Child | None = None
    try:
        _, tokens = await _tokens(details, n + 1)
        listener = await Child.start("listener", _worker_argv("listener"), tmp)
        await listener.send(
            {"origin": details["origin"], "token": tokens[0], "streams": n, "late_s": args.late_ms / 1000}
        )
        await listener.expect("joined", 60)
        speakers = await Child.start("speakers", _worker_argv("speakers"), tmp)
        await speakers.send({"origin": details["origin"], "tokens": tokens[1:]})
        await speakers.expect("ready", 30 + 3 * n)
        ready = await listener.expect("ready", 100)
        window = await _measure([emulator, speakers, listener], args.warmup, args.duration)
        t0, t1, cpu = window.t0, window.t1, window.cpu
        await speakers.send(f"stop {t0} {t1}")
        await listener.send(f"stop {t0} {t1}")
        sent = await speakers.expect("result", 30)
        got = await listener.expect("result", 30)
    finally:
        for child in (speakers, listener):
            if child is not None:
                await child.stop()
        await emulator.stop()
    wall = t1 - t0
    expected = got["received"] + got["lost"]
    fraction = (got["lost"] + got["late"]) / expected if expected else 1.0
    return {
        "n": n,
        "wall_s": round(wall, 2),
        "streams_subscribed": ready.get("streams"),
        "bot_cpu_pct_per_bot": 100 * cpu["speakers"] / wall / n,
        "sfu_cpu_pct_per_bot": 100 * cpu["emulator"] / wall / n,
        "listener_cpu_pct_per_stream": 100 * cpu["listener"] / wall / n,
        "lost": got["lost"],
        "late": got["late"],
        "expected": expected,
        "late_lost_fraction": fraction,
        "worst_extra_delay_ms": max((s["max_extra_ms"] or 0.0) for s in got["streams"]),
        "streams_with_late_or_lost": got["streams_with_late_or_lost"],
        "speakers_loop_lag": sent["loop_lag"],
        "speakers_pacing_lag": sent["pacing_lag"],
        "listener_loop_lag": got["loop_lag"],
        "machine": window.machine(),
        "passed": fraction < TARGET_LATE_LOST,
        "latency": match_latencies(sent["published_onsets"], got["heard_onsets"], t0, t1),
        "speaker_states": sent["states"],
        "reconnects": sent["reconnects"],
        "listener_state": got["state"],
    }


@dataclass
class Report:
    """Everything one run measured."""

    command: str
    duration_s: float
    late_ms: float
    prefetch: int | None
    ref_n: int
    target_n: int
    load_before: str
    load_after: str = ""
    raw: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    largest_n: int | None = None
    cpu_ratio: float | None = None
    end_to_end_cpu_ratio: float | None = None
    latency_p50_ms: float | None = None
    misses: list[str] = field(default_factory=list)

    def raw_for(self, n: int) -> dict[str, Any]:
        """The raw baseline whose stream count is nearest to ``n`` (ties: the larger)."""
        return min(self.raw, key=lambda r: (abs(math.log(r["streams"] / n)), -r["streams"]))

    def ratios(self, step: dict[str, Any]) -> tuple[float, float]:
        """Bot CPU per bot / raw sender CPU per stream, and (bots + SFU + listener) / (raw pair)."""
        raw = self.raw_for(step["n"])
        bot = step["bot_cpu_pct_per_bot"] / raw["sender_cpu_pct_per_stream"]
        total = (
            step["bot_cpu_pct_per_bot"] + step["sfu_cpu_pct_per_bot"] + step["listener_cpu_pct_per_stream"]
        )
        return bot, total / (raw["sender_cpu_pct_per_stream"] + raw["receiver_cpu_pct_per_stream"])


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _lag(summary: dict[str, Any]) -> str:
    return f"{_fmt(summary['p99_ms'])}/{_fmt(summary['max_ms'])}"


def _waits(machine: dict[str, Any]) -> str:
    return ", ".join(f"{v:.1f} %" for v in machine["runqueue_wait_pct"].values())


def print_report(report: Report, out: Any = sys.stdout) -> None:
    """The tables and the verdicts, as Markdown-ish text."""
    out.write(
        f"\nbot_media: {report.duration_s:g} s windows, late > {report.late_ms:g} ms, jitter prefetch "
        f"{report.prefetch} frames; load average before {report.load_before}, after {report.load_after}\n\n"
    )
    out.write("raw aiortc baseline (sender and receiver processes, 127.0.0.1, no signalling server):\n\n")
    out.write(
        "| pairs | sender CPU/stream | receiver CPU/stream | late+lost | worst extra delay | "
        "latency p50 / p95 | loop lag p99/max (send, recv) | run-queue wait (send, recv) | "
        "others' CPU |\n|" + "---|" * 9 + "\n"
    )
    for raw in report.raw:
        lat = raw["latency"]
        out.write(
            f"| {raw['streams']} | {raw['sender_cpu_pct_per_stream']:.2f} % | "
            f"{raw['receiver_cpu_pct_per_stream']:.2f} % | {100 * raw['late_lost_fraction']:.2f} % | "
            f"{raw['worst_extra_delay_ms']:.0f} ms | {_fmt(lat['p50_ms'])} / {_fmt(lat['p95_ms'])} ms | "
            f"{_lag(raw['sender_loop_lag'])}, {_lag(raw['receiver_loop_lag'])} ms | "
            f"{_waits(raw['machine'])} | {raw['machine']['others_pct_of_one_core']:.0f} % |\n"
        )
    out.write(
        "\nbots through the emulator SFU (CPU in % of one core; ratios against the raw run with the "
        "nearest stream count):\n\n"
    )
    out.write(
        "| N | bot CPU/bot | vs raw sender | SFU CPU/bot | listener CPU/stream | e2e vs raw pair | "
        "late | lost | late+lost | worst extra delay | latency p50 / p95 | loop lag p99/max "
        "(speakers, listener) | run-queue wait (SFU, speakers, listener) | others' CPU | ok |\n|"
        + "---|" * 15
        + "\n"
    )
    for s in report.steps:
        ratio, e2e = report.ratios(s)
        lat = s["latency"]
        out.write(
            f"| {s['n']} | {s['bot_cpu_pct_per_bot']:.2f} % | {ratio:.2f} | {s['sfu_cpu_pct_per_bot']:.2f} % | "
            f"{s['listener_cpu_pct_per_stream']:.2f} % | {e2e:.2f} | {s['late']} | {s['lost']} | "
            f"{100 * s['late_lost_fraction']:.2f} % | {s['worst_extra_delay_ms']:.0f} ms | "
            f"{_fmt(lat['p50_ms'])} / {_fmt(lat['p95_ms'])} ms | "
            f"{_lag(s['speakers_loop_lag'])}, {_lag(s['listener_loop_lag'])} ms | "
            f"{_waits(s['machine'])} | {s['machine']['others_pct_of_one_core']:.0f} % | "
            f"{'yes' if s['passed'] else 'NO'} |\n"
        )
    out.write("\n")
    out.write(
        f"CPU per bot at N={report.ref_n}: {_fmt(report.cpu_ratio, 2)}x the raw sender per stream "
        f"(target <= {TARGET_CPU_RATIO}); end to end (bots + SFU + listener vs raw sender + receiver) "
        f"{_fmt(report.end_to_end_cpu_ratio, 2)}x\n"
    )
    out.write(f"largest N with < 1 % late or lost: {report.largest_n} (target >= {report.target_n})\n")
    raw_p50 = report.raw_for(report.ref_n)["latency"]["p50_ms"] if report.raw else None
    through = report.latency_p50_ms
    vs = f" ({through / raw_p50:.2f}x the direct pair)" if through and raw_p50 else ""
    out.write(
        f"mouth-to-ear p50 through the SFU at N={report.ref_n}: {_fmt(through)} ms{vs} "
        f"(target <= {TARGET_LATENCY_P50_MS:g} ms)\n"
    )
    if report.misses:
        out.write("targets missed: " + "; ".join(report.misses) + "\n")
    out.flush()


async def run_all(args: argparse.Namespace) -> Report:
    """The raw baselines, then the sweep over N."""
    from realtimekit_mcp.bot.participant import BotConfig

    prefetch = BotConfig().audio_jitter_prefetch
    ns = sorted({int(x) for x in args.ns.split(",")} | {args.ref_n})
    raw_streams = sorted({int(x) for x in args.raw_streams.split(",")} | {args.ref_n})
    report = Report(
        command=" ".join(["bench/bot_media.py", *sys.argv[1:]]),
        duration_s=args.duration,
        late_ms=args.late_ms,
        prefetch=prefetch,
        ref_n=args.ref_n,
        target_n=args.target_n,
        load_before=loadavg(),
    )
    with tempfile.TemporaryDirectory(prefix="rtk-bench-bot-media-") as name:
        tmp = Path(name)
        for k in raw_streams:
            print(
                f"raw baseline: {k} pairs, {args.duration:g} s ... (load {loadavg()})",
                file=sys.stderr,
                flush=True,
            )
            report.raw.append(await run_raw(k, args, tmp, prefetch))
        for n in ns:
            print(f"N={n}: {args.duration:g} s ... (load {loadavg()})", file=sys.stderr, flush=True)
            try:
                step = await run_bots(n, args, tmp)
            except (RuntimeError, TimeoutError) as exc:
                print(f"N={n} failed to run: {exc!r}", file=sys.stderr)
                report.misses.append(f"N={n} could not be set up")
                break
            report.steps.append(step)
            print(
                f"  late+lost {100 * step['late_lost_fraction']:.2f} %, bot CPU "
                f"{step['bot_cpu_pct_per_bot']:.2f} %/bot, latency p50 {_fmt(step['latency']['p50_ms'])} ms",
                file=sys.stderr,
                flush=True,
            )
            if not step["passed"] and n > args.ref_n:
                break
    report.load_after = loadavg()
    passing = [s["n"] for s in report.steps if s["passed"]]
    failing = [s["n"] for s in report.steps if not s["passed"]]
    below_first_failure = [n for n in passing if not failing or n < min(failing)]
    report.largest_n = max(below_first_failure) if below_first_failure else 0
    ref = next((s for s in report.steps if s["n"] == args.ref_n), None)
    if ref is not None:
        report.cpu_ratio, report.end_to_end_cpu_ratio = report.ratios(ref)
        report.latency_p50_ms = ref["latency"]["p50_ms"]
    if report.cpu_ratio is None or report.cpu_ratio > TARGET_CPU_RATIO:
        report.misses.append(f"CPU ratio {_fmt(report.cpu_ratio, 2)} > {TARGET_CPU_RATIO}")
    if (report.largest_n or 0) < args.target_n:
        report.misses.append(f"largest N {report.largest_n} < {args.target_n}")
    if report.latency_p50_ms is None or report.latency_p50_ms > TARGET_LATENCY_P50_MS:
        report.misses.append(f"latency p50 {_fmt(report.latency_p50_ms)} ms > {TARGET_LATENCY_P50_MS:g} ms")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ns", default="1,5,10,12,15,18,20,25,30", help="bot counts to sweep (comma-separated)"
    )
    parser.add_argument(
        "--raw-streams", default="1", help="raw baseline sizes (pairs); --ref-n is always added"
    )
    parser.add_argument("--ref-n", type=int, default=TARGET_N, help="N for the CPU ratio and latency targets")
    parser.add_argument("--target-n", type=int, default=TARGET_N, help="smallest acceptable largest N")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured per step")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of media before measuring")
    parser.add_argument("--late-ms", type=float, default=60.0, help="extra delay that makes a frame late")
    parser.add_argument("--quick", action="store_true", help="smoke run: N=2, 3 s windows")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--assert", dest="check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role:
        return run_role(args.role)
    if args.quick:
        args.ns, args.ref_n, args.target_n, args.raw_streams = "2", 2, 2, "2"
        args.duration, args.warmup = min(args.duration, 3.0), min(args.warmup, 1.0)
    sys.path.insert(0, str(ROOT / "src"))
    report = asyncio.run(run_all(args))
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report), indent=2) + "\n")
    return 1 if args.check and report.misses else 0


if __name__ == "__main__":
    sys.exit(main())
