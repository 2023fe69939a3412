"""Client errors become ToolError text: what failed, why, what next; 429 gives retry_after_seconds."""

from __future__ import annotations

from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.client import errors as e
from realtimekit_mcp.server.errors import tool_error


def test_rate_limit_gives_retry_after_seconds() -> None:
    err = e.RateLimitError("slow down", status_code=429, retry_after=2.2)
    assert "retry_after_seconds=3" in str(tool_error("list meetings", err))


def test_not_found_says_what_to_call_next() -> None:
    err = e.NotFoundError("No meeting found", status_code=404)
    text = str(tool_error("get the meeting", err, hint="Use meeting_get to list meetings."))
    assert (
        text == "Could not get the meeting: not found (No meeting found). Use meeting_get to list meetings."
    )


def test_auth_and_server_errors_do_not_echo_upstream_text() -> None:
    assert "CLOUDFLARE_API_TOKEN" in str(
        tool_error("x", e.AuthenticationError("raw upstream body", status_code=401))
    )
    assert "raw upstream body" not in str(
        tool_error("x", e.AuthenticationError("raw upstream body", status_code=401))
    )
    assert "raw" not in str(tool_error("x", e.ServerError("raw upstream body", status_code=502)))
    assert "Realtime Admin" in str(tool_error("x", e.PermissionDeniedError("nope", status_code=403)))


def test_registered_secrets_are_masked_and_details_bounded() -> None:
    register_secret("sekret-value-123456")
    err = e.BadRequestError("bad field sekret-value-123456 " + "x" * 500, status_code=400)
    text = str(tool_error("create the meeting", err))
    assert "sekret-value-123456" not in text and len(text) < 320


def test_malformed_answers_are_named_as_such() -> None:
    text = str(tool_error("list meetings", e.ResponseFormatError("bad envelope", status_code=200)))
    assert "unexpected answer" in text and "bad envelope" not in text


def test_unexpected_errors_are_generic() -> None:
    text = str(tool_error("do it", RuntimeError("internal detail /etc/passwd")))
    assert "internal detail" not in text and "unexpected server error" in text
