"""Toolset ``bot``: a live participant the agent controls (join, speak, listen, chat, leave).

Its tools arrive with the bot issue; the toolset is defined now, on by default, with no tools.

Handle pattern (the 2026-07-28 spec's "Stateful Tools" guidance): the protocol keeps no session,
so ``bot_join`` returns an opaque handle ``bot_id`` and every other bot tool takes it. A handle:

- is opaque (``bot_`` + random text), never a meeting or participant id;
- lives until ``bot_leave``, the end of the meeting's session, or the server's exit, and every
  bot tool description says so;
- is checked on every call; an unknown or expired handle gives a ``ToolError`` that tells the
  model to call ``bot_join`` again (``unknown_handle``).
"""

import secrets
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from realtimekit_mcp.server.registry import Toolset

HANDLE_PREFIX = "bot_"

BotId = Annotated[
    str,
    Field(description="Handle from bot_join; valid until bot_leave, the session ends, or the server stops"),
]


def new_handle() -> str:
    """A fresh opaque bot handle."""
    return HANDLE_PREFIX + secrets.token_urlsafe(12)


def unknown_handle(bot_id: str) -> ToolError:
    """The error for a handle that is unknown or expired, with the way out."""
    return ToolError(
        f"Unknown or expired bot_id {bot_id!r}: the bot left, its session ended, or the server restarted. "
        "Call bot_join again to get a new bot_id."
    )


TOOLSET = Toolset(
    id="bot",
    description="A live participant the agent controls (tools arrive with the bot feature; none yet).",
    default=True,
    tools=(),
    note="Defined with its handle pattern; no tools yet.",
)
