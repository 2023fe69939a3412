"""Cold start: time from spawn to the tools/list reply over stdio, this server vs a bare MCPServer.

Runs the two commands alternately (``--runs`` each, default 9), speaking raw JSON-RPC on the pipes
(initialize, initialized, tools/list) so the client adds nothing, and prints the medians and the
ratio. Usage: ``.venv/bin/python bench/cold_start.py [--runs 9]``. Target: ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUESTS = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]


def spawn_to_tools_list(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds from spawn to the tools/list reply, CPU seconds the child used by then)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in REQUESTS))
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{cmd} exited before answering tools/list")
            if json.loads(line).get("id") == 2:
                elapsed = time.perf_counter() - start
                break
    finally:
        proc.kill()
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = -9
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    ours = [sys.executable, "-m", "realtimekit_mcp", "serve"]
    bare = [sys.executable, str(HERE / "bare_server.py")]
    wall: dict[str, list[float]] = {"realtimekit-mcp serve": [], "bare MCPServer": []}
    cpu: dict[str, list[float]] = {"realtimekit-mcp serve": [], "bare MCPServer": []}
    with tempfile.TemporaryDirectory(prefix="rtk-bench-") as data_dir:
        env["REALTIMEKIT_DATA_DIR"] = data_dir
        spawn_to_tools_list(ours, env)  # warm the OS file cache once for each
        spawn_to_tools_list(bare, env)
        for _ in range(args.runs):
            for name, cmd in (("bare MCPServer", bare), ("realtimekit-mcp serve", ours)):
                w, c = spawn_to_tools_list(cmd, env)
                wall[name].append(w)
                cpu[name].append(c)
    print(f"cold start (spawn -> tools/list reply), {args.runs} alternating runs each")
    for name in wall:
        print(
            f"  {name:22s} wall median {statistics.median(wall[name]) * 1000:7.1f} ms"
            f" (min {min(wall[name]) * 1000:6.1f})   CPU median {statistics.median(cpu[name]) * 1000:7.1f} ms"
        )
        print(f"  {'':22s} runs: {', '.join(f'{t * 1000:.0f}' for t in wall[name])}")
    ours_name, bare_name = "realtimekit-mcp serve", "bare MCPServer"
    ratio = statistics.median(wall[ours_name]) / statistics.median(wall[bare_name])
    ratio_min = min(wall[ours_name]) / min(wall[bare_name])
    ratio_cpu = statistics.median(cpu[ours_name]) / statistics.median(cpu[bare_name])
    print(
        f"  ratio of medians {ratio:.3f} (target <= 1.15); of minima {ratio_min:.3f}; of CPU medians {ratio_cpu:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
