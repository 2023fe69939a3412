"""Turn client errors into ``ToolError`` text an agent can act on.

The text says what failed, why (in our words, never an upstream body verbatim) and what to call
next. Messages pass through ``redact`` so a registered secret can never reach the model.
"""

from __future__ import annotations

import logging
import math

from mcp.server.mcpserver.exceptions import ToolError

from realtimekit_mcp._redact import redact

logger = logging.getLogger(__name__)

_MAX_DETAIL = 200


def _detail(err: BaseException) -> str:
    """The client's own (already redacted) one-line message, bounded in length."""
    text = redact(str(getattr(err, "message", None) or err)).replace("\n", " ").strip()
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text


def tool_error(action: str, err: BaseException, *, hint: str = "") -> ToolError:
    """Map an exception raised while doing ``action`` to a ``ToolError`` with next steps.

    ``hint`` names the tool to call after a not-found (e.g. "use meeting_get to list meetings").
    """
    from realtimekit_mcp.client import errors as e

    what = f"Could not {action}"
    if isinstance(err, e.RateLimitError):
        wait = err.retry_after if err.retry_after is not None else 5.0
        seconds = max(1, math.ceil(wait))
        return ToolError(
            f"{what}: RealtimeKit rate limit reached. retry_after_seconds={seconds}. "
            "Wait that long, then retry the same call."
        )
    if isinstance(err, e.NotFoundError):
        return ToolError(f"{what}: not found ({_detail(err)}). {hint or 'Check the id.'}")
    if isinstance(err, e.BadRequestError | e.RequestValidationError):
        return ToolError(f"{what}: the request was rejected: {_detail(err)}. Fix the arguments and retry.")
    if isinstance(err, e.AuthenticationError):
        return ToolError(
            f"{what}: RealtimeKit rejected the server's credentials. "
            "The operator must check CLOUDFLARE_API_TOKEN; retrying will not help."
        )
    if isinstance(err, e.PermissionDeniedError):
        return ToolError(
            f"{what}: the API token lacks permission (it needs Realtime / Realtime Admin). "
            "The operator must fix the token; retrying will not help."
        )
    if isinstance(err, e.ConflictError):
        return ToolError(
            f"{what}: conflict with the current state: {_detail(err)}. Read the state, then retry."
        )
    if isinstance(err, e.ServerError):
        return ToolError(f"{what}: RealtimeKit had an internal error. Retry in a few seconds.")
    if isinstance(err, e.APITimeoutError):
        return ToolError(f"{what}: RealtimeKit did not answer in time. Retry; if it persists, check status.")
    if isinstance(err, e.APIConnectionError):
        return ToolError(
            f"{what}: RealtimeKit could not be reached. Read realtimekit://status and retry later."
        )
    if isinstance(err, e.ResponseFormatError):
        return ToolError(
            f"{what}: RealtimeKit returned an unexpected answer. Retry later; if it persists, report it."
        )
    if isinstance(err, e.APIError):
        return ToolError(f"{what}: RealtimeKit answered with status {err.status_code}. Retry later.")
    if isinstance(err, e.RealtimeKitError):
        return ToolError(f"{what}: {_detail(err)}.")
    logger.error("unexpected error during %s: %s", action, redact(repr(err)))
    return ToolError(f"{what}: unexpected server error. Retry; if it persists, report it.")
