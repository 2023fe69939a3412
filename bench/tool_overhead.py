"""Tool overhead: p50/p95 of a read tool through the in-memory MCP client vs the direct client call.

Both paths hit the same in-process emulator (httpx.ASGITransport), so the difference is what the
MCP layer adds (dispatch, validation, result shaping). Usage:
``.venv/bin/python bench/tool_overhead.py [--n 400]``. Target: <= 1.5 ms added at p50.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mcp import Client
from tests.server.support import make_rig


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure_pair(n: int, mode: str) -> dict[str, list[float]]:
    """meeting_get (its list mode) through MCP vs client.meetings.list with the same arguments, interleaved."""
    with tempfile.TemporaryDirectory(prefix="rtk-bench-") as tmp:
        rig = make_rig(Path(tmp))
        client = await rig.server.deps.client()
        try:
            for i in range(5):
                await client.meetings.create(title=f"bench {i}")
            direct: list[float] = []
            via_mcp: list[float] = []
            async with Client(rig.server, mode=mode) as mcp:  # type: ignore[arg-type]
                for _ in range(30):
                    await client.meetings.list(page_no=1, per_page=5)
                    await mcp.call_tool("meeting_get", {"limit": 5})
                for _ in range(n):
                    t0 = time.perf_counter()
                    await client.meetings.list(page_no=1, per_page=5)
                    direct.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    result = await mcp.call_tool("meeting_get", {"limit": 5})
                    via_mcp.append(time.perf_counter() - t0)
                    assert not result.is_error
        finally:
            await rig.server.deps.aclose()
    return {"direct": direct, "mcp": via_mcp}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400)
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    print(
        f"tool overhead: meeting_get (list, limit 5) via in-memory MCP client vs client.meetings.list, n={args.n}"
    )
    for mode in ("2026-07-28", "legacy"):
        times = anyio.run(measure_pair, args.n, mode)
        d50, d95 = pct(times["direct"], 0.5) * 1000, pct(times["direct"], 0.95) * 1000
        m50, m95 = pct(times["mcp"], 0.5) * 1000, pct(times["mcp"], 0.95) * 1000
        print(
            f"  mode={mode:10s} direct p50 {d50:.2f} ms p95 {d95:.2f} ms | via MCP p50 {m50:.2f} ms p95 {m95:.2f} ms"
            f" | added p50 {m50 - d50:.2f} ms p95 {m95 - d95:.2f} ms (target p50 <= 1.5 ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
