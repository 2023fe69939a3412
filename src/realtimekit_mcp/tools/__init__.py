"""The toolsets, one module each. ``TOOLSETS`` is their stable order (also the tools/list order).

Importing this package defines data only; ``realtimekit_mcp.server.app.build_server`` decides
which tools to register.
"""

from realtimekit_mcp.server.registry import Toolset
from realtimekit_mcp.tools import (
    analytics,
    bot,
    host,
    livestreams,
    meetings,
    participants,
    presets,
    recordings,
    sessions,
    webhooks,
)

TOOLSETS: tuple[Toolset, ...] = (
    meetings.TOOLSET,
    participants.TOOLSET,
    sessions.TOOLSET,
    recordings.TOOLSET,
    bot.TOOLSET,
    host.TOOLSET,
    livestreams.TOOLSET,
    presets.TOOLSET,
    webhooks.TOOLSET,
    analytics.TOOLSET,
)

__all__ = ["TOOLSETS"]
