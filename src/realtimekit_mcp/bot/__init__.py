"""A live bot participant for RealtimeKit meetings (aiortc + the socket edge protocol).

Three layers: :mod:`.signalling` (REST bootstrap, WebSocket, protobuf), :mod:`.peer` (aiortc
peer connections, SDP flows), :mod:`.tracks` (PCM and video in/out); :mod:`.participant` is the
API (:class:`BotParticipant`) and :mod:`.manager` holds many bots (:class:`BotManager`).

Importing this package is cheap: aiortc, av, protobuf and websockets load only when one of the
names below is first used (install the ``bot`` extra: ``pip install 'realtimekit-mcp[bot]'``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from realtimekit_mcp.bot.agent_listen import AgentListener
    from realtimekit_mcp.bot.chat_files import ChatFileError
    from realtimekit_mcp.bot.host import HostActionError
    from realtimekit_mcp.bot.manager import BotLimitError, BotManager, BotManagerLimits, UnknownBotError
    from realtimekit_mcp.bot.participant import BotConfig, BotEvent, BotJoinError, BotParticipant, BotState
    from realtimekit_mcp.bot.plugins import PluginError
    from realtimekit_mcp.bot.polls import PollError

__all__ = [
    "AgentListener",
    "BotConfig",
    "BotEvent",
    "BotJoinError",
    "BotLimitError",
    "BotManager",
    "BotManagerLimits",
    "BotParticipant",
    "BotState",
    "ChatFileError",
    "HostActionError",
    "PluginError",
    "PollError",
    "UnknownBotError",
]

_WHERE = {
    "AgentListener": "agent_listen",
    "BotConfig": "participant",
    "BotEvent": "participant",
    "BotJoinError": "participant",
    "BotParticipant": "participant",
    "BotState": "participant",
    "BotLimitError": "manager",
    "BotManager": "manager",
    "BotManagerLimits": "manager",
    "UnknownBotError": "manager",
    "ChatFileError": "chat_files",
    "HostActionError": "host",
    "PluginError": "plugins",
    "PollError": "polls",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the bot needs the 'bot' extra ({exc.name} is missing): pip install 'realtimekit-mcp[bot]'"
        ) from exc
