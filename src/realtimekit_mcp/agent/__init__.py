"""A client for RealtimeKit's Agent Participant WebSocket (``/agent-ws/v1``, receive-only).

:class:`AgentConnection` joins a meeting as a server-side agent with a participant token and
yields transcripts, joins and leaves, and broadcasts as :class:`AgentEvent` s; it answers
``connection.get``/``connection.ping`` requests and resumes a dropped connection within the
service's grace period. Works against Cloudflare (``wss://api.realtime.cloudflare.com``) and the
emulator (``ws://127.0.0.1:<port>``).

Importing this package is cheap: ``websockets`` loads when a connection is opened (install the
``bot`` extra: ``pip install 'realtimekit-mcp[bot]'``).
"""

from __future__ import annotations

from realtimekit_mcp.agent.connection import (
    CLOUDFLARE_AGENT_URL,
    AgentClosedError,
    AgentConnection,
    AgentError,
    AgentEvent,
    AgentRequestError,
    AgentUpgradeError,
    agent_url,
)

__all__ = [
    "CLOUDFLARE_AGENT_URL",
    "AgentClosedError",
    "AgentConnection",
    "AgentError",
    "AgentEvent",
    "AgentRequestError",
    "AgentUpgradeError",
    "agent_url",
]
