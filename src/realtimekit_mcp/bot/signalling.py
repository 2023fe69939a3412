"""Signalling for the bot: the client REST bootstrap and the socket edge (protobuf over WebSocket).

This layer knows HTTP, WebSockets and protobuf, and nothing about aiortc. It provides:

* :func:`decode_token_claims`: the ``meetingId``/``orgId``/``participantId`` claims of a participant
  token (read without verifying, as the web SDK does);
* :func:`fetch_participant_details` and :func:`fetch_ice_servers`: the two client-API calls the
  SDK makes with the participant token before it opens the socket;
* :func:`socket_url`: the socket edge URL with the SDK's query flags (and ``oldPeerID`` on reconnect);
* :class:`SignallingClient`: one socket at a time, request/response correlation by id with
  timeouts, the ``"2"``/``"3"`` keep-alive, push dispatch by event number, and :meth:`reconnect`
  with full-jitter backoff under a fresh peer id.

The socket is opened through an injectable :data:`ConnectFn` (tests pass an in-memory fake).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import itertools
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from google.protobuf.message import Message

from realtimekit_mcp._redact import redact, register_secret
from realtimekit_mcp.protocol import api_pb2, media_edge_pb2
from realtimekit_mcp.protocol.events import ERROR_EVENT, MediaEvent, event_name
from realtimekit_mcp.protocol.framing import (
    PING,
    PONG,
    Frame,
    FrameError,
    decode_frame,
    encode_message,
    parse_payload,
    request_id,
)

__all__ = [
    "SDK_VERSION",
    "BootstrapError",
    "ConnectFn",
    "HandshakeRefused",
    "ParticipantDetails",
    "RequestError",
    "RequestTimeout",
    "SignallingClient",
    "SignallingError",
    "SocketClosed",
    "TokenClaims",
    "WebSocketLike",
    "backoff_delays",
    "decode_token_claims",
    "default_connect",
    "fetch_ice_servers",
    "fetch_participant_details",
    "socket_url",
]

logger = logging.getLogger(__name__)

SDK_VERSION = "2.0.2"
"""The web SDK version whose protocol the bot speaks (sent as ``x-realtimekit-version``)."""
CLOUDFLARE_BASE_URI = "realtime.cloudflare.com"
DEFAULT_REQUEST_TIMEOUT = 20.0
DEFAULT_PING_INTERVAL = 15.0

M = TypeVar("M", bound=Message)


class SignallingError(Exception):
    """Base class of the signalling errors. Messages never contain the participant token."""


class BootstrapError(SignallingError):
    """A client-API bootstrap call failed (``status`` is the HTTP status, 0 for transport errors)."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(redact(message))
        self.status = status


class HandshakeRefused(SignallingError):
    """The socket edge refused the WebSocket upgrade (for example: the meeting is inactive)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(redact(f"socket edge refused the connection (HTTP {status}): {reason}"))
        self.status = status
        self.reason = redact(reason)


class RequestError(SignallingError):
    """The server answered a request with an error frame."""

    def __init__(self, event: int, message: str, *, code: int | None = None) -> None:
        super().__init__(redact(f"{event_name(event)} failed: {message}"))
        self.event = event
        self.code = code
        self.server_message = redact(message)


class RequestTimeout(SignallingError):
    """No reply to a request within its timeout."""


class SocketClosed(SignallingError):
    """The socket closed while a request was pending, or before it was used."""


# ----------------------------------------------------------------------------- token and REST


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The claims the web SDK reads from a participant token."""

    meeting_id: str
    org_id: str
    participant_id: str


def decode_token_claims(token: str) -> TokenClaims:
    """Read ``meetingId``, ``orgId`` and ``participantId`` from a participant JWT (not verified).

    Raises:
        ValueError: if the token is not a JWT with a ``meetingId`` claim.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("participant token is not a JWT")
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(segment))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("participant token payload is not base64 JSON") from exc
    if not isinstance(claims, dict) or not claims.get("meetingId"):
        raise ValueError("participant token has no meetingId claim (a V1 token?)")
    return TokenClaims(
        meeting_id=str(claims["meetingId"]),
        org_id=str(claims.get("orgId", "")),
        participant_id=str(claims.get("participantId", "")),
    )


@dataclass(frozen=True, slots=True)
class ParticipantDetails:
    """What the bot uses from ``GET /v2/internals/participant-details``."""

    participant_id: str
    name: str
    custom_participant_id: str | None
    preset_name: str | None
    meeting_title: str | None
    socket_base_uri: str | None
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)


def _headers(token: str, peer_id: str) -> dict[str, str]:
    register_secret(token)
    return {
        "Authorization": f"Bearer {token}",
        "x-realtimekit-version": SDK_VERSION,
        "tracing-id": peer_id,
    }


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if body.get("message"):
            return str(body["message"])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", ""))
    return response.reason_phrase


def _get(obj: Any, *keys: str) -> Any:
    """The first present key of a dict (snake_case or camelCase spellings)."""
    if not isinstance(obj, dict):
        return None
    for key in keys:
        if key in obj and obj[key] is not None:
            return obj[key]
    return None


async def fetch_participant_details(
    http: httpx.AsyncClient, api_base: str, token: str, peer_id: str
) -> ParticipantDetails:
    """Call ``GET {api_base}/v2/internals/participant-details`` with the participant token.

    Raises:
        BootstrapError: on a transport error or a non-2xx reply (401: token invalid or expired,
            404: not an active participant of this meeting).
    """
    url = api_base.rstrip("/") + "/v2/internals/participant-details"
    try:
        response = await http.get(url, headers=_headers(token, peer_id))
    except httpx.HTTPError as exc:
        raise BootstrapError(f"participant-details: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 400:
        hint = {401: "the participant token is invalid or expired", 404: "not an active participant"}.get(
            response.status_code, "request failed"
        )
        raise BootstrapError(
            f"participant-details: {hint} (HTTP {response.status_code}): {_error_text(response)}",
            status=response.status_code,
        )
    try:
        body = response.json()
    except ValueError:
        raise BootstrapError(
            "participant-details: response is not JSON", status=response.status_code
        ) from None
    data = _get(body, "data")
    if isinstance(data, dict) and "participant" not in data and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict):
        raise BootstrapError("participant-details: response has no data object", status=response.status_code)
    participant = _get(data, "participant") or {}
    preset = _get(data, "preset") or {}
    meeting = _get(data, "meeting") or {}
    socket = _get(data, "socket") or {}
    return ParticipantDetails(
        participant_id=str(_get(participant, "id") or ""),
        name=str(_get(participant, "name") or ""),
        custom_participant_id=_get(participant, "custom_participant_id", "customParticipantId"),
        preset_name=_get(preset, "name"),
        meeting_title=_get(meeting, "title"),
        socket_base_uri=_get(socket, "base_uri", "baseUri"),
        raw=data,
    )


async def fetch_ice_servers(
    http: httpx.AsyncClient, api_base: str, token: str, peer_id: str
) -> list[dict[str, Any]]:
    """Call ``GET {api_base}/iceservers``; any failure gives an empty list (the SDK ignores it too)."""
    url = api_base.rstrip("/") + "/iceservers"
    try:
        response = await http.get(url, headers=_headers(token, peer_id))
        if response.status_code >= 400:
            logger.info("iceservers: HTTP %s; continuing without ICE servers", response.status_code)
            return []
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        logger.info("iceservers: %s; continuing without ICE servers", type(exc).__name__)
        return []
    servers = _get(body, "iceServers", "ice_servers")
    if servers is None:
        servers = _get(_get(body, "data"), "iceServers", "ice_servers")
    return [s for s in servers or [] if isinstance(s, dict) and s.get("urls")]


def socket_url(
    *,
    meeting_id: str,
    peer_id: str,
    token: str,
    base: str | None = None,
    socket_base_uri: str | None = None,
    old_peer_id: str | None = None,
) -> str:
    """The socket edge URL with the web SDK's query flags.

    ``base`` is an explicit socket URL (``ws://127.0.0.1:8787/ws``); otherwise the URL is
    ``wss://socket-edge.<socket_base_uri>/ws`` (``realtime.cloudflare.com`` by default). On
    Cloudflare hosts the client does its own pings (``ping=false&capabilities=``); elsewhere it
    advertises the ``PING`` capability as the SDK does.
    """
    if base:
        root = base
    else:
        uri = socket_base_uri or CLOUDFLARE_BASE_URI
        if "://" in uri:
            root = uri
        elif uri.startswith("socket-edge."):
            root = f"wss://{uri}"
        else:
            root = f"wss://socket-edge.{uri}"
    parts = urlsplit(root)
    if parts.path in ("", "/"):
        root = root.rstrip("/") + "/ws"
    host = parts.hostname or ""
    cloudflare = host == CLOUDFLARE_BASE_URI or host.endswith("." + CLOUDFLARE_BASE_URI)
    query = {
        "roomID": meeting_id,
        "peerID": peer_id,
        "authToken": token,
        "useMediaV2": "true",
        "ping": "false" if cloudflare else "true",
        "capabilities": "" if cloudflare else "2",
        "joinWithDetails": "true",
        "useCfWorker": "true",
        "useStartSession": "true",
    }
    if old_peer_id:
        query["oldPeerID"] = old_peer_id
    return root + ("&" if "?" in root else "?") + urlencode(query)


def backoff_delays(
    base: float = 1.0, cap: float = 10.0, *, rng: random.Random | None = None
) -> Iterator[float]:
    """Endless full-jitter backoff delays: ``uniform(0, min(cap, base * 2**attempt))``."""
    rand = rng or random.Random()
    for attempt in itertools.count():
        yield rand.uniform(0.0, min(cap, base * (2 ** min(attempt, 30))))


# ----------------------------------------------------------------------------- socket


class WebSocketLike(Protocol):
    """The part of a client WebSocket the signalling uses (``websockets`` connections fit)."""

    async def send(self, message: str | bytes) -> None: ...

    async def recv(self) -> str | bytes: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


ConnectFn = Callable[[str], Awaitable[WebSocketLike]]
"""Opens a WebSocket to a URL; raises :class:`HandshakeRefused` when the server refuses it."""


def _websocket_logger() -> logging.Logger:
    """The logger handed to ``websockets``: it logs the socket URL (with the participant token)
    at DEBUG, so its records are redacted at the logger itself, whatever handlers the host set up."""
    from realtimekit_mcp._redact import RedactingFilter

    logger = logging.getLogger("realtimekit_mcp.bot.websocket")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


async def default_connect(url: str) -> WebSocketLike:
    """Open ``url`` with the ``websockets`` package (no compression, 2 MiB frames, 10 s open)."""
    import websockets
    from websockets.exceptions import InvalidStatus

    try:
        connection = await websockets.connect(
            url,
            compression=None,
            max_size=2**21,
            open_timeout=10,
            ping_interval=None,
            close_timeout=2,
            logger=_websocket_logger(),
            user_agent_header=f"realtimekit-mcp-bot (RealtimeKit protocol {SDK_VERSION})",
        )
    except InvalidStatus as exc:
        response = exc.response
        body = bytes(response.body or b"").decode("utf-8", "replace")
        reason = body
        with contextlib.suppress(ValueError):
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                err = parsed.get("error")
                if isinstance(err, dict):
                    reason = str(err.get("message", body))
                elif isinstance(err, str):
                    reason = err
                elif parsed.get("message"):
                    reason = str(parsed["message"])
        raise HandshakeRefused(response.status_code, reason.strip()[:300] or response.reason_phrase) from None
    return connection


PushHandler = Callable[[Frame], None]


class SignallingClient:
    """One signalling socket to the socket edge (replaced on :meth:`reconnect`).

    Pushes (frames that answer no pending request) go to the handlers registered with :meth:`on`
    for their event, else to the ``default`` handler. :attr:`closed` resolves with the close
    reason when the socket drops or is closed.
    """

    def __init__(
        self,
        *,
        meeting_id: str,
        token: str,
        base_url: str | None = None,
        socket_base_uri: str | None = None,
        connect: ConnectFn = default_connect,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        ping_interval: float = DEFAULT_PING_INTERVAL,
    ) -> None:
        register_secret(token)
        self.meeting_id = meeting_id
        self._token = token
        self._base_url = base_url
        self._socket_base_uri = socket_base_uri
        self._connect = connect
        self.request_timeout = request_timeout
        self.ping_interval = ping_interval
        self.peer_id: str = ""
        self._ws: WebSocketLike | None = None
        self._counter = itertools.count(1)
        self._pending: dict[str, tuple[int, asyncio.Future[Frame]]] = {}
        self._handlers: dict[int, list[PushHandler]] = {}
        self._default: PushHandler | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._closing = False

    def __repr__(self) -> str:
        return f"SignallingClient(meeting_id={self.meeting_id!r}, peer_id={self.peer_id!r})"

    # -- handlers
    def on(self, event: int, handler: PushHandler) -> None:
        """Call ``handler(frame)`` for every push of ``event``."""
        self._handlers.setdefault(int(event), []).append(handler)

    def on_default(self, handler: PushHandler) -> None:
        """Call ``handler(frame)`` for pushes that no event handler takes."""
        self._default = handler

    # -- lifecycle
    @property
    def connected(self) -> bool:
        """Whether a socket is open and has not closed."""
        return self._ws is not None and not self.closed.done()

    async def connect(self, *, peer_id: str | None = None, old_peer_id: str | None = None) -> None:
        """Open the socket as ``peer_id`` (a fresh UUID by default) and start reading and pinging.

        Raises:
            HandshakeRefused: the server refused the upgrade.
            SignallingError: any other failure to connect.
        """
        self.peer_id = peer_id or str(uuid.uuid4())
        url = socket_url(
            meeting_id=self.meeting_id,
            peer_id=self.peer_id,
            token=self._token,
            base=self._base_url,
            socket_base_uri=self._socket_base_uri,
            old_peer_id=old_peer_id,
        )
        try:
            ws = await self._connect(url)
        except SignallingError:
            raise
        except (TimeoutError, OSError) as exc:
            raise SignallingError(
                f"cannot reach the socket edge: {type(exc).__name__}: {redact(str(exc))}"
            ) from None
        except Exception as exc:  # websockets raises several types; keep the message, drop the URL
            raise SignallingError(
                f"socket connect failed: {type(exc).__name__}: {redact(str(exc))}"
            ) from None
        self._ws = ws
        self._closing = False
        if self.closed.done():
            self.closed = asyncio.get_running_loop().create_future()
        self._tasks = [
            asyncio.create_task(self._read_loop(ws), name=f"rtk-signalling-read-{self.peer_id}"),
        ]
        if self.ping_interval > 0:
            self._tasks.append(
                asyncio.create_task(self._ping_loop(ws), name=f"rtk-signalling-ping-{self.peer_id}")
            )

    async def reconnect(
        self,
        *,
        backoff_base: float = 1.0,
        backoff_cap: float = 10.0,
        max_attempts: int = 20,
        rng: random.Random | None = None,
    ) -> None:
        """Drop the current socket (if any) and connect again under a new peer id with ``oldPeerID``.

        Retries with full-jitter backoff; a refused handshake is final.

        Raises:
            HandshakeRefused: the server refused the new socket.
            SignallingError: all attempts failed.
        """
        old = self.peer_id
        await self._teardown("reconnecting")
        last: Exception | None = None
        for attempt, delay in enumerate(backoff_delays(backoff_base, backoff_cap, rng=rng)):
            if attempt >= max_attempts:
                break
            await asyncio.sleep(delay)
            try:
                await self.connect(old_peer_id=old or None)
                return
            except HandshakeRefused:
                raise
            except SignallingError as exc:
                last = exc
                logger.info("reconnect attempt %d failed: %s", attempt + 1, exc)
        raise SignallingError(f"could not reconnect after {max_attempts} attempts: {last}")

    async def close(self, reason: str = "closed by client") -> None:
        """Close the socket and fail pending requests. Idempotent."""
        await self._teardown(reason)

    async def _teardown(self, reason: str) -> None:
        self._closing = True
        ws, self._ws = self._ws, None
        tasks, self._tasks = self._tasks, []
        current = asyncio.current_task()
        for task in tasks:
            if task is not current:
                task.cancel()
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(1000, "bye"), 2.0)
        for task in tasks:
            if task is not current:
                with contextlib.suppress(BaseException):
                    await task
        self._fail_pending(SocketClosed(f"socket closed: {reason}"))
        if not self.closed.done():
            self.closed.set_result(reason)

    def _fail_pending(self, exc: Exception) -> None:
        pending, self._pending = self._pending, {}
        for _, future in pending.values():
            if not future.done():
                future.set_exception(exc)

    async def _ping_loop(self, ws: WebSocketLike) -> None:
        while True:
            await asyncio.sleep(self.ping_interval)
            try:
                await ws.send(PING)
            except Exception:
                return

    async def _read_loop(self, ws: WebSocketLike) -> None:
        reason = "socket closed by server"
        try:
            while True:
                data = await ws.recv()
                if isinstance(data, str):
                    if data == PING:
                        with contextlib.suppress(Exception):
                            await ws.send(PONG)
                    continue
                try:
                    frame = decode_frame(data)
                except FrameError as exc:
                    logger.warning("dropping undecodable frame: %s", exc)
                    continue
                self._dispatch(frame)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = f"socket closed: {type(exc).__name__}"
            code = getattr(getattr(exc, "rcvd", None), "code", None)
            if code is not None:
                reason = f"socket closed by server (code {code})"
        if self._ws is ws:
            self._ws = None
            self._fail_pending(SocketClosed(reason))
            if not self.closed.done():
                self.closed.set_result(reason)

    def _dispatch(self, frame: Frame) -> None:
        if frame.id is not None and frame.id in self._pending:
            _, future = self._pending.pop(frame.id)
            if not future.done():
                future.set_result(frame)
            return
        handlers = self._handlers.get(frame.event)
        if handlers:
            for handler in list(handlers):
                try:
                    handler(frame)
                except Exception:
                    logger.exception("push handler for %s failed", event_name(frame.event))
        elif self._default is not None:
            self._default(frame)
        else:
            logger.debug("unhandled push %r", frame)

    # -- requests
    async def send(self, event: int, message: Message | None = None) -> None:
        """Send a request without waiting for a reply (the SDK does this for chat)."""
        ws = self._require()
        rid = request_id(self.peer_id, str(next(self._counter)))
        await ws.send(encode_message(event, message, id=rid))

    async def request(
        self,
        event: int,
        message: Message | None,
        response_type: type[M],
        *,
        reply_timeout: float | None = None,
    ) -> M:
        """Send a request and return its reply parsed as ``response_type``.

        Raises:
            RequestError: the server answered with an error frame.
            RequestTimeout: no reply within ``reply_timeout`` (default :attr:`request_timeout`).
            SocketClosed: the socket closed first.
        """
        frame = await self.request_frame(event, message, reply_timeout=reply_timeout)
        return parse_payload(frame, response_type)

    async def request_frame(
        self, event: int, message: Message | None, *, reply_timeout: float | None = None
    ) -> Frame:
        """Like :meth:`request`, returning the raw reply frame."""
        ws = self._require()
        limit = reply_timeout or self.request_timeout
        rid = request_id(self.peer_id, str(next(self._counter)))
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[rid] = (event, future)
        try:
            await ws.send(encode_message(event, message, id=rid))
            frame = await asyncio.wait_for(future, limit)
        except TimeoutError:
            raise RequestTimeout(f"no reply to {event_name(event)} within {limit:g} s") from None
        except SignallingError:
            raise
        except Exception as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise SocketClosed(f"{event_name(event)}: socket failed: {type(exc).__name__}") from None
        finally:
            self._pending.pop(rid, None)
        if frame.event == ERROR_EVENT:
            error = parse_payload(frame, api_pb2.ErrorMessage)
            raise RequestError(
                event, error.message or "error", code=error.code if error.HasField("code") else None
            )
        if frame.event == MediaEvent.ERROR_RESPONSE and event != MediaEvent.ERROR_RESPONSE:
            media_error = parse_payload(frame, media_edge_pb2.ErrorResponse)
            raise RequestError(event, _media_error_text(media_error.error_message))
        return frame

    def _require(self) -> WebSocketLike:
        if self._ws is None or self.closed.done():
            raise SocketClosed("the signalling socket is not connected")
        return self._ws


def _media_error_text(text: str) -> str:
    """Media errors may carry JSON ``{"errorCode","errorDescription"}``; make it one line."""
    with contextlib.suppress(ValueError):
        parsed = json.loads(text)
        if isinstance(parsed, dict) and ("errorCode" in parsed or "errorDescription" in parsed):
            return f"{parsed.get('errorCode', 'error')}: {parsed.get('errorDescription', '')}".strip()
    return text or "media error"
