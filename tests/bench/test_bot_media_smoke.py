"""Keeps ``bench/bot_media.py`` from rotting: its measurement logic, and a ``--quick`` run end to end."""

from __future__ import annotations

import array
import importlib.util
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "bot_media.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_bot_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load()
FRAME = 960


def _frame(index: int, *, tone_from: int | None = None, amplitude: int = 16000) -> Any:
    """A fake decoded stereo s16 frame number ``index`` (pts in samples at 48 kHz)."""
    samples = array.array("h", [0] * (FRAME * 2))
    if tone_from is not None:
        for i in range(tone_from, FRAME):
            samples[2 * i] = samples[2 * i + 1] = amplitude
    return SimpleNamespace(
        pts=index * FRAME,
        time_base=Fraction(1, 48_000),
        layout=SimpleNamespace(channels=("FL", "FR")),
        samples=FRAME,
        sample_rate=48_000,
        planes=[samples.tobytes()],
    )


def _feed(probe: Any, key: int, frames: list[tuple[int, float]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Observe frame ``index`` arriving at time ``t`` for each ``(index, t)``."""
    for index, at in frames:
        monkeypatch.setattr(bench.time, "monotonic", lambda at=at: at)
        probe.observe(key, _frame(index))


def test_a_hole_in_the_media_time_counts_as_lost_and_a_delayed_frame_as_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = bench.FrameProbe()
    on_time = [(i, 10.0 + 0.02 * i + 0.05) for i in range(100) if i != 40]  # frame 40 never arrives
    delayed = [(i, t + (0.2 if i == 70 else 0.0)) for i, t in on_time]  # frame 70 is 200 ms late
    _feed(probe, 1, delayed, monkeypatch)
    result = probe.analyse(10.0, 12.04, expected_streams=1, late_s=0.06)
    assert result["lost"] == 1
    assert result["late"] == 1
    assert result["received"] == 99


def test_a_stream_that_never_arrives_is_lost_for_the_whole_window(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = bench.FrameProbe()
    _feed(probe, 1, [(i, 10.0 + 0.02 * i) for i in range(100)], monkeypatch)
    result = probe.analyse(10.0, 12.0, expected_streams=2, late_s=0.06)
    assert result["lost"] == 100
    assert result["late"] == 0


def test_an_onset_is_heard_at_its_first_loud_sample_after_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = bench.FrameProbe()
    monkeypatch.setattr(bench.time, "monotonic", lambda: 5.0)
    for i in range(6):
        probe.observe(7, _frame(i))
    probe.observe(7, _frame(6, tone_from=480))  # tone starts half-way into the frame
    probe.observe(7, _frame(7, tone_from=0))  # still loud: not a new onset
    assert probe.streams[7].onsets == [pytest.approx(5.0 + 0.01)]
    latencies = bench.match_latencies([4.96], probe.streams[7].onsets, 4.0, 6.0)
    assert latencies["count"] == 1 and latencies["p50_ms"] == pytest.approx(50.0)


def test_the_probe_tone_publishes_one_onset_per_second_of_frames() -> None:
    burst = bench.BurstTone()
    frames = [burst(FRAME) for _ in range(100)]
    assert len(burst.onsets) == 2
    assert any(frames[0]) and any(frames[9]) and not any(frames[10]) and any(frames[50])


@pytest.mark.slow
def test_a_quick_run_measures_every_figure_and_exits_zero(tmp_path: Path) -> None:
    pytest.importorskip("aiortc")
    out = tmp_path / "bot_media.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "largest N with < 1 % late or lost" in proc.stdout
    report = json.loads(out.read_text())
    (raw,), (step,) = report["raw"], report["steps"]
    assert raw["sender_cpu_pct_per_stream"] > 0 and raw["expected"] > 0
    assert step["n"] == 2 and step["bot_cpu_pct_per_bot"] > 0 and step["expected"] > 0
    assert step["latency"]["count"] >= 1 and step["latency"]["p50_ms"] > 0
    assert step["speaker_states"] == ["joined"] and step["listener_state"] == "joined"
