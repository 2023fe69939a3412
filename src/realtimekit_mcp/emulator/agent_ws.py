"""The Agent Participant socket: ``/agent-ws/v1`` (realtimekit-rest-api.md §12.3).

A server-side agent opens ``GET /agent-ws/v1?subscriptions=transcript,participant,broadcast
[&connection_id=...]`` with ``Authorization: Bearer <participant token>`` and subprotocol
``realtimekit.v1``. The handshake succeeding (101) means the agent joined the meeting's session:
it counts as a participant (session participants, webhooks) and keeps the session alive. Frames
are JSON text:

* messages ``{category:"message", name, data}``: ``session.started``, ``session.ended``,
  ``participant.kick_all`` (always), ``participant.join``/``participant.leave`` (subscription
  ``participant``), ``transcript.received`` (``transcript``), ``broadcast.received``
  (``broadcast``);
* requests ``{category:"request", request_id, name, data}`` for ``connection.get`` and
  ``connection.ping``, each answered by one ``{category:"result", request_id, name, data, error}``.

Close codes: 1000 ``session_ended`` (the agent closing with 1000 leaves at once), 1013
``queue_overflow``/``upstream_lost``/``upstream_unavailable``, 4403 ``upstream_rejected``, 4409
``replaced``. Any other close keeps the agent in the session for :data:`RESUME_GRACE` seconds,
queueing events (at most :data:`MAX_QUEUED_EVENTS`), and ``connection_id=`` resumes it. Upgrade
errors are JSON ``{success:false, error:{code, message, retryable}}`` with HTTP 400
``BAD_REQUEST``/``INVALID_QUERY``, 401 ``UNAUTHENTICATED`` or 404 ``CONNECTION_NOT_FOUND``.

Points the reference leaves open are decided here and listed in LIMITATIONS.md ("Agent
Participant socket"). Imports Starlette only (no aiortc, no protobuf).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .errors import EmulatorError
from .routes._common import backend_of, bearer_token, deny_upgrade, guard_control_plane
from .rules.base import iso

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .backend import EmulatorBackend

__all__ = [
    "AGENT_PATH",
    "AGENT_SUBPROTOCOL",
    "MAX_QUEUED_EVENTS",
    "RESUME_GRACE",
    "SUBSCRIPTIONS",
    "AgentHub",
    "agent_hub",
    "agent_routes",
    "close_agent_hub",
]

logger = logging.getLogger(__name__)

AGENT_PATH: Final = "/agent-ws/v1"
AGENT_SUBPROTOCOL: Final = "realtimekit.v1"
SUBSCRIPTIONS: Final = frozenset({"transcript", "participant", "broadcast"})
MAX_QUEUED_EVENTS: Final = 10_000
"""Events one connection may have waiting; one more closes it with 1013 ``queue_overflow``."""
RESUME_GRACE: Final = 5.0
"""Seconds an agent stays in the session after its socket dropped, waiting for a resume."""

SESSION_END_REASONS: Final = {
    "ALL_PARTICIPANTS_LEFT": "all_participants_left",
    "HOST_ENDED_MEETING": "host_ended_meeting",
}
"""Backend end reasons as the socket names them (anything else: ``force_cleanup``)."""

REQUESTS: Final = ("connection.get", "connection.ping")


class Refusal(Exception):
    """An upgrade refused with RealtimeKit's JSON error body."""

    def __init__(self, status: int, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable

    def body(self) -> dict[str, Any]:
        """``{success:false, error:{code, message, retryable}}``."""
        return {
            "success": False,
            "error": {"code": self.code, "message": self.message, "retryable": self.retryable},
        }


@dataclass(eq=False)
class _Link:
    """One WebSocket carrying an agent connection (a resume makes a new link)."""

    websocket: WebSocket
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    close: tuple[int, str] | None = None
    flush: bool = False
    """Send what is queued before closing (``session_ended``)."""
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(eq=False)
class AgentState:
    """One logical agent connection: survives socket drops within :data:`RESUME_GRACE`."""

    connection_id: str
    app_id: str
    meeting_id: str
    session_id: str
    peer_id: str
    participant_id: str
    custom_participant_id: str | None
    display_name: str
    subscriptions: frozenset[str]
    connected_at: str
    queue: deque[str] = field(default_factory=deque)
    link: _Link | None = None
    grace: asyncio.TimerHandle | None = None
    ended: bool = False
    resumes: int = 0

    def public(self) -> dict[str, Any]:
        """The ``connection.get`` result."""
        return {
            "connection_id": self.connection_id,
            "session_id": self.session_id,
            "meeting_id": self.meeting_id,
            "peer_id": self.peer_id,
            "participant_id": self.participant_id,
            "custom_participant_id": self.custom_participant_id,
            "display_name": self.display_name,
            "subscriptions": sorted(self.subscriptions),
            "connected_at": self.connected_at,
            "resumes": self.resumes,
            "queued_events": len(self.queue),
        }


def _parse_subscriptions(raw: str | None) -> frozenset[str]:
    names = [part.strip().lower() for part in (raw or "").split(",") if part.strip()]
    unknown = sorted(set(names) - SUBSCRIPTIONS)
    if unknown:
        raise Refusal(
            400,
            "INVALID_QUERY",
            f"Unknown subscription(s) {', '.join(unknown)}; use {', '.join(sorted(SUBSCRIPTIONS))}",
        )
    return frozenset(names)


def _frame(category: str, name: str, data: Any, **extra: Any) -> str:
    return json.dumps({"category": category, **extra, "name": name, "data": data}, separators=(",", ":"))


class AgentHub:
    """Every Agent Participant connection of one emulator app, fed by backend notices."""

    def __init__(self, backend: EmulatorBackend) -> None:
        self.backend = backend
        self.agents: dict[str, AgentState] = {}
        """By connection id."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.resume_grace = RESUME_GRACE
        self.max_queued_events = MAX_QUEUED_EVENTS
        backend.listeners.append(self._on_notice)

    # -- notices (any thread, inside or after a backend transaction) -----------------------------------
    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        if notice not in (
            "peer.joined",
            "peer.left",
            "peer.kicked",
            "session.kick_all",
            "session.ended",
            "broadcast.sent",
            "transcript",
            "emulator.reset",
        ):
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._handle_notice, notice, data)

    def _in_session(self, session_id: Any) -> list[AgentState]:
        return [a for a in list(self.agents.values()) if not a.ended and a.session_id == session_id]

    def _handle_notice(self, notice: str, data: dict[str, Any]) -> None:
        if notice == "emulator.reset":
            for agent in list(self.agents.values()):
                self._finish(agent, 1013, "upstream_lost", leave=False)
            return
        agents = self._in_session(data.get("session_id"))
        if notice in ("peer.joined", "peer.left"):
            name = "participant.join" if notice == "peer.joined" else "participant.leave"
            event = {
                "peer_id": data["peer_id"],
                "participant_id": data["participant_id"],
                "custom_participant_id": data.get("custom_participant_id"),
                "display_name": data.get("display_name"),
                "picture_url": data.get("picture"),
                "preset_id": data.get("preset_id"),
                "preset_name": data.get("preset_name"),
                "waitlisted": False,
            }
            for agent in agents:
                if "participant" in agent.subscriptions and agent.peer_id != data["peer_id"]:
                    self._enqueue(agent, name, event)
        elif notice == "peer.kicked":
            for agent in agents:
                if agent.peer_id == data.get("peer_id"):
                    self._finish(agent, 4403, "upstream_rejected", leave=False)
        elif notice == "session.kick_all":
            for agent in agents:
                self._enqueue(agent, "participant.kick_all", {"session_id": agent.session_id})
        elif notice == "session.ended":
            reason = SESSION_END_REASONS.get(str(data.get("reason")), "force_cleanup")
            for agent in agents:
                self._enqueue(agent, "session.ended", {"session_id": agent.session_id, "reason": reason})
                self._finish(agent, 1000, "session_ended", leave=False, flush=True)
        elif notice == "broadcast.sent":
            payload: Any = data.get("payload") or b""
            if isinstance(payload, bytes | bytearray):
                text = bytes(payload).decode("utf-8", errors="replace")
                try:
                    payload = json.loads(text) if text else None
                except ValueError:
                    payload = text
            event = {
                "type": data.get("type"),
                "payload": payload,
                "created_at": data.get("created_at") or self._now(),
                "peer_id": data.get("peer_id"),
            }
            for agent in agents:
                if "broadcast" in agent.subscriptions:
                    self._enqueue(agent, "broadcast.received", event)
        elif notice == "transcript":
            event = {k: data[k] for k in data if k not in ("session_id", "meeting_id")}
            for agent in agents:
                if "transcript" in agent.subscriptions:
                    self._enqueue(agent, "transcript.received", event)

    def _now(self) -> str:
        return iso(self.backend.now())

    # -- queueing ------------------------------------------------------------------------------------------
    def _enqueue(self, agent: AgentState, name: str, data: Any) -> None:
        if agent.ended:
            return
        if len(agent.queue) >= self.max_queued_events:
            agent.queue.clear()
            if agent.link is not None:
                logger.info("agent connection %s: queue overflow", agent.connection_id)
                self._close_link(agent.link, 1013, "queue_overflow")
                agent.link = None
                self._start_grace(agent)
            else:  # nobody is coming back for these: the agent leaves
                self._finish(agent, 1013, "queue_overflow", leave=True)
            return
        agent.queue.append(_frame("message", name, data))
        if agent.link is not None:
            agent.link.wake.set()

    def _close_link(self, link: _Link, code: int, reason: str, *, flush: bool = False) -> None:
        if link.close is None:
            link.close = (code, reason)
            link.flush = flush
            link.wake.set()

    def _finish(self, agent: AgentState, code: int, reason: str, *, leave: bool, flush: bool = False) -> None:
        """End an agent connection for good (no resume)."""
        if agent.ended:
            return
        agent.ended = True
        if agent.grace is not None:
            agent.grace.cancel()
            agent.grace = None
        if agent.link is not None:
            self._close_link(agent.link, code, reason, flush=flush)
        self.agents.pop(agent.connection_id, None)
        if leave:
            with contextlib.suppress(EmulatorError):
                self.backend.leave(agent.peer_id)

    def _start_grace(self, agent: AgentState) -> None:
        loop = asyncio.get_running_loop()
        if agent.grace is not None:
            agent.grace.cancel()

        def expire() -> None:
            agent.grace = None
            if agent.link is None:
                logger.info("agent connection %s: resume grace expired", agent.connection_id)
                self._finish(agent, 1000, "resume_expired", leave=True)

        agent.grace = loop.call_later(self.resume_grace, expire)

    # -- the socket ------------------------------------------------------------------------------------------
    async def serve(self, websocket: WebSocket) -> None:
        """Serve one upgrade request from handshake to close."""
        self._loop = asyncio.get_running_loop()
        try:
            agent, resumed = self._admit(websocket)
        except Refusal as refusal:
            await self._refuse(websocket, refusal)
            return
        await websocket.accept(subprotocol=AGENT_SUBPROTOCOL)
        if agent is None:  # the join itself was refused (inactive meeting, ...)
            await websocket.close(code=4403, reason="upstream_rejected")
            return
        link = _Link(websocket)
        old = agent.link
        if old is not None:
            self._close_link(old, 4409, "replaced")
        if agent.grace is not None:
            agent.grace.cancel()
            agent.grace = None
        agent.link = link
        if not resumed:
            self._enqueue(
                agent,
                "session.started",
                {
                    "session_id": agent.session_id,
                    "meeting_id": agent.meeting_id,
                    "connection_id": agent.connection_id,
                    "peer_id": agent.peer_id,
                    "participant_id": agent.participant_id,
                },
            )
        link.wake.set()
        writer = asyncio.ensure_future(self._writer(agent, link))
        self._tasks.add(writer)
        writer.add_done_callback(self._tasks.discard)
        code: int | None = None
        try:
            code = await self._reader(agent, link)
        finally:
            if agent.link is link and not agent.ended:
                agent.link = None
                if code == 1000:
                    self._finish(agent, 1000, "left", leave=True)
                elif link.close is None:
                    self._start_grace(agent)
            if link.close is None:
                link.close = (1000, "closed")
            link.wake.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(writer), 5.0)

    def _admit(self, websocket: WebSocket) -> tuple[AgentState | None, bool]:
        offered = [p.strip() for p in websocket.scope.get("subprotocols") or []]
        if AGENT_SUBPROTOCOL not in offered:
            raise Refusal(400, "BAD_REQUEST", f"Sec-WebSocket-Protocol must offer {AGENT_SUBPROTOCOL}")
        token = bearer_token(websocket)
        if not token:
            raise Refusal(401, "UNAUTHENTICATED", "Missing Authorization: Bearer <participant token>")
        try:
            details = self.backend.verify_participant_token(token)
        except EmulatorError as exc:
            raise Refusal(401, "UNAUTHENTICATED", exc.message) from None
        params = websocket.query_params
        known = {"subscriptions", "connection_id"}
        extra = sorted(set(params.keys()) - known)
        if extra:
            raise Refusal(400, "INVALID_QUERY", f"Unknown query parameter(s) {', '.join(extra)}")
        subscriptions = _parse_subscriptions(params.get("subscriptions"))
        participant = details["participant"]
        connection_id = params.get("connection_id")
        if connection_id is not None:
            agent = self.agents.get(connection_id)
            if agent is None or agent.ended or agent.participant_id != participant["id"]:
                raise Refusal(404, "CONNECTION_NOT_FOUND", "No resumable connection with this connection_id")
            agent.subscriptions = subscriptions
            agent.resumes += 1
            return agent, True
        claims = details["claims"]
        meeting_id = str(claims["meetingId"])
        peer_id = str(uuid.uuid4())
        try:
            joined = self.backend.join(details["app_id"], meeting_id, participant["id"], peer_id=peer_id)
        except EmulatorError as exc:
            logger.info("agent join refused: %s", exc.message)
            return None, False
        agent = AgentState(
            connection_id=str(uuid.uuid4()),
            app_id=details["app_id"],
            meeting_id=meeting_id,
            session_id=str(joined["session_id"]),
            peer_id=peer_id,
            participant_id=str(participant["id"]),
            custom_participant_id=participant.get("custom_participant_id"),
            display_name=participant.get("name") or participant.get("custom_participant_id") or "",
            subscriptions=subscriptions,
            connected_at=self._now(),
        )
        self.agents[agent.connection_id] = agent
        return agent, False

    @staticmethod
    async def _refuse(websocket: WebSocket, refusal: Refusal) -> None:
        logger.info("agent socket refused: %s %s", refusal.status, refusal.code)
        await deny_upgrade(websocket, refusal.status, refusal.body(), reason=refusal.code)

    async def _writer(self, agent: AgentState, link: _Link) -> None:
        websocket = link.websocket
        try:
            while True:
                if link.close is not None and not link.flush:
                    break
                if agent.link is link or link.flush:
                    while agent.queue and (agent.link is link or link.flush):
                        await websocket.send_text(agent.queue.popleft())
                if link.close is not None:
                    break
                link.wake.clear()
                await link.wake.wait()
        except Exception:  # the socket went away; the reader notices
            logger.debug("agent connection %s: send failed", agent.connection_id)
        finally:
            code, reason = link.close or (1011, "server error")
            with contextlib.suppress(Exception):
                await websocket.close(code=code, reason=reason)
            link.done.set()

    async def _reader(self, agent: AgentState, link: _Link) -> int | None:
        """Read requests until the socket closes; returns the client's close code (None if unknown)."""
        websocket = link.websocket
        while link.close is None:
            receive = asyncio.ensure_future(websocket.receive())
            closed = asyncio.ensure_future(link.done.wait())
            try:
                await asyncio.wait({receive, closed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                closed.cancel()
            if not receive.done():
                receive.cancel()
                with contextlib.suppress(BaseException):
                    await receive
                return None
            try:
                message = receive.result()
            except (WebSocketDisconnect, RuntimeError):
                return None
            if message["type"] == "websocket.disconnect":
                code = message.get("code")
                return int(code) if code is not None else None
            text = message.get("text")
            if text is not None:
                self._request(agent, link, text)
        return None

    def _request(self, agent: AgentState, link: _Link, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            logger.info("agent connection %s: a frame that is not JSON", agent.connection_id)
            return
        if not isinstance(frame, dict) or frame.get("category") != "request":
            return  # the agent is receive-only: other frames are ignored
        request_id = frame.get("request_id")
        name = frame.get("name")
        data: Any = None
        error: dict[str, Any] | None = None
        if not isinstance(request_id, str | int) or isinstance(request_id, bool):
            error = {"code": "BAD_REQUEST", "message": "request_id is required"}
            request_id = None
        elif name == "connection.ping":
            data = {"pong": True, "timestamp": self._now()}
        elif name == "connection.get":
            data = agent.public()
        else:
            error = {
                "code": "UNKNOWN_REQUEST",
                "message": f"Unknown request {name!r}; supported: {', '.join(REQUESTS)}",
            }
        result = json.dumps(
            {
                "category": "result",
                "request_id": request_id,
                "name": name,
                "data": data,
                "error": error,
            },
            separators=(",", ":"),
        )
        # results jump the event queue: a ping must not wait behind 10,000 events
        agent.queue.appendleft(result)
        link.wake.set()

    # -- shut-down --------------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close every agent connection (1013 ``upstream_unavailable``); agents leave their sessions."""
        for agent in list(self.agents.values()):
            link = agent.link
            self._finish(agent, 1013, "upstream_unavailable", leave=True)
            if link is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(link.done.wait(), 2.0)
        for task in list(self._tasks):
            task.cancel()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every agent connection (inspection, tests)."""
        return [{**a.public(), "connected": a.link is not None} for a in self.agents.values()]


def agent_hub(app: Starlette | Any) -> AgentHub:
    """The app's agent hub, created on first use."""
    hub: AgentHub | None = getattr(app.state, "agent_hub", None)
    if hub is None:
        hub = AgentHub(app.state.backend)
        app.state.agent_hub = hub
    return hub


async def close_agent_hub(app: Starlette | Any) -> None:
    """Close every agent connection of the app (no-op if none was ever opened)."""
    hub: AgentHub | None = getattr(app.state, "agent_hub", None)
    if hub is not None:
        await hub.aclose()


async def _endpoint(websocket: WebSocket) -> None:
    await agent_hub(websocket.app).serve(websocket)


async def inspect_intelligence(request: Request) -> Response:
    """``GET /_emulator/intelligence``: Agent Participant connections and transcription counts
    (control-plane access rules: loopback, or the API token from elsewhere)."""
    backend = backend_of(request)
    guard_control_plane(request, backend)
    hub: AgentHub | None = getattr(request.app.state, "agent_hub", None)
    transcriber = getattr(request.app.state, "transcriber", None)
    data = {
        "agents": hub.snapshot() if hub is not None else [],
        "transcription": transcriber.stats() if transcriber is not None else None,
    }
    return JSONResponse({"success": True, "data": data})


def agent_routes() -> list[BaseRoute]:
    """``WebSocket /agent-ws/v1`` and ``GET /_emulator/intelligence``."""
    return [
        WebSocketRoute(AGENT_PATH, _endpoint),
        Route("/_emulator/intelligence", inspect_intelligence, methods=["GET"]),
    ]
