"""Errors the emulator's rules raise; the HTTP layer turns each into RealtimeKit's error envelope."""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """An error answered as ``{"success": false, "error": {"code": status, "message": ...}}``."""

    status_code: int = 500

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def body(self) -> dict[str, Any]:
        """The RealtimeKit error envelope."""
        return {"success": False, "error": {"code": self.status_code, "message": self.message}}


class BadRequest(EmulatorError):
    """400: the request is malformed or fails validation."""

    status_code = 400


class Unauthorized(EmulatorError):
    """401: missing or wrong credentials (answered in Cloudflare's gateway envelope)."""

    status_code = 401

    def body(self) -> dict[str, Any]:
        """Cloudflare's API-gateway authentication error envelope."""
        return {
            "success": False,
            "errors": [{"code": 10000, "message": "Authentication error"}],
            "messages": [],
            "result": None,
        }


class Forbidden(EmulatorError):
    """403: the request is not allowed (unknown account, bad download signature)."""

    status_code = 403


class NotFound(EmulatorError):
    """404: the resource does not exist."""

    status_code = 404


class MethodNotAllowed(EmulatorError):
    """405: the path exists but not with this method."""

    status_code = 405


class Conflict(EmulatorError):
    """409: the request conflicts with the current state."""

    status_code = 409


class PayloadTooLarge(EmulatorError):
    """413: the request body is over the configured limit."""

    status_code = 413


class UnsupportedMediaType(EmulatorError):
    """415: the body is not JSON."""

    status_code = 415
