"""Toolset ``analytics``: day-by-day usage of meetings and livestreams."""

from datetime import UTC, date, datetime, time
from typing import Any, Literal

from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, compact_json, preview, tool_handler
from realtimekit_mcp.tools._common import Ctx, client_of


@tool_handler(action="get analytics")
async def analytics_get(
    ctx: Ctx,
    kind: Literal["meetings", "livestreams"] = "meetings",
    start_date: date | None = None,
    end_date: date | None = None,
) -> ToolOutput:
    client = await client_of(ctx)
    start = start_date.isoformat() if start_date else None
    end = end_date.isoformat() if end_date else None
    data: Any
    if kind == "meetings":
        data = await client.analytics.daywise(start_date=start, end_date=end)
    else:
        data = await client.livestreams.analytics_daywise(
            start_time=datetime.combine(start_date, time.min, UTC) if start_date else None,
            end_time=datetime.combine(end_date, time.max, UTC) if end_date else None,
        )
    body, cut = preview(compact_json(data), 6000)
    return ToolOutput(f"{kind} usage by day{' (truncated)' if cut else ''}:\n{body}")


TOOLSET = Toolset(
    id="analytics",
    description="Day-by-day usage of meetings and livestreams.",
    default=False,
    tools=(
        ToolSpec(
            name="analytics_get",
            title="Get usage analytics",
            description="Day-by-day usage (sessions, minutes, participants) of meetings or livestreams.",
            fn=analytics_get,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
    ),
)
