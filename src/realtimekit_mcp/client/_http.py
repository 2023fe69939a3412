"""HTTP core of the client: URLs, auth, query encoding, envelope, error mapping and retries.

Resource modules never touch ``httpx`` directly: they call ``HTTPCore.request`` with a path made
by ``HTTPCore.app_path``/``account_path`` and get back an ``Envelope`` (``data`` and ``paging`` of
RealtimeKit's ``{success, data, paging}`` envelope), or one of the errors of ``errors.py``.

Retries (see ``HTTPCore._send``):

- only for GET, PUT and DELETE (idempotent by HTTP semantics). POST is never retried, not even on
  a connection error, because a POST that reached the server may have created something (a
  meeting, a participant, a recording) and a second one would duplicate it. PATCH is not retried
  either: a PATCH is not idempotent in general and RealtimeKit does not promise otherwise.
- on 429, 502, 503, 504 and on transport errors (connection refused/reset, timeouts).
- the wait is ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) when the server
  sends one, else jittered exponential backoff.
- within a total budget (default 10 s) measured on an injectable clock from the start of the
  call: a retry happens only if its wait ends inside the budget, and the retried attempt's timeout
  is cut to what is left of it. When the next wait would cross the budget (or ``max_retries`` is
  reached) the typed error is raised at once with ``retry_after`` set to that wait, so the caller
  (an MCP tool) can say how long to wait instead of sleeping past its own deadline. (The first
  attempt is bounded by ``timeout`` alone; the budget decides whether and how long to retry.)

This is a small explicit loop rather than tenacity: the budget rule needs the next wait (which
depends on the response's headers) *before* deciding to stop, and the error raised must carry it;
with tenacity that means a custom wait, a custom stop reading ``upcoming_sleep``, a ``retry_error_callback``
and exception juggling, which is longer and harder to read than the loop below.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import quote

import anyio
import httpx

from realtimekit_mcp._redact import redact
from realtimekit_mcp.client import errors
from realtimekit_mcp.client._models import Paging

__all__ = [
    "RETRY_METHODS",
    "RETRY_STATUSES",
    "Clock",
    "Envelope",
    "HTTPCore",
    "RetryPolicy",
    "SystemClock",
    "encode_query",
    "parse_paging",
    "parse_retry_after",
]

logger = logging.getLogger("realtimekit_mcp.client")

RETRY_METHODS = frozenset({"GET", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Cloudflare API gateway error codes that mean "bad or missing credentials" (v4 ``errors[]``
# envelope). They arrive with 400, 401 or 403 depending on the check that failed; we map them to
# AuthenticationError so callers get one "fix your token" error.
_GATEWAY_AUTH_CODES = frozenset({6003, 6111, 9103, 9106, 9107, 9109, 10000, 10001})


class Clock(Protocol):
    """Time source for retries; tests pass a virtual clock so nothing really sleeps."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock (measures the retry budget)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (interprets HTTP-date ``Retry-After``)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``time.time`` and ``anyio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries idempotent requests.

    ``max_retries``: retries after the first attempt. ``budget``: seconds from the start of a call
    after which no further retry starts (and no retried attempt may run past). Backoff without a
    server hint: ``min(backoff_max, backoff_base * 2**n)`` scaled by a random factor in
    ``[1 - jitter, 1]``. The defaults (0.25 s doubling up to 2 s) fit about seven retries into the
    default 10 s budget, so ``max_retries`` rather than the budget is usually the binding limit.
    """

    max_retries: int = 5
    budget: float = 10.0
    backoff_base: float = 0.25
    backoff_max: float = 2.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if not self.budget >= 0:
            raise ValueError("retry_budget must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def backoff(self, retry_no: int, rng: random.Random) -> float:
        """Wait before retry number ``retry_no`` (0-based) when the server gave no hint."""
        base = min(self.backoff_max, self.backoff_base * (2.0**retry_no))
        return base * (1 - self.jitter * rng.random())


@dataclass(frozen=True)
class Envelope:
    """An unwrapped success response: ``data`` and ``paging`` of the RealtimeKit envelope."""

    status_code: int
    data: Any
    paging: Paging | None
    body: Any


def encode_query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Encode query parameters the way RealtimeKit expects.

    ``None`` is left out, booleans become ``true``/``false``, sequences repeat the key
    (``status=A&status=B``), enums send their value, datetimes/dates ISO-8601.
    """
    out: list[tuple[str, str]] = []
    if not params:
        return out
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            for item in value:
                if item is not None:
                    out.append((key, _scalar(item)))
        else:
            out.append((key, _scalar(value)))
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date).

    ``now`` is the wall-clock time used to turn an HTTP date into a delay. Returns ``None`` when
    no usable header is present; negative delays become 0.
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(0.0, value)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - now)
    return max(0.0, value) if math.isfinite(value) else None


def _cap_timeout(timeout: httpx.Timeout, limit: float) -> httpx.Timeout:
    def cap(v: float | None) -> float:
        return limit if v is None else min(v, limit)

    return httpx.Timeout(
        connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write), pool=cap(timeout.pool)
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


class HTTPCore:
    """Sends requests for one RealtimeKit app; shared by every resource group of a client."""

    def __init__(
        self,
        *,
        base_url: str,
        account_id: str,
        app_id: str,
        auth_headers: Mapping[str, str],
        http_client: httpx.AsyncClient,
        timeout: httpx.Timeout,
        policy: RetryPolicy,
        clock: Clock,
        rng: random.Random,
        user_agent: str,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.account_id = account_id
        self.app_id = app_id
        self._auth_headers = dict(auth_headers)
        self._client = http_client
        self.timeout = timeout
        self.policy = policy
        self.clock = clock
        self._rng = rng
        self._user_agent = user_agent

    def __repr__(self) -> str:  # never show headers
        return f"HTTPCore(base_url={str(self.base_url)!r})"

    # -- URLs -------------------------------------------------------------------------------------

    def account_path(self, *segments: str) -> str:
        """``accounts/{account_id}/realtime/kit/<segments>`` with every segment percent-encoded."""
        return _join("accounts", self.account_id, "realtime", "kit", *segments)

    def app_path(self, *segments: str) -> str:
        """``accounts/{account_id}/realtime/kit/{app_id}/<segments>``, segments percent-encoded."""
        return _join("accounts", self.account_id, "realtime", "kit", self.app_id, *segments)

    def url(self, path: str) -> httpx.URL:
        """Absolute URL of an API path (relative to the base URL)."""
        return self.base_url.join(path)

    # -- requests ---------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Envelope:
        """Send one API call (with retries where safe) and unwrap the envelope."""
        url = self.url(path)
        headers = {**self._auth_headers, "Accept": "application/json", "User-Agent": self._user_agent}
        response = await self._send(method, url, headers=headers, params=encode_query(params), json=json)
        return self._unwrap(method, url, response)

    async def download(self, url: str, *, max_bytes: int | None = None, max_redirects: int = 5) -> bytes:
        """GET ``url`` and return its bytes; credentials go only to the API's own origin.

        Relative URLs resolve against the base URL. Redirects are followed by hand so each hop
        decides afresh whether it may carry the credentials. With ``max_bytes`` the body is
        streamed and ``ResponseTooLargeError`` raised as soon as it is known to be larger.
        """
        target = self.base_url.join(url)
        api_origin = _origin(self.base_url)
        for _ in range(max_redirects + 1):
            if target.scheme not in ("http", "https"):
                raise errors.RequestValidationError(f"cannot download a {target.scheme or 'relative'} URL")
            headers = {"User-Agent": self._user_agent}
            if _origin(target) == api_origin:
                headers.update(self._auth_headers)
            response = await self._send("GET", target, headers=headers, params=[], json=None, stream=True)
            try:
                location = response.headers.get("location")
                if response.is_redirect and location:
                    target = target.join(location)
                    continue
                return await _read_limited(response, max_bytes, target)
            finally:
                await response.aclose()
        raise errors.APIError("too many redirects while downloading", status_code=310, path=target.path)

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        *,
        headers: dict[str, str],
        params: list[tuple[str, str]],
        json: Any,
        stream: bool = False,
    ) -> httpx.Response:
        """One call with the retry loop described in the module docstring.

        Returns the response for any status below 400 (with ``stream``, its body unread: the caller
        must close it); raises the mapped error otherwise.
        """
        policy = self.policy
        retryable_method = method.upper() in RETRY_METHODS
        start = self.clock.monotonic()
        retry_no = 0
        timeout = self.timeout
        while True:
            error: errors.RealtimeKitError
            hint: float | None = None
            try:
                request = self._client.build_request(
                    method,
                    url,
                    params=tuple(params) if params else None,
                    json=json,
                    headers=headers,
                    timeout=timeout,
                )
                response = await self._client.send(request, stream=stream, follow_redirects=False)
            except httpx.TimeoutException as exc:
                error = errors.APITimeoutError(f"{method} {url.path} timed out ({type(exc).__name__})")
            except httpx.TransportError as exc:
                error = errors.APIConnectionError(
                    f"{method} {url.path} failed: {type(exc).__name__}: {redact(str(exc))}"
                )
            else:
                logger.debug("%s %s -> %d (attempt %d)", method, url.path, response.status_code, retry_no + 1)
                if response.status_code < 400:
                    return response
                try:
                    await response.aread()
                except httpx.TransportError:
                    pass  # the status alone decides; the message falls back to "HTTP <status>"
                finally:
                    await response.aclose()
                error = self._error_from_response(method, url, response)
                if response.status_code not in RETRY_STATUSES:
                    raise error
                hint = parse_retry_after(response.headers, self.clock.time())

            if not retryable_method:
                raise error
            wait = hint if hint is not None else policy.backoff(retry_no, self._rng)
            elapsed = self.clock.monotonic() - start
            if retry_no >= policy.max_retries or elapsed + wait >= policy.budget:
                error.retry_after = wait
                logger.debug(
                    "giving up on %s %s after %d attempt(s), %.2fs elapsed; retry after %.2fs",
                    method,
                    url.path,
                    retry_no + 1,
                    elapsed,
                    wait,
                )
                raise error
            logger.debug("retrying %s %s in %.2fs after %s", method, url.path, wait, type(error).__name__)
            await self.clock.sleep(wait)
            retry_no += 1
            remaining = policy.budget - (self.clock.monotonic() - start)
            timeout = _cap_timeout(self.timeout, max(remaining, 0.001))

    # -- envelopes and errors ---------------------------------------------------------------------

    def _unwrap(self, method: str, url: httpx.URL, response: httpx.Response) -> Envelope:
        status = response.status_code
        if status == 204 or not response.content:
            return Envelope(status_code=status, data=None, paging=None, body=None)
        try:
            body = response.json()
        except ValueError:
            raise errors.ResponseFormatError(
                f"{method} {url.path} returned a body that is not JSON",
                status_code=status,
                request_id=_request_id(response),
                method=method,
                path=url.path,
            ) from None
        if not isinstance(body, dict):
            return Envelope(status_code=status, data=body, paging=None, body=body)
        if body.get("success") is False:
            raise self._error_from_body(method, url, response, body, status_from_body=True)
        data = body["data"] if "data" in body else body.get("result")
        paging = parse_paging(body.get("paging"))
        return Envelope(status_code=status, data=data, paging=paging, body=body)

    def _error_from_response(self, method: str, url: httpx.URL, response: httpx.Response) -> errors.APIError:
        try:
            body: Any = response.json()
        except (ValueError, httpx.ResponseNotRead):  # not JSON, or the body could not be read
            body = None
        return self._error_from_body(method, url, response, body, status_from_body=False)

    def _error_from_body(
        self,
        method: str,
        url: httpx.URL,
        response: httpx.Response,
        body: Any,
        *,
        status_from_body: bool,
    ) -> errors.APIError:
        status = response.status_code
        message: str | None = None
        code: int | str | None = None
        gateway = False
        if isinstance(body, dict):
            err = body.get("error")
            errs = body.get("errors")
            if isinstance(err, dict):
                message = _text(err.get("message"))
                code = _code(err.get("code"))
            elif isinstance(err, str):
                message = err
            elif isinstance(errs, list) and errs:
                gateway = True
                texts = []
                for item in errs:
                    if isinstance(item, dict):
                        if code is None:
                            code = _code(item.get("code"))
                        if (t := _text(item.get("message"))) is not None:
                            texts.append(t)
                    elif isinstance(item, str):
                        texts.append(item)
                message = "; ".join(texts) or None
            if message is None:
                message = _text(body.get("message"))
        if status_from_body and isinstance(code, int) and 400 <= code <= 599:
            status = code  # a 2xx carrying {success:false, error:{code:<http status>}}
        if message is None:
            reason = response.reason_phrase if not status_from_body else ""
            kind = "a non-JSON body" if body is None else "no error message"
            message = f"HTTP {status} {reason}".rstrip() + f" with {kind}"
        cls = errors.error_class_for_status(status)
        if status_from_body and not (400 <= status <= 599):
            cls = errors.APIError
        if gateway and isinstance(code, int) and code in _GATEWAY_AUTH_CODES and status in (400, 401, 403):
            cls = errors.AuthenticationError
        retry_after = parse_retry_after(response.headers, self.clock.time()) if status == 429 else None
        return cls(
            message,
            status_code=status,
            code=code,
            request_id=_request_id(response),
            method=method,
            path=url.path,
            retry_after=retry_after,
        )


async def _read_limited(response: httpx.Response, max_bytes: int | None, url: httpx.URL) -> bytes:
    def too_large() -> errors.ResponseTooLargeError:
        return errors.ResponseTooLargeError(
            f"download is larger than max_bytes={max_bytes}", status_code=response.status_code, path=url.path
        )

    if max_bytes is not None:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise too_large()
            chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise errors.APITimeoutError(
            f"GET {url.path} timed out while reading ({type(exc).__name__})"
        ) from None
    except httpx.TransportError as exc:
        raise errors.APIConnectionError(
            f"GET {url.path} failed while reading: {type(exc).__name__}: {redact(str(exc))}"
        ) from None
    return b"".join(chunks)


def _join(*segments: str) -> str:
    parts = []
    for seg in segments:
        text = str(seg)
        if not text or text in (".", ".."):
            raise errors.RequestValidationError(f"invalid path segment {text!r}: ids must be non-empty")
        parts.append(quote(text, safe=""))
    return "/".join(parts)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _code(value: Any) -> int | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value) if value.isdigit() else value
    return None


def parse_paging(value: Any) -> Paging | None:
    """A ``Paging`` from a raw ``paging`` value, or ``None`` when absent or malformed."""
    if not isinstance(value, dict):
        return None
    try:
        return Paging.model_validate(value)
    except ValueError:
        return None


def _request_id(response: httpx.Response) -> str | None:
    value = response.headers.get("cf-ray") or response.headers.get("x-request-id")
    return str(value) if value else None
