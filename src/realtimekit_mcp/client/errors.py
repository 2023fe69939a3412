"""The client's exception tree.

```
RealtimeKitError                      anything the client raises on purpose
├── RequestValidationError (ValueError) arguments rejected before anything was sent
├── APIError                           the API answered with an error (or an unusable body)
│   ├── BadRequestError                400, 422
│   ├── AuthenticationError            401 (and Cloudflare gateway authentication errors)
│   ├── PermissionDeniedError          403
│   ├── NotFoundError                  404
│   ├── ConflictError                  409
│   ├── RateLimitError                 429
│   ├── ServerError                    >= 500
│   └── ResponseFormatError            2xx whose body is not the documented envelope/model
│       └── ResponseTooLargeError      a download larger than the caller's ``max_bytes``
└── APIConnectionError                 no answer: DNS, refused, reset, protocol error
    └── APITimeoutError                no answer in time
```

Every message goes through ``realtimekit_mcp._redact.redact`` so a registered secret (API token,
participant token) never appears in ``str()`` or ``repr()`` of an error. Errors never keep the
``httpx`` request or response (the request carries the API token in its headers).

``retry_after`` (seconds, or ``None``) tells the caller how long to wait before trying again: it is
set from ``Retry-After``/``retry-after-ms`` or from the client's own backoff when retries stopped
because the retry budget would have been exceeded.
"""

from __future__ import annotations

from realtimekit_mcp._redact import redact

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RealtimeKitError",
    "RequestValidationError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ServerError",
    "error_class_for_status",
]


class RealtimeKitError(Exception):
    """Base class of every error the RealtimeKit client raises."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.message = redact(message)
        self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self) -> str:
        return redact(self.message)

    def __repr__(self) -> str:
        extra = f", retry_after={self.retry_after!r}" if self.retry_after is not None else ""
        return f"{type(self).__name__}({redact(self.message)!r}{extra})"


class RequestValidationError(RealtimeKitError, ValueError):
    """Arguments failed client-side validation; nothing was sent."""


class APIError(RealtimeKitError):
    """The API answered with an error status (or a body the client cannot use).

    Attributes: ``status_code`` (HTTP status), ``code`` (the envelope's error code, when given),
    ``request_id`` (``cf-ray``/``x-request-id`` header, when given), ``method`` and ``path``
    (of the request, without query string).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = redact(path) if path else path

    def __repr__(self) -> str:
        parts = [repr(redact(self.message)), f"status_code={self.status_code}"]
        if self.code is not None:
            parts.append(f"code={self.code!r}")
        if self.request_id:
            parts.append(f"request_id={self.request_id!r}")
        if self.retry_after is not None:
            parts.append(f"retry_after={self.retry_after!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class BadRequestError(APIError):
    """400 or 422: the request was rejected (validation message names the field)."""


class AuthenticationError(APIError):
    """401 or a Cloudflare gateway authentication error: missing, wrong or expired credentials."""


class PermissionDeniedError(APIError):
    """403: the credentials are valid but lack permission (token needs Realtime / Realtime Admin)."""


class NotFoundError(APIError):
    """404: unknown id (meeting, participant, preset, session, recording, webhook, ...)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state."""


class RateLimitError(APIError):
    """429: throttled. ``retry_after`` says how many seconds to wait (``None`` if unknown)."""


class ServerError(APIError):
    """5xx: RealtimeKit or the gateway failed. ``retry_after`` is set when retries ran out."""


class ResponseFormatError(APIError):
    """A success status whose body is not JSON, not the envelope, or not the documented model."""


class ResponseTooLargeError(ResponseFormatError):
    """A download exceeded the ``max_bytes`` the caller allowed."""


class APIConnectionError(RealtimeKitError):
    """No HTTP answer: connection refused or reset, DNS failure, protocol error."""


class APITimeoutError(APIConnectionError):
    """No HTTP answer within the configured timeout."""


def error_class_for_status(status_code: int) -> type[APIError]:
    """The ``APIError`` subclass for an HTTP status (``APIError`` itself for unlisted codes)."""
    if status_code in (400, 422):
        return BadRequestError
    if status_code == 401:
        return AuthenticationError
    if status_code == 403:
        return PermissionDeniedError
    if status_code == 404:
        return NotFoundError
    if status_code == 409:
        return ConflictError
    if status_code == 429:
        return RateLimitError
    if status_code >= 500:
        return ServerError
    return APIError
