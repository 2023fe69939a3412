"""``AgentConnection``: one Agent Participant socket (realtimekit-rest-api.md §12.3).

Usage::

    async with AgentConnection(token, url=agent_url("http://127.0.0.1:8787")) as agent:
        async for event in agent.events():
            if event.name == "transcript.received" and event.data["is_final"]:
                print(event.data["speaker"]["display_name"], event.data["text"])

Protocol: ``GET <url>?subscriptions=...[&connection_id=...]`` with ``Authorization: Bearer
<participant token>`` and subprotocol ``realtimekit.v1``; JSON frames ``{category:"message",
name, data}`` (events), ``{category:"request", request_id, name, data}`` (ours) and
``{category:"result", request_id, name, data, error}`` (answers). Close codes 1000
(``session_ended``; closing with 1000 ourselves leaves the meeting), 1013, 4403, 4409. Any other
close may be resumed within the service's 5 s grace with ``connection_id``; this client does that
on its own (``auto_resume``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from realtimekit_mcp._redact import redact, register_secret

__all__ = [
    "CLOUDFLARE_AGENT_URL",
    "NOT_RESUMABLE",
    "SUBPROTOCOL",
    "AgentClosedError",
    "AgentConnection",
    "AgentError",
    "AgentEvent",
    "AgentRequestError",
    "AgentUpgradeError",
    "agent_url",
]

logger = logging.getLogger(__name__)

CLOUDFLARE_AGENT_URL: Final = "wss://api.realtime.cloudflare.com/agent-ws/v1"
SUBPROTOCOL: Final = "realtimekit.v1"
ALL_SUBSCRIPTIONS: Final = ("transcript", "participant", "broadcast")
NOT_RESUMABLE: Final = frozenset({1000, 4403, 4409})
"""Close codes after which the connection cannot be resumed (session over, rejected, replaced)."""


def agent_url(origin: str) -> str:
    """The socket URL of a server origin: ``http://127.0.0.1:8787`` -> ``ws://127.0.0.1:8787/agent-ws/v1``."""
    base = origin.rstrip("/")
    for scheme, ws in (
        ("https://", "wss://"),
        ("http://", "ws://"),
        ("wss://", "wss://"),
        ("ws://", "ws://"),
    ):
        if base.startswith(scheme):
            rest = base[len(scheme) :]
            return ws + (rest if rest.endswith("/agent-ws/v1") else rest + "/agent-ws/v1")
    raise ValueError(f"origin must start with http(s):// or ws(s):// (got {origin!r})")


class AgentError(Exception):
    """Base class of the Agent Participant client's errors."""


class AgentUpgradeError(AgentError):
    """The server refused the WebSocket upgrade (HTTP status and RealtimeKit's error body)."""

    def __init__(self, status: int, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"agent socket refused ({status} {code}): {redact(message)}")
        self.status = status
        self.code = code
        self.message = redact(message)
        self.retryable = retryable


class AgentClosedError(AgentError):
    """The connection is closed (for good); ``code``/``reason`` are the WebSocket close frame's."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"agent socket closed ({code}: {reason or 'no reason'})")
        self.code = code
        self.reason = reason


class AgentRequestError(AgentError):
    """A request's result carried an error."""

    def __init__(self, name: str, code: str, message: str) -> None:
        super().__init__(f"{name} failed ({code}): {redact(message)}")
        self.name = name
        self.code = code
        self.message = redact(message)


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """One message frame: ``name`` (``transcript.received``...), ``data``; ``seq`` counts from 1."""

    seq: int
    name: str
    data: Any
    received_at: float


class AgentConnection:
    """One Agent Participant connection. ``await connect()`` (or ``async with``), read, ``close()``.

    Not thread-safe; use from one asyncio event loop.

    Args:
        token: the participant token (never printed; registered for redaction).
        url: the socket URL (:data:`CLOUDFLARE_AGENT_URL`; emulator: :func:`agent_url` of its origin).
        subscriptions: any of ``transcript``, ``participant``, ``broadcast``.
        ping_interval: seconds between ``connection.ping`` requests (None: never).
        request_timeout: seconds to wait for a result.
        open_timeout: seconds to wait for the upgrade.
        max_events: events kept for :meth:`events` / :meth:`wait_event` (oldest dropped).
        auto_resume: reconnect with ``connection_id`` after a resumable close.
        resume_window: seconds to keep trying to resume (the service's grace is 5 s).
        connect: opens the WebSocket (tests); default ``websockets.asyncio.client.connect``.
    """

    def __init__(
        self,
        token: str,
        *,
        url: str = CLOUDFLARE_AGENT_URL,
        subscriptions: Iterable[str] = ALL_SUBSCRIPTIONS,
        ping_interval: float | None = 20.0,
        request_timeout: float = 10.0,
        open_timeout: float = 10.0,
        max_events: int = 10_000,
        auto_resume: bool = True,
        resume_window: float = 5.0,
        connect: Callable[..., Any] | None = None,
    ) -> None:
        register_secret(token)
        self._token = token
        self.url = url
        self.subscriptions = tuple(dict.fromkeys(s.strip().lower() for s in subscriptions if s.strip()))
        self.ping_interval = ping_interval
        self.request_timeout = request_timeout
        self.open_timeout = open_timeout
        self.auto_resume = auto_resume
        self.resume_window = resume_window
        self._connect_fn = connect
        self._ws: Any = None
        self._events: deque[AgentEvent] = deque(maxlen=max_events)
        self._seq = 0
        self._changed = asyncio.Event()
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None
        self._closing = False
        self.connection_id: str | None = None
        """Set from ``session.started`` (or :meth:`get_connection`); needed to resume."""
        self.session_id: str | None = None
        self.close_code: int | None = None
        self.close_reason: str = ""
        self.resumes = 0
        self.ended = asyncio.Event()
        """Set once the connection is closed for good."""

    def __repr__(self) -> str:
        state = "ended" if self.ended.is_set() else ("open" if self._ws is not None else "new")
        return f"AgentConnection(url={self.url!r}, connection_id={self.connection_id!r}, state={state!r})"

    # ------------------------------------------------------------------ connecting

    def _query(self, connection_id: str | None) -> str:
        params: dict[str, str] = {"subscriptions": ",".join(self.subscriptions)}
        if connection_id:
            params["connection_id"] = connection_id
        return urlencode(params, safe=",")

    async def _open(self, connection_id: str | None) -> Any:
        connect = self._connect_fn
        if connect is None:
            try:
                from websockets.asyncio.client import connect as ws_connect
            except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
                raise AgentError(
                    "the Agent Participant client needs websockets: pip install 'realtimekit-mcp[bot]'"
                ) from exc
            connect = ws_connect
        from websockets.exceptions import InvalidStatus
        from websockets.typing import Subprotocol

        uri = f"{self.url}?{self._query(connection_id)}"
        try:
            return await connect(
                uri,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                subprotocols=[Subprotocol(SUBPROTOCOL)],
                open_timeout=self.open_timeout,
                ping_interval=None,
                max_size=2**22,
            )
        except InvalidStatus as exc:
            response = exc.response
            code, message, retryable = "HTTP_ERROR", f"HTTP {response.status_code}", False
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                error = json.loads(bytes(response.body or b"").decode())["error"]
                code = str(error.get("code", code))
                message = str(error.get("message", message))
                retryable = bool(error.get("retryable", False))
            raise AgentUpgradeError(response.status_code, code, message, retryable=retryable) from None
        except (OSError, TimeoutError) as exc:
            raise AgentError(f"could not reach the agent socket: {redact(str(exc))}") from None

    async def connect(self, *, connection_id: str | None = None) -> None:
        """Open the socket (``connection_id`` resumes an earlier connection of the same token).

        Raises:
            AgentUpgradeError: the server refused (401 UNAUTHENTICATED, 400 INVALID_QUERY, 404 ...).
            AgentError: the server is unreachable.

        A join the meeting refuses after the upgrade (e.g. 4403 ``upstream_rejected`` for an
        inactive meeting) shows as the connection ending: see :meth:`wait_closed` / :attr:`ended`.
        """
        if self._ws is not None or self.ended.is_set():
            raise AgentError("connect() is called once per AgentConnection")
        if connection_id:
            self.connection_id = connection_id
        self._ws = await self._open(connection_id)
        self._reader = asyncio.create_task(self._read_loop(), name="rtk-agent-reader")
        if self.ping_interval:
            self._pinger = asyncio.create_task(self._ping_loop(), name="rtk-agent-pinger")

    async def __aenter__(self) -> AgentConnection:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ reading

    def _add_event(self, name: str, data: Any) -> None:
        self._seq += 1
        self._events.append(AgentEvent(self._seq, name, data, time.time()))
        if name == "session.started" and isinstance(data, dict):
            self.connection_id = data.get("connection_id") or self.connection_id
            self.session_id = data.get("session_id") or self.session_id
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _handle(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            logger.debug("agent socket: a frame that is not JSON")
            return
        if not isinstance(frame, dict):
            return
        category = frame.get("category")
        if category == "message" and isinstance(frame.get("name"), str):
            self._add_event(frame["name"], frame.get("data"))
        elif category == "result":
            future = self._pending.pop(str(frame.get("request_id")), None)
            if future is not None and not future.done():
                error = frame.get("error")
                if error:
                    future.set_exception(
                        AgentRequestError(
                            str(frame.get("name")),
                            str(error.get("code", "ERROR")) if isinstance(error, dict) else "ERROR",
                            str(error.get("message", error)) if isinstance(error, dict) else str(error),
                        )
                    )
                else:
                    future.set_result(frame.get("data"))

    async def _read_loop(self) -> None:
        from websockets.exceptions import ConnectionClosed

        while True:
            ws = self._ws
            try:
                async for raw in ws:
                    self._handle(raw)
            except ConnectionClosed:
                pass
            rcvd = getattr(ws, "close_code", None)
            self.close_code = rcvd
            self.close_reason = getattr(ws, "close_reason", None) or ""
            self._fail_pending(AgentClosedError(self.close_code, self.close_reason))
            if self._closing or not self.auto_resume or self.close_code in NOT_RESUMABLE:
                break
            if not await self._resume():
                break
        self._ws = None
        self.ended.set()
        self._wake()
        if self._pinger is not None:
            self._pinger.cancel()

    async def _resume(self) -> bool:
        if not self.connection_id:
            return False
        deadline = time.monotonic() + self.resume_window
        delay = 0.1
        while time.monotonic() < deadline and not self._closing:
            try:
                self._ws = await self._open(self.connection_id)
            except AgentUpgradeError as exc:
                if exc.status == 404:
                    return False  # the grace ran out: nothing to resume
            except AgentError:
                pass
            else:
                self.resumes += 1
                return True
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay *= 2
        return False

    def _fail_pending(self, error: AgentError) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def _ping_loop(self) -> None:
        assert self.ping_interval
        while not self.ended.is_set():
            await asyncio.sleep(self.ping_interval)
            with contextlib.suppress(AgentError, TimeoutError):
                await self.ping()

    # ------------------------------------------------------------------ API

    @property
    def last_seq(self) -> int:
        """Sequence number of the newest event (0 before any)."""
        return self._seq

    def events_since(self, after: int = 0) -> list[AgentEvent]:
        """Kept events with ``seq > after``, oldest first."""
        # Sequence numbers are consecutive, so those events are the newest ``_seq - after`` kept
        # ones: take them from the right end instead of scanning the whole buffer on every wake.
        newer = min(len(self._events), max(0, self._seq - after))
        fresh = list(itertools.islice(reversed(self._events), newer))
        fresh.reverse()
        return fresh

    async def wait_event(
        self,
        names: str | Iterable[str],
        *,
        after: int = 0,
        where: Callable[[AgentEvent], bool] | None = None,
    ) -> AgentEvent:
        """The first event named ``names`` with ``seq > after`` (bound it with a timeout).

        Raises:
            AgentClosedError: the connection ended before such an event arrived.
        """
        wanted = {names} if isinstance(names, str) else set(names)
        while True:
            for event in self.events_since(after):
                if event.name in wanted and (where is None or where(event)):
                    return event
            after = max(after, self._seq)
            if self.ended.is_set():
                raise AgentClosedError(self.close_code, self.close_reason)
            await self._changed.wait()

    async def events(self, *, after: int = 0) -> AsyncIterator[AgentEvent]:
        """Every event with ``seq > after`` as it arrives, until the connection ends for good."""
        cursor = after
        while True:
            fresh = self.events_since(cursor)
            for event in fresh:
                cursor = event.seq
                yield event
            if fresh:
                continue
            if self.ended.is_set():
                return
            await self._changed.wait()

    async def transcripts(self, *, after: int = 0, finals_only: bool = True) -> AsyncIterator[AgentEvent]:
        """``transcript.received`` events as they arrive (only finals unless ``finals_only=False``)."""
        async for event in self.events(after=after):
            if event.name != "transcript.received":
                continue
            if finals_only and isinstance(event.data, dict) and event.data.get("is_final") is False:
                continue
            yield event

    async def request(self, name: str, data: dict[str, Any] | None = None) -> Any:
        """Send a request and return its result's ``data``.

        Raises:
            AgentRequestError: the result carried an error.
            AgentClosedError: the socket closed first.
            TimeoutError: no result within ``request_timeout``.
        """
        ws = self._ws
        if ws is None:
            raise AgentClosedError(self.close_code, self.close_reason or "not connected")
        request_id = f"req-{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        frame = {"category": "request", "request_id": request_id, "name": name, "data": data or {}}
        try:
            await ws.send(json.dumps(frame))
            async with asyncio.timeout(self.request_timeout):
                return await future
        except Exception as exc:
            from websockets.exceptions import ConnectionClosed

            if isinstance(exc, ConnectionClosed):
                raise AgentClosedError(self.close_code, self.close_reason) from None
            raise
        finally:
            self._pending.pop(request_id, None)

    async def ping(self) -> Any:
        """``connection.ping``."""
        return await self.request("connection.ping")

    async def get_connection(self) -> dict[str, Any]:
        """``connection.get``: what the server knows of this connection (records ``connection_id``)."""
        data = await self.request("connection.get")
        if isinstance(data, dict) and data.get("connection_id"):
            self.connection_id = str(data["connection_id"])
        return data if isinstance(data, dict) else {"data": data}

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket. Code 1000 leaves the meeting; another code (4000-4999) only drops the
        socket, leaving the agent in the session for the service's grace period (see :meth:`resume`).
        """
        self._closing = True
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close(code=code, reason=reason)
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._reader), 5.0)
        if self._pinger is not None:
            self._pinger.cancel()
        self.ended.set()
        self._wake()

    async def wait_closed(self) -> tuple[int | None, str]:
        """Wait until the connection ends for good; returns the close code and reason."""
        await self.ended.wait()
        return self.close_code, self.close_reason

    @classmethod
    async def resume(cls, previous: AgentConnection, **overrides: Any) -> AgentConnection:
        """A new connection that takes over ``previous`` (same token, its ``connection_id``)."""
        if not previous.connection_id:
            raise AgentError("the previous connection has no connection_id")
        options: dict[str, Any] = {
            "url": previous.url,
            "subscriptions": previous.subscriptions,
            "ping_interval": previous.ping_interval,
            "request_timeout": previous.request_timeout,
            "open_timeout": previous.open_timeout,
            "auto_resume": previous.auto_resume,
            "resume_window": previous.resume_window,
            "connect": previous._connect_fn,
            **overrides,
        }
        conn = cls(previous._token, **options)
        await conn.connect(connection_id=previous.connection_id)
        return conn
