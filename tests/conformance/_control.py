"""The emulator's control plane (``/_emulator/...``), used to make live sessions exist.

Live sessions come from real joins in production; the control plane seeds them (with participants,
chat and transcript lines), ends them and moves the emulator's clock, so session, recording and
livestream operations can be exercised without media.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient


@dataclass(frozen=True)
class SeededSession:
    """A live session started through the control plane."""

    session_id: str
    peer_ids: dict[str, str]  # participant id -> peer id
    raw: dict[str, Any]


def _ok(response: Any) -> Any:
    assert response.is_success, (
        f"control plane {response.request.url.path}: {response.status_code} {response.text}"
    )
    return response.json()["data"]


def _seed_body(
    meeting_id: str,
    participant_ids: Sequence[str],
    chat: Sequence[tuple[str, str]],
    transcript: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "meeting_id": meeting_id,
        "chat": [{"participant": who, "text": text} for who, text in chat],
        "transcript": [{"participant": who, "text": text} for who, text in transcript],
    }
    if participant_ids:
        body["participants"] = [{"participant_id": pid} for pid in participant_ids]
    return body


def _seeded(data: dict[str, Any]) -> SeededSession:
    return SeededSession(
        session_id=data["session"]["id"],
        peer_ids={peer["participant_id"]: peer["peer_id"] for peer in data["peers"]},
        raw=data,
    )


async def start_session(
    http: httpx.AsyncClient,
    meeting_id: str,
    participant_ids: Sequence[str],
    *,
    chat: Sequence[tuple[str, str]] = (),
    transcript: Sequence[tuple[str, str]] = (),
) -> SeededSession:
    """Start a LIVE session of ``meeting_id`` in which ``participant_ids`` have joined.

    ``chat`` and ``transcript`` are (participant id, text) lines, in order. With no participants
    the emulator seeds a default host.
    """
    body = _seed_body(meeting_id, participant_ids, chat, transcript)
    return _seeded(_ok(await http.post("/_emulator/sessions", json=body)))


async def end_session(http: httpx.AsyncClient, session_id: str) -> None:
    """End the live session ``session_id`` now (as if the host ended it)."""
    _ok(await http.post(f"/_emulator/sessions/{session_id}/end", json={}))


async def advance(http: httpx.AsyncClient, *, seconds: float) -> None:
    """Move the emulator's clock forward, running the timed transitions that fall due."""
    _ok(await http.post("/_emulator/clock/advance", json={"seconds": seconds}))


def start_session_sync(
    client: TestClient,
    meeting_id: str,
    participant_ids: Sequence[str],
    *,
    chat: Sequence[tuple[str, str]] = (),
    transcript: Sequence[tuple[str, str]] = (),
) -> SeededSession:
    """``start_session`` for a synchronous client (Starlette's TestClient)."""
    body = _seed_body(meeting_id, participant_ids, chat, transcript)
    return _seeded(_ok(client.post("/_emulator/sessions", json=body)))


def end_session_sync(client: TestClient, session_id: str) -> None:
    """``end_session`` for a synchronous client."""
    _ok(client.post(f"/_emulator/sessions/{session_id}/end", json={}))
