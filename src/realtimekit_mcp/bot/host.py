"""Bot feature: host (being built for issue 6; see /tmp/rtk-plan/contract.md)."""

from __future__ import annotations

from realtimekit_mcp.bot.features import BotFeature

__all__ = ["HostControls"]


class HostControls(BotFeature):
    """Placeholder until the feature lands."""

    name = "host"
