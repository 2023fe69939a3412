"""Listening through the Agent Participant socket: the service's transcripts, no local STT.

``BotConfig(listen_via="agent")`` makes a bot open an :class:`~realtimekit_mcp.agent.AgentConnection`
with its own participant token (subscriptions ``transcript`` and ``participant``) and re-emit
each final ``transcript.received`` as a bot ``transcript`` event with ``source="agent"``. On
Cloudflare the transcripts come from Cloudflare's own transcription (speakers need
``permissions.transcription_enabled`` on their preset); the emulator serves the same socket at
``/agent-ws/v1``. The socket URL is derived from the bot's ``api_base``
(``https://api.realtime.cloudflare.com`` gives ``wss://api.realtime.cloudflare.com/agent-ws/v1``),
or set with ``BotConfig.agent_url``.

:class:`AgentListener` also works on its own as a receive-only listener that joins no media::

    listener = AgentListener(token, url=agent_url(origin), on_segment=print)
    await listener.start()
    ...
    await listener.aclose()  # code 1000: the agent leaves the meeting

Note that the agent socket is a participant join of its own (a second peer of the same
participant next to the bot's media peer); closing it with 1000 makes that peer leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from realtimekit_mcp.agent import AgentConnection, AgentEvent, agent_url
from realtimekit_mcp.speech.listen import TranscriptSegment

__all__ = ["AGENT_SUBSCRIPTIONS", "LISTEN_VIA", "AgentListener", "agent_url_for", "segment_from_agent"]

logger = logging.getLogger(__name__)

AGENT_SUBSCRIPTIONS: Final = ("transcript", "participant")
LISTEN_VIA: Final = ("media", "agent")
"""Values of ``BotConfig.listen_via``: local STT on received audio, or the Agent Participant socket."""


def agent_url_for(api_base: str, override: str | None = None) -> str:
    """The Agent Participant socket URL for a bot's client API origin (or ``override``)."""
    return override or agent_url(api_base)


def _epoch(value: Any, default: float) -> float:
    """Seconds since the epoch from a number (seconds or milliseconds) or an ISO-8601 string."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        with contextlib.suppress(ValueError):
            return _epoch(float(value), default)
    return default


def segment_from_agent(event: AgentEvent, index: int) -> TranscriptSegment | None:
    """A :class:`TranscriptSegment` from a final ``transcript.received`` event (None otherwise)."""
    data = event.data
    if event.name != "transcript.received" or not isinstance(data, Mapping):
        return None
    if data.get("is_final") is False:
        return None
    text = str(data.get("text") or "").strip()
    if not text:
        return None
    speaker = data.get("speaker") if isinstance(data.get("speaker"), Mapping) else {}
    assert isinstance(speaker, Mapping)
    participant_id = str(speaker.get("participant_id") or "")
    end = _epoch(data.get("ended_at"), event.received_at)
    start = _epoch(data.get("started_at"), end)
    return TranscriptSegment(
        id=f"agent-{participant_id or 'unknown'}-{index}",
        speaker_key=participant_id,
        participant_id=participant_id,
        peer_id=str(speaker.get("peer_id") or ""),
        speaker_name=str(speaker.get("display_name") or speaker.get("custom_participant_id") or ""),
        text=text,
        start=min(start, end),
        end=end,
        transcribed_at=event.received_at,
    )


class AgentListener:
    """Reads the service's transcripts from an Agent Participant socket and hands each final on.

    Args:
        token: a participant token (registered for redaction by the connection).
        url: the socket URL (see :func:`agent_url_for`).
        on_segment: called with each final segment and the raw event data (speech of
            ``skip_participant_id`` is dropped: a bot never hears itself).
        skip_participant_id: the listening bot's own participant id.
        on_end: called once with ``(close code, reason)`` when the socket ends for good
            (not when :meth:`aclose` closed it).
        connection: a ready-made (not yet connected) :class:`AgentConnection` (tests).
    """

    def __init__(
        self,
        token: str,
        *,
        url: str,
        on_segment: Callable[[TranscriptSegment, Mapping[str, Any]], None],
        skip_participant_id: str | None = None,
        on_end: Callable[[int | None, str], None] | None = None,
        ping_interval: float | None = 20.0,
        connection: AgentConnection | None = None,
    ) -> None:
        self.connection = connection or AgentConnection(
            token, url=url, subscriptions=AGENT_SUBSCRIPTIONS, ping_interval=ping_interval
        )
        self._on_segment = on_segment
        self._on_end = on_end
        self.skip_participant_id = skip_participant_id
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.segments = 0

    def __repr__(self) -> str:
        return f"AgentListener({self.connection!r}, segments={self.segments})"

    @property
    def active(self) -> bool:
        """Whether the socket is open (or resuming)."""
        return self._task is not None and not self.connection.ended.is_set()

    async def start(self) -> None:
        """Open the socket and start forwarding transcripts.

        Raises:
            realtimekit_mcp.agent.AgentError: the socket could not be opened.
        """
        if self._task is not None:
            return
        await self.connection.connect()
        self._task = asyncio.create_task(self._pump(), name="rtk-bot-agent-listen")

    async def _pump(self) -> None:
        index = 0
        async for event in self.connection.transcripts():
            segment = segment_from_agent(event, index + 1)
            if segment is None:
                continue
            if self.skip_participant_id and segment.participant_id == self.skip_participant_id:
                continue
            index += 1
            self.segments += 1
            try:
                self._on_segment(segment, event.data)
            except Exception:  # a faulty callback must not stop the listener
                logger.exception("agent listener: on_segment failed")
        if not self._closing and self._on_end is not None:
            self._on_end(self.connection.close_code, self.connection.close_reason)

    async def aclose(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket (1000 leaves the meeting) and stop forwarding. Idempotent."""
        self._closing = True
        await self.connection.close(code, reason)
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
