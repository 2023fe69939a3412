"""One JSON snapshot per tool (what tools/list sends). ``UPDATE_TOOLSNAPS=1`` rewrites them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.tools.tokens import visible

SNAPS = Path(__file__).parent / "__toolsnaps__"


def _render(tool: Any) -> str:
    return json.dumps(visible(tool), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_each_tool_matches_its_snapshot(all_tools: list[Any]) -> None:
    update = os.environ.get("UPDATE_TOOLSNAPS") == "1"
    stale: list[str] = []
    for tool in all_tools:
        path = SNAPS / f"{tool.name}.json"
        body = _render(tool)
        if update:
            SNAPS.mkdir(exist_ok=True)
            path.write_text(body, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != body:
            stale.append(tool.name)
    assert not stale, f"tool surface changed for {stale}; review, then rerun with UPDATE_TOOLSNAPS=1"


def test_no_snapshot_is_left_for_a_removed_tool(all_tools: list[Any]) -> None:
    names = {t.name for t in all_tools}
    if os.environ.get("UPDATE_TOOLSNAPS") == "1":
        for path in SNAPS.glob("*.json"):
            if path.stem not in names:
                path.unlink()
    assert {p.stem for p in SNAPS.glob("*.json")} == names
