"""The thin HTTP layer shared by every route module: auth, ids, body, query parsing, envelopes."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket

from ..._redact import redact
from ..backend import MAX_PER_PAGE, EmulatorBackend, Page
from ..errors import BadRequest, EmulatorError, PayloadTooLarge, Unauthorized
from ..validation import (
    query_bool,
    query_date,
    query_datetime,
    query_enum,
    query_enum_list,
    query_int,
    query_unix,
    require_uuid,
)

logger = logging.getLogger("realtimekit_mcp.emulator")

API_ROOT = "/client/v4/accounts/{account_id}/realtime/kit"
APP_ROOT = API_ROOT + "/{app_id}"


@dataclass
class Reply:
    """A JSON answer: status code and body."""

    status: int
    body: dict[str, Any]


def ok(data: Any, *, status: int = 200, paging: dict[str, int] | None = None) -> Reply:
    """RealtimeKit's success envelope."""
    body: dict[str, Any] = {"success": True, "data": data}
    if paging is not None:
        body["paging"] = paging
    return Reply(status, body)


def paged(page: Page, *, status: int = 200) -> Reply:
    """A paged list in RealtimeKit's envelope."""
    return ok(page.items, status=status, paging=page.paging)


def error_response(exc: EmulatorError) -> JSONResponse:
    """The one place errors become HTTP responses."""
    return JSONResponse(exc.body(), status_code=exc.status_code)


async def deny_upgrade(
    websocket: WebSocket, status: int, body: dict[str, Any], *, reason: str | None = None
) -> None:
    """Refuse a WebSocket handshake: HTTP ``status`` with the JSON ``body`` when the server can send
    one (ASGI's denial-response extension), otherwise a close with code ``4000 + status``."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse(body, status_code=status))
    else:  # pragma: no cover - servers without the extension answer 403 without a body
        await websocket.close(code=4000 + status, reason=reason)


def internal_error_response() -> JSONResponse:
    """The envelope for an unexpected failure (never caused by bad input)."""
    return JSONResponse(
        {"success": False, "error": {"code": 500, "message": "Internal emulator error"}}, status_code=500
    )


def backend_of(request: Request) -> EmulatorBackend:
    """The backend behind this app."""
    backend: EmulatorBackend = request.app.state.backend
    return backend


def bearer_token(conn: HTTPConnection) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (``""`` without one)."""
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def is_loopback_client(conn: HTTPConnection) -> bool:
    """Whether the client is on this machine (loopback address, or Starlette's test client)."""
    host = conn.client.host if conn.client else ""
    if host in ("localhost", "testclient"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def authenticate(request: Request, backend: EmulatorBackend) -> None:
    """Accept ``Authorization: Bearer <token>`` or ``X-Auth-Email`` + ``X-Auth-Key`` (= the token)."""
    expected = backend.api_token.encode()
    token = bearer_token(request)
    if token and hmac.compare_digest(token.encode(), expected):
        return
    key = request.headers.get("x-auth-key")
    if key and request.headers.get("x-auth-email") and hmac.compare_digest(key.strip().encode(), expected):
        return
    raise Unauthorized("Authentication error")


def guard_control_plane(request: Request, backend: EmulatorBackend) -> None:
    """The ``/_emulator`` rule: loopback clients pass, others need the API token (401 otherwise)."""
    if not is_loopback_client(request):
        authenticate(request, backend)


async def read_capped(request: Request, limit: int, what: str = "Request body") -> bytes:
    """The raw body, streamed; 413 (naming ``what``) as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"{what} is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_body(request: Request, limit: int) -> Any:
    """Parse the JSON body (empty means ``{}``); 413 past ``limit`` bytes, 400 when malformed."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    raw = await read_capped(request, limit)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("Request body is not valid JSON") from None
    if _depth(body) > MAX_JSON_DEPTH:
        raise BadRequest(f"Request body is nested more than {MAX_JSON_DEPTH} levels deep")
    _check_unicode(body)
    return body


def _check_unicode(value: Any) -> None:
    """Reject strings (keys too) that cannot be encoded as UTF-8, such as lone surrogates from ``\\ud800``."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(f'"{path or "value"}" must be valid unicode') from None
        elif isinstance(item, dict):
            for key, child in item.items():
                sub = f"{path}.{key}" if path else str(key)
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    raise BadRequest(f'"{path or "value"}" has a key that is not valid unicode') from None
                stack.append((child, sub))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))


def log_unexpected(exc: BaseException, method: str, path: str) -> None:
    """Log an unexpected failure without secrets: type, redacted message, redacted traceback."""
    trace = redact("".join(traceback.format_exception(exc)))
    logger.error(
        "unexpected %s in %s %s: %s\n%s", type(exc).__name__, method, path, redact(str(exc))[:300], trace
    )


MAX_JSON_DEPTH = 32


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class Call:
    """One parsed API request handed to a route handler."""

    def __init__(self, request: Request, backend: EmulatorBackend, body: Any) -> None:
        self.request = request
        self.backend = backend
        self.body = body
        self.app_id: str = request.path_params.get("app_id", "")

    def path(self, name: str) -> str:
        """A path parameter as sent."""
        return str(self.request.path_params[name])

    def uuid(self, name: str) -> str:
        """A path parameter that must be a UUID (400 naming it otherwise)."""
        return require_uuid(self.path(name), name)

    def q(self, name: str) -> str | None:
        """The last value of a query parameter."""
        values = self.request.query_params.getlist(name)
        return values[-1] if values else None

    def q_list(self, name: str) -> list[str]:
        """Every value of a query parameter (``a=1&a=2`` and ``a[]=1``)."""
        return self.request.query_params.getlist(name) + self.request.query_params.getlist(f"{name}[]")

    def q_int(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
        """An integer query parameter."""
        return query_int(self.q(name), name, minimum=minimum, maximum=maximum)

    def q_bool(self, name: str) -> bool | None:
        """A boolean query parameter."""
        return query_bool(self.q(name), name)

    def q_enum(self, name: str, values: Sequence[str]) -> str | None:
        """An enum query parameter."""
        return query_enum(self.q(name), name, values)

    def q_enum_list(self, name: str, values: Sequence[str]) -> list[str]:
        """An array query parameter, repeated or comma-separated."""
        return query_enum_list(self.q_list(name), name, values)

    def q_datetime(self, name: str) -> datetime | None:
        """An ISO date-time query parameter."""
        return query_datetime(self.q(name), name)

    def q_date(self, name: str) -> date | None:
        """A ``YYYY-MM-DD`` query parameter."""
        return query_date(self.q(name), name)

    def q_unix(self, name: str) -> datetime | None:
        """A unix-seconds query parameter."""
        return query_unix(self.q(name), name)

    def paging(self, *, max_per_page: int = MAX_PER_PAGE, minimum: int = 0) -> dict[str, int | None]:
        """``page_no`` and ``per_page`` (both >= ``minimum``; ``per_page`` at most ``max_per_page``)."""
        return {
            "page_no": self.q_int("page_no", minimum=minimum, maximum=1_000_000),
            "per_page": self.q_int("per_page", minimum=minimum, maximum=max_per_page),
        }


Handler = Callable[[Call], Reply]
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def api(method: str, path: str, handler: Handler, *, app_scoped: bool = True) -> Route:
    """A RealtimeKit API route: auth, account/app checks, body parsing, one handler, the envelope."""

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        try:
            authenticate(request, backend)
            backend.check_account(request.path_params["account_id"])
            if app_scoped:
                backend.check_app(request.path_params["app_id"])
            body = (
                await read_body(request, backend.config.max_body_bytes) if method in _BODY_METHODS else None
            )
            backend.observe_base_url(str(request.base_url))
            backend.tick()
            reply = handler(Call(request, backend, body))
        except EmulatorError as exc:
            return error_response(exc)
        except Exception as exc:
            log_unexpected(exc, method, request.url.path)
            return internal_error_response()
        return JSONResponse(reply.body, status_code=reply.status)

    root = APP_ROOT if app_scoped else API_ROOT
    return Route(root + path, endpoint, methods=[method], name=f"{method} {path}")
