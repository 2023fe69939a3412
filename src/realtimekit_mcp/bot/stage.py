"""Bot feature: the bot's own place on a webinar stage (being built; see /tmp/rtk-plan/stage.md)."""

from __future__ import annotations

from realtimekit_mcp.bot.features import BotFeature

__all__ = ["SelfStage"]


class SelfStage(BotFeature):
    """Placeholder until the feature lands."""

    name = "stage"
