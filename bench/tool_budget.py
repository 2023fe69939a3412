"""Token budget of the tool surface: cl100k tokens per tool and per toolset, as tools/list sends them.

Counts name, title, description, inputSchema, outputSchema and annotations (compact JSON), offline
(``bpe-openai`` bundles the cl100k_base ranks). Usage: ``.venv/bin/python bench/tool_budget.py``.
Budgets: default <= 15 tools and <= 3,500 tokens; all <= 40 tools and <= 9,000; any tool <= 450.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mcp import Client
from tests.server.support import make_rig
from tests.tools.tokens import count

from realtimekit_mcp.server.registry import all_toolsets


async def tools_of(toolsets: tuple[str, ...]) -> list[Any]:
    with tempfile.TemporaryDirectory(prefix="rtk-bench-") as tmp:
        rig = make_rig(Path(tmp), toolsets=toolsets)
        async with Client(rig.server, mode="2026-07-28") as client:  # type: ignore[arg-type]
            return list((await client.list_tools()).tools)


def main() -> int:
    every = anyio.run(tools_of, ("all",))
    default = anyio.run(tools_of, ("default",))
    cost = {t.name: count(t) for t in every}
    has_output = {t.name for t in every if t.output_schema}
    print("| Toolset | Default | Tools | Tokens |")
    print("|---|---|---|---|")
    for ts in all_toolsets():
        names = [s.name for s in ts.tools]
        print(
            f"| {ts.id} | {'yes' if ts.default else 'no'} | {len(names)} | {sum(cost[n] for n in names):,} |"
        )
    d_total = sum(cost[t.name] for t in default)
    a_total = sum(cost.values())
    print(f"| **default surface** | | **{len(default)}** | **{d_total:,}** (budget 15 / 3,500) |")
    print(f"| **all toolsets** | | **{len(every)}** | **{a_total:,}** (budget 40 / 9,000) |")
    print()
    print("| Tool | Tokens | outputSchema |")
    print("|---|---|---|")
    for t in every:
        print(f"| `{t.name}` | {cost[t.name]} | {'yes' if t.name in has_output else ''} |")
    values = sorted(cost.values())
    p90 = values[int(0.9 * (len(values) - 1))]
    print()
    print(f"per tool: median {statistics.median(values):.0f}, p90 {p90}, max {max(values)} (budget 450)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
