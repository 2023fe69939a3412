"""The bot toolset's handle pattern (its tools arrive with the bot feature)."""

from __future__ import annotations

from realtimekit_mcp.tools.bot import HANDLE_PREFIX, new_handle, unknown_handle


def test_handles_are_opaque_and_unique() -> None:
    handles = {new_handle() for _ in range(100)}
    assert len(handles) == 100 and all(h.startswith(HANDLE_PREFIX) and len(h) > 12 for h in handles)


def test_unknown_handle_error_says_how_to_recover() -> None:
    text = str(unknown_handle("bot_x"))
    assert "bot_x" in text and "bot_join" in text
