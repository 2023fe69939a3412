"""The event sink through which the backend reports what happened (webhook events)."""

from __future__ import annotations

import threading
from typing import Any, Protocol

WEBHOOK_EVENTS: tuple[str, ...] = (
    "meeting.started",
    "meeting.ended",
    "meeting.participantJoined",
    "meeting.participantLeft",
    "meeting.chatSynced",
    "recording.statusUpdate",
    "livestreaming.statusUpdate",
    "meeting.transcript",
    "meeting.summary",
)
"""Every webhook event, in the order Cloudflare's SDK lists them."""


class EventSink(Protocol):
    """Receives events; must not block and must not call back into the backend synchronously."""

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """Accept one event; ``payload`` is the full webhook body (it includes ``event``)."""


class NullEventSink:
    """Drops every event (the default)."""

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """Ignore the event."""


class RecordingEventSink:
    """Keeps every event in memory, in order; for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """Append the event."""
        with self._lock:
            self.events.append((event, payload))

    def names(self) -> list[str]:
        """The names of the events received so far."""
        with self._lock:
            return [name for name, _ in self.events]

    def of(self, event: str) -> list[dict[str, Any]]:
        """The payloads of every event called ``event``."""
        with self._lock:
            return [payload for name, payload in self.events if name == event]
