"""The plug-in points of :class:`~realtimekit_mcp.bot.participant.BotParticipant` for its meeting features.

Each feature (participants view, host controls, polls, plugins, chat files) is one object owned by
the bot. It registers its own socket push handlers, adds its part to :meth:`BotParticipant.status`,
and reaches the bot only through the small surface of :class:`BotFeature` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from realtimekit_mcp.bot.participant import BotParticipant
    from realtimekit_mcp.bot.signalling import SignallingClient

__all__ = ["BotFeature"]


class BotFeature:
    """Base of one meeting feature of a bot."""

    name: str = ""
    """Key of this feature's part in :meth:`BotParticipant.status` (empty: none)."""

    def __init__(self, bot: BotParticipant) -> None:
        self.bot = bot

    def register(self, sig: SignallingClient) -> None:
        """Install this feature's push handlers on a (new) signalling client."""

    def reset(self) -> None:
        """Forget per-connection state (called before a rejoin after a reconnect)."""

    def status(self) -> dict[str, Any]:
        """This feature's part of the bot's status (JSON-ready)."""
        return {}
