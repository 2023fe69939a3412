"""Toolset ``recordings``: start, stop, pause and resume a meeting's recording; find recordings and files."""

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ResourceLink
from pydantic import BaseModel, Field

from realtimekit_mcp.server.registry import Alias, Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, page_args, page_note, tool_handler, when
from realtimekit_mcp.tools._common import Ctx, Cursor, Limit, client_of, enum_value, g

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
    note = page_note(len(items), page, page_no, per_page)
    lines = [recording_line(r) for r in items] or ["No recordings."]
    links = [recording_link(str(g(r, "id"))) for r in items if g(r, "download_url")]
    return ToolOutput("\n".join([*lines, note]), links=links)


Action = Literal["start", "stop", "pause", "resume"]
DONE = {"start": "started", "stop": "stopped", "pause": "paused", "resume": "resumed"}
NEXT = {
    "start": "Stop it with recording_control action=stop.",
    "stop": "The file appears in recording_list once uploaded.",
    "pause": "Resume with recording_control action=resume.",
    "resume": "Stop it with recording_control action=stop.",
}


@tool_handler(action="control the recording", not_found=NOT_FOUND, output=RecordingOut)
async def recording_control(
    ctx: Ctx,
    action: Action,
    meeting_id: Annotated[
        str | None, Field(description="start: the meeting; else: act on its active recording")
    ] = None,
    recording_id: str | None = None,
) -> ToolOutput:
    client = await client_of(ctx)
    if action == "start":
        if not meeting_id:
            raise ToolError("action=start needs meeting_id.")
        r = await client.recordings.start(meeting_id)
        out = RecordingOut(id=str(g(r, "id")), status=enum_value(g(r, "status")), meeting_id=meeting_id)
        return ToolOutput(f"Recording {out.id} of meeting {meeting_id}: {out.status}. {NEXT[action]}", out)
    if not recording_id:
        if not meeting_id:
            raise ToolError(f"Pass recording_id, or meeting_id to {action} that meeting's active recording.")
        active = await client.recordings.get_active(meeting_id)
        recording_id = str(g(active, "id"))
    method = {
        "stop": client.recordings.stop,
        "pause": client.recordings.pause,
        "resume": client.recordings.resume,
    }
    r = await method[action](recording_id)
    out = RecordingOut(id=recording_id, status=enum_value(g(r, "status")), meeting_id=g(r, "meeting_id"))
    return ToolOutput(f"Recording {out.id} {DONE[action]}: {out.status}. {NEXT[action]}", out)


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
            name="recording_control",
            title="Start, stop, pause or resume recording",
            description=(
                "Start recording a meeting's live session, or stop, pause or resume a recording "
                "(by id or the meeting's active one); a stopped file is kept."
            ),
            fn=recording_control,
            read_only=False,
            destructive=False,
            idempotent=False,
            aliases=(
                Alias("recording_start", {"action": "start"}),
                Alias("recording_stop", {"action": "stop"}),
            ),
        ),
    ),
)
