"""The README tool table is generated from the registry and must be current."""

from __future__ import annotations

from pathlib import Path

from realtimekit_mcp.server.docs import END, START, render, tool_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tool_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README tool table is stale: run python -m realtimekit_mcp.server.docs"


def test_table_lists_every_toolset() -> None:
    table = tool_table()
    for name in (
        "meetings",
        "participants",
        "sessions",
        "recordings",
        "bot",
        "livestreams",
        "presets",
        "webhooks",
    ):
        assert f"`{name}`" in table
    assert START not in table and END not in table
