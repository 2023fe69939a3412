"""Toolset ``recordings``: start and stop a meeting's recording, find recordings and their files."""

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ResourceLink
from pydantic import BaseModel, Field

from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, page_args, page_note, tool_handler, when
from realtimekit_mcp.tools._common import Ctx, Cursor, Limit, MeetingId, client_of, enum_value, g

NOT_FOUND = "Use recording_list to find recording ids."


class RecordingOut(BaseModel):
    """A recording's id and state."""

    id: str
    status: str | None = None
    meeting_id: str | None = None


def recording_link(recording_id: str) -> ResourceLink:
    """The ``realtimekit://`` link that ``resources/read`` serves for a recording."""
    return ResourceLink(
        type="resource_link",
        uri=f"realtimekit://recordings/{recording_id}",
        name=f"recording {recording_id}",
        mime_type="application/json",
    )


def recording_line(r: Any) -> str:
    """One compact line per recording; the download URL and its expiry when the file is ready."""
    line = (
        f"- {g(r, 'id')} | meeting {g(r, 'meeting_id') or g(g(r, 'meeting', default={}), 'id')} | "
        f"{enum_value(g(r, 'status'))} | "
        f"started {when(g(r, 'started_time', 'created_at'))}"
    )
    duration = g(r, "recording_duration")
    if duration is not None:
        line += f" | {duration}s"
    url = g(r, "download_url")
    if url:
        line += f"\n  download_url: {url} (expires {when(g(r, 'download_url_expiry')) or 'unknown'})"
    return line


@tool_handler(action="list recordings")
async def recording_list(
    ctx: Ctx,
    meeting_id: Annotated[str | None, Field(description="Only this meeting's recordings")] = None,
    status: Literal["RECORDING", "PAUSED", "UPLOADING", "UPLOADED", "ERRORED"] | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    client = await client_of(ctx)
    kwargs: dict[str, Any] = {"page_no": page_no, "per_page": per_page}
    if meeting_id:
        kwargs["meeting_id"] = meeting_id
    if status:
        kwargs["status"] = [status]
    page = await client.recordings.list(**kwargs)
    items = list(page.items)
    note, _, _ = page_note(len(items), page, page_no, per_page)
    lines = [recording_line(r) for r in items] or ["No recordings."]
    links = [recording_link(str(g(r, "id"))) for r in items if g(r, "download_url")]
    return ToolOutput("\n".join([*lines, note]), links=links)


@tool_handler(
    action="start the recording", not_found="Use meeting_list to find meeting ids.", output=RecordingOut
)
async def recording_start(ctx: Ctx, meeting_id: MeetingId) -> ToolOutput:
    client = await client_of(ctx)
    r = await client.recordings.start(meeting_id)
    out = RecordingOut(id=str(g(r, "id")), status=enum_value(g(r, "status")), meeting_id=meeting_id)
    return ToolOutput(
        f"Recording {out.id} of meeting {meeting_id}: {out.status}. Stop it with recording_stop.", out
    )


@tool_handler(action="stop the recording", not_found=NOT_FOUND, output=RecordingOut)
async def recording_stop(
    ctx: Ctx,
    recording_id: str | None = None,
    meeting_id: Annotated[str | None, Field(description="Stop this meeting's active recording")] = None,
) -> ToolOutput:
    client = await client_of(ctx)
    if not recording_id:
        if not meeting_id:
            raise ToolError("Pass recording_id, or meeting_id to stop that meeting's active recording.")
        active = await client.recordings.get_active(meeting_id)
        recording_id = str(g(active, "id"))
    r = await client.recordings.stop(recording_id)
    out = RecordingOut(id=recording_id, status=enum_value(g(r, "status")), meeting_id=g(r, "meeting_id"))
    return ToolOutput(
        f"Recording {out.id}: {out.status}. The file appears in recording_list once uploaded.", out
    )


TOOLSET = Toolset(
    id="recordings",
    description="Start and stop meeting recordings; find recordings and their files.",
    default=True,
    tools=(
        ToolSpec(
            name="recording_list",
            title="List recordings",
            description="List recordings with status, and the download URL and expiry of finished files.",
            fn=recording_list,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="recording_start",
            title="Start recording",
            description="Start recording a meeting's live session.",
            fn=recording_start,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="recording_stop",
            title="Stop recording",
            description="Stop a recording; the file is kept and appears in recording_list.",
            fn=recording_stop,
            read_only=False,
            destructive=False,
            idempotent=True,
        ),
    ),
)
