"""Result shaping shared by every tool: compact text, small structured data, cursors, links.

A tool handler returns a ``ToolOutput``; the ``tool_handler`` decorator turns it into a
``CallToolResult`` (compact text first, optional ``structuredContent``, optional resource links)
and maps client errors to ``ToolError`` text (``server.errors``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ResourceLink, TextContent
from pydantic import BaseModel

from realtimekit_mcp.server.errors import tool_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PREVIEW_CHARS = 1200

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@dataclass
class ToolOutput:
    """What a handler returns: compact text for the model, optional data and resource links."""

    text: str
    data: BaseModel | None = None
    links: Sequence[ResourceLink] = field(default_factory=list)

    def to_result(self) -> CallToolResult:
        content: list[Any] = [TextContent(type="text", text=self.text), *self.links]
        structured = self.data.model_dump(mode="json", exclude_none=True) if self.data is not None else None
        return CallToolResult(content=content, structured_content=structured)


def compact_json(value: Any) -> str:
    """JSON without spaces: the cheapest faithful text copy of small structured data.

    A pydantic model is dumped first (JSON mode, ``None`` fields left out)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def tool_handler(
    *, action: str, not_found: str = "", output: type[BaseModel] | None = None
) -> Callable[[F], F]:
    """Wrap an async handler returning ``ToolOutput`` into an SDK tool function.

    ``action`` completes "Could not …" in error text; ``not_found`` says what to call after a 404;
    ``output`` (a small pydantic model) becomes the tool's ``outputSchema``.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> CallToolResult:
            from realtimekit_mcp.client.errors import RealtimeKitError

            try:
                out: ToolOutput = await fn(*args, **kwargs)
            except ToolError:
                raise
            except RealtimeKitError as err:
                raise tool_error(action, err, hint=not_found) from None
            return out.to_result()

        returns: Any = Annotated[CallToolResult, output] if output is not None else CallToolResult
        sig = inspect.signature(fn, eval_str=True)
        wrapper.__signature__ = sig.replace(return_annotation=returns)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {
            **{name: p.annotation for name, p in sig.parameters.items()},
            "return": returns,
        }
        return wrapper  # type: ignore[return-value]

    return decorate


# -- lists ---------------------------------------------------------------------------------------


def encode_cursor(page_no: int, per_page: int) -> str:
    """An opaque cursor for page ``page_no`` of size ``per_page``."""
    return base64.urlsafe_b64encode(f"{page_no}:{per_page}".encode()).decode().rstrip("=")


def page_args(cursor: str | None, limit: int | None) -> tuple[int, int]:
    """(page_no, per_page) from a cursor, or the first page of ``limit`` items."""
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            page_s, size_s = raw.split(":")
            page_no, per_page = int(page_s), int(size_s)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ToolError(
                "Invalid cursor: pass the cursor value from the previous result unchanged."
            ) from None
        if page_no < 1 or not 1 <= per_page <= MAX_LIMIT:
            raise ToolError("Invalid cursor: pass the cursor value from the previous result unchanged.")
        return page_no, per_page
    size = DEFAULT_LIMIT if limit is None else limit
    return 1, max(1, min(MAX_LIMIT, size))


def page_note(shown: int, page: Any, page_no: int, per_page: int) -> str:
    """The "showing N of M…" line for a client ``Page`` (with the next cursor when there is more)."""
    paging = getattr(page, "paging", None)
    total: int | None = getattr(paging, "total_count", None) if paging is not None else None
    has_more = bool(getattr(page, "has_more", False))
    if total is not None and shown and page_no * per_page < total:
        has_more = True
    nxt = encode_cursor(page_no + 1, per_page) if has_more and shown else None
    start = (page_no - 1) * per_page
    where = f"{start + 1}-{start + shown}" if shown else "0"
    note = f"showing {where} of {total if total is not None else '?'}"
    if nxt:
        note += f"; pass cursor={nxt} for more"
    return note


def short(value: Any, limit: int = 80) -> str:
    """One line of at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def preview(text: str, chars: int = PREVIEW_CHARS) -> tuple[str, bool]:
    """The first whole lines of ``text`` up to ``chars`` characters; True when cut."""
    if len(text) <= chars:
        return text.strip(), False
    cut = text[:chars]
    nl = cut.rfind("\n")
    if nl > chars // 2:
        cut = cut[:nl]
    return cut.rstrip(), True


def when(value: Any) -> str:
    """A compact ISO timestamp (seconds precision) or '' for None."""
    if value is None:
        return ""
    text = (value.isoformat() if hasattr(value, "isoformat") else str(value)).replace("+00:00", "Z")
    if "." in text:
        head, _, tail = text.partition(".")
        text = head + ("Z" if tail.endswith("Z") else "")
    return text
