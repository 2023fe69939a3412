"""Toolset ``livestreams``: stream a meeting out to viewers (HLS) and inspect streams."""

from typing import Annotated, Any

from mcp.server.mcpserver import Elicit, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, page_args, page_note, short, tool_handler, when
from realtimekit_mcp.tools._common import Ctx, Cursor, Limit, MeetingId, client_of, enum_value, g

NOT_FOUND = "Use livestream_list, or meeting_get to check the meeting."


def livestream_line(s: Any) -> str:
    """One compact line per livestream (the stream key is never shown)."""
    line = (
        f"- {g(s, 'id')} | {short(g(s, 'name', default=''), 40)} | meeting {g(s, 'meeting_id', default='')} | "
        f"{enum_value(g(s, 'status'))} | created {when(g(s, 'created_at'))}"
    )
    playback = g(s, "playback_url")
    return line + (f"\n  playback_url: {playback}" if playback else "")


@tool_handler(action="list livestreams")
async def livestream_list(ctx: Ctx, limit: Limit = 20, cursor: Cursor = None) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    client = await client_of(ctx)
    page = await client.livestreams.list(page_no=page_no, per_page=per_page)
    items = list(page.items)
    note = page_note(len(items), page, page_no, per_page)
    return ToolOutput("\n".join([*([livestream_line(s) for s in items] or ["No livestreams."]), note]))


@tool_handler(action="get the livestream", not_found=NOT_FOUND)
async def livestream_get(
    ctx: Ctx,
    meeting_id: Annotated[str | None, Field(description="Get this meeting's active livestream")] = None,
    livestream_id: str | None = None,
) -> ToolOutput:
    client = await client_of(ctx)
    s: Any
    if livestream_id:
        s = await client.livestreams.get(livestream_id)
    elif meeting_id:
        s = await client.livestreams.get_active(meeting_id)
    else:
        raise ToolError("Pass livestream_id, or meeting_id for that meeting's active livestream.")
    return ToolOutput(livestream_line(s).removeprefix("- "))


@tool_handler(action="start the livestream", not_found="Use meeting_list to find meeting ids.")
async def livestream_start(ctx: Ctx, meeting_id: MeetingId, name: str | None = None) -> ToolOutput:
    client = await client_of(ctx)
    s = await client.livestreams.start(meeting_id, name=name)
    return ToolOutput("Started: " + livestream_line(s).removeprefix("- "))


async def _confirm_stop(meeting_id: str, ctx: Ctx) -> Elicit[Confirm] | Confirm:
    if (early := gate(ctx, f"stopping the livestream of meeting {meeting_id}")) is not None:
        return early
    return ask(f"Stop the livestream of meeting {meeting_id}? Viewers lose the stream.")


@tool_handler(action="stop the livestream", not_found=NOT_FOUND)
async def livestream_stop(
    ctx: Ctx, meeting_id: MeetingId, confirmed: Annotated[Confirmation, Resolve(_confirm_stop)]
) -> ToolOutput:
    require(confirmed, f"stopping the livestream of meeting {meeting_id}")
    client = await client_of(ctx)
    await client.livestreams.stop(meeting_id)
    return ToolOutput(f"Stopped the livestream of meeting {meeting_id}.")


TOOLSET = Toolset(
    id="livestreams",
    description="Stream a meeting to viewers and inspect streams.",
    default=False,
    tools=(
        ToolSpec(
            name="livestream_list",
            title="List livestreams",
            description="List livestreams with status and playback URL.",
            fn=livestream_list,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="livestream_get",
            title="Get livestream",
            description="Get a livestream by id, or a meeting's active one.",
            fn=livestream_get,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="livestream_start",
            title="Start livestream",
            description="Start streaming a meeting; returns the playback URL.",
            fn=livestream_start,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="livestream_stop",
            title="Stop livestream",
            description="Stop a meeting's livestream; asks the user to confirm.",
            fn=livestream_stop,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
    ),
)
