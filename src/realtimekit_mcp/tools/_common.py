"""Parameter types and small helpers shared by the toolset modules."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from mcp.server.mcpserver import Context
from pydantic import Field

if TYPE_CHECKING:
    from realtimekit_mcp.client import RealtimeKitClient
    from realtimekit_mcp.server.deps import Deps

MeetingId = Annotated[str, Field(description="Meeting id")]
Limit = Annotated[int, Field(ge=1, le=100, description="Max items (default 20)")]
Cursor = Annotated[str | None, Field(description="From 'pass cursor=…' in the last result")]

# Bare ``Context``: the SDK finds the context parameter only when it is annotated with the class
# itself (a subscripted ``Context[Any, Any]`` is not recognised and would leak into the schema).
Ctx: TypeAlias = Context


def deps_of(ctx: Context[Any, Any]) -> Deps:
    """The server's dependencies object."""
    deps: Deps = ctx.mcp_server.deps  # type: ignore[attr-defined]
    return deps


async def client_of(ctx: Context[Any, Any]) -> RealtimeKitClient:
    """The shared RealtimeKit client (created on first use)."""
    return await deps_of(ctx).client()


def g(obj: Any, *names: str, default: Any = None) -> Any:
    """The first present, non-None attribute (or key) of ``obj`` among ``names``."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


async def field_or_unknown(lookup: Awaitable[Any], name: str, default: str) -> Any:
    """``name`` of what ``lookup`` returns (``default`` when unset), or ``"(unknown)"`` when the
    lookup fails: a confirmation question still goes out when its target cannot be fetched."""
    try:
        return g(await lookup, name, default=default)
    except Exception:
        return "(unknown)"


def enum_value(value: Any) -> str:
    """A status-like value as text (enums give their value)."""
    return str(getattr(value, "value", value)) if value is not None else ""
