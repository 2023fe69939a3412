"""Toolset ``meetings``: find, inspect, create and change meetings (and who is registered for one)."""

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Elicit, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Alias, Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, page_args, page_note, short, tool_handler, when
from realtimekit_mcp.tools._common import (
    Ctx,
    Cursor,
    Limit,
    MeetingId,
    client_of,
    enum_value,
    field_or_unknown,
    g,
)

NOT_FOUND = "Use meeting_get without meeting_id to list meetings."
Status = Literal["ACTIVE", "INACTIVE"]


class MeetingOut(BaseModel):
    """A meeting, as tools return it."""

    id: str
    title: str | None = None
    status: str | None = None


def meeting_line(m: Any) -> str:
    """One compact line per meeting."""
    title = short(g(m, "title", default="(untitled)"), 60)
    return f"- {g(m, 'id')} | {title} | {enum_value(g(m, 'status'))} | created {when(g(m, 'created_at'))}"


def _flags(m: Any) -> str:
    names = ("record_on_start", "live_stream_on_start", "persist_chat", "summarize_on_end")
    on = [n for n in names if g(m, n)]
    return ", ".join(on) if on else "none"


async def _list_meetings(
    ctx: Ctx, search: str | None, status: str | None, limit: int, cursor: str | None
) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    client = await client_of(ctx)
    kwargs: dict[str, Any] = {"page_no": page_no, "per_page": per_page}
    if search:
        kwargs["search"] = search
    if status:
        kwargs["status"] = status
    page = await client.meetings.list(**kwargs)
    items = list(page.items)
    note = page_note(len(items), page, page_no, per_page)
    lines = [meeting_line(m) for m in items] or ["No meetings."]
    return ToolOutput("\n".join([*lines, note]))


async def _meeting_details(ctx: Ctx, meeting_id: str) -> ToolOutput:
    from realtimekit_mcp.client.errors import NotFoundError

    client = await client_of(ctx)
    m = await client.meetings.get(meeting_id)
    live = "no live session"
    try:
        session = await client.active_session.get(meeting_id)
        raw = g(session, "live_participants")
        count = "?" if raw is None else int(raw)
        live = f"live session {g(session, 'id')} with {count} participants (session_get for details)"
    except NotFoundError:
        pass
    text = (
        f"Meeting {g(m, 'id')}: {g(m, 'title', default='(untitled)')}\n"
        f"status {enum_value(g(m, 'status'))}; created {when(g(m, 'created_at'))}; "
        f"on: {_flags(m)}\n{live}"
    )
    return ToolOutput(text)


async def _meeting_participants(ctx: Ctx, meeting_id: str, limit: int, cursor: str | None) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    client = await client_of(ctx)
    page = await client.participants.list(meeting_id, page_no=page_no, per_page=per_page)
    items = list(page.items)
    note = page_note(len(items), page, page_no, per_page)
    lines = [
        f"- {g(p, 'id')} | {short(g(p, 'name', default='(no name)'), 40)} | {g(p, 'preset_name', default='')}"
        f" | custom id {g(p, 'custom_participant_id', default='')}"
        for p in items
    ] or ["No participants."]
    return ToolOutput("\n".join([f"Participants of meeting {meeting_id}:", *lines, note]))


@tool_handler(action="get the meeting", not_found=NOT_FOUND)
async def meeting_get(
    ctx: Ctx,
    meeting_id: Annotated[str | None, Field(description="Omit to list meetings")] = None,
    view: Annotated[
        Literal["details", "participants"],
        Field(description="details: settings + live session; participants: who is registered"),
    ] = "details",
    search: Annotated[str | None, Field(description="List: match in title")] = None,
    status: Status | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ToolOutput:
    if not meeting_id:
        if view == "participants":
            raise ToolError("view=participants needs meeting_id (omit meeting_id to list meetings).")
        return await _list_meetings(ctx, search, status, limit, cursor)
    if view == "participants":
        return await _meeting_participants(ctx, meeting_id, limit, cursor)
    return await _meeting_details(ctx, meeting_id)


@tool_handler(action="create the meeting", output=MeetingOut)
async def meeting_create(
    ctx: Ctx,
    title: str,
    record_on_start: bool = False,
    summarize_on_end: Annotated[bool, Field(description="Transcribe and summarize each session")] = False,
    persist_chat: bool = False,
) -> ToolOutput:
    client = await client_of(ctx)
    kwargs: dict[str, Any] = {
        "title": title,
        "record_on_start": record_on_start,
        "persist_chat": persist_chat,
        "summarize_on_end": summarize_on_end,
        # A summary is made from the session's transcript, so summarising implies transcribing.
        "transcribe_on_end": summarize_on_end,
    }
    if summarize_on_end:
        kwargs["ai_config"] = {
            "transcription": {"language": "en-US"},
            "summarization": {"text_format": "markdown"},
        }
    m = await client.meetings.create(**kwargs)
    out = MeetingOut(id=str(g(m, "id")), title=g(m, "title"), status=enum_value(g(m, "status")))
    return ToolOutput(
        f"Created meeting {out.id} ({out.title}), status {out.status}. Next: participant_add.", out
    )


async def _confirm_update(meeting_id: str, status: str | None, ctx: Ctx) -> Elicit[Confirm] | Confirm:
    if status != "INACTIVE":
        return Confirm(confirm=True)
    if (early := gate(ctx, f"deactivating meeting {meeting_id}")) is not None:
        return early
    client = await client_of(ctx)
    title = await field_or_unknown(client.meetings.get(meeting_id), "title", "(untitled)")
    return ask(
        f"Deactivate meeting '{short(title, 60)}' ({meeting_id})? Nobody can join it and no new "
        "session can start until it is set ACTIVE again.",
    )


@tool_handler(action="update the meeting", not_found=NOT_FOUND, output=MeetingOut)
async def meeting_update(
    ctx: Ctx,
    meeting_id: MeetingId,
    confirmed: Annotated[Confirmation, Resolve(_confirm_update)],
    title: str | None = None,
    status: Annotated[Status | None, Field(description="INACTIVE blocks joining (asks the user)")] = None,
    record_on_start: bool | None = None,
    summarize_on_end: bool | None = None,
    persist_chat: bool | None = None,
) -> ToolOutput:
    require(confirmed, f"deactivating meeting {meeting_id}")
    fields: dict[str, Any] = {
        k: v
        for k, v in {
            "title": title,
            "status": status,
            "record_on_start": record_on_start,
            "summarize_on_end": summarize_on_end,
            "persist_chat": persist_chat,
        }.items()
        if v is not None
    }
    if summarize_on_end:  # a summary is made from the transcript: summarising implies transcribing
        fields["transcribe_on_end"] = True
    if not fields:
        return ToolOutput("Nothing to change: pass at least one field.")
    client = await client_of(ctx)
    m = await client.meetings.update(meeting_id, **fields)
    out = MeetingOut(id=str(g(m, "id")), title=g(m, "title"), status=enum_value(g(m, "status")))
    return ToolOutput(f"Updated meeting {out.id} ({', '.join(fields)}); status {out.status}.", out)


TOOLSET = Toolset(
    id="meetings",
    description="Find, inspect, create and change meetings.",
    default=True,
    tools=(
        ToolSpec(
            name="meeting_get",
            title="Get or list meetings",
            description=(
                "One meeting by id: its settings and live session, or view=participants for who is "
                "registered. Without meeting_id: meetings, newest first, by cursor."
            ),
            fn=meeting_get,
            read_only=True,
            destructive=False,
            idempotent=True,
            aliases=(Alias("meeting_list"), Alias("participant_list", {"view": "participants"})),
        ),
        ToolSpec(
            name="meeting_create",
            title="Create meeting",
            description="Create a meeting room; add people with participant_add.",
            fn=meeting_create,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="meeting_update",
            title="Update meeting",
            description="Change a meeting's title, status or options (only given fields); deactivating asks the user.",
            fn=meeting_update,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
    ),
)
