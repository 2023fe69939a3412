"""Toolset ``sessions``: live sessions (who is in, kick, mute, polls) and history (transcripts,
chat exports, summaries)."""

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Elicit, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ResourceLink
from pydantic import Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Alias, Toolset, ToolSpec
from realtimekit_mcp.server.results import (
    ToolOutput,
    page_args,
    page_note,
    preview,
    short,
    tool_handler,
    when,
)
from realtimekit_mcp.tools._common import Ctx, Cursor, Limit, MeetingId, client_of, enum_value, g

if TYPE_CHECKING:
    from realtimekit_mcp.client import RealtimeKitClient

NOT_FOUND = "Use session_get view=list to find session ids."
MIME = {"transcript": "text/csv", "summary": "text/markdown", "chat": "text/csv"}
MAX_PARTICIPANT_LINES = 50
MAX_DOWNLOAD_BYTES = 20_000_000  # exports bigger than this are left at their download URL


@dataclass
class Artifact:
    """A session export: where to download it, until when, and its text (when fetched)."""

    kind: str
    session_id: str
    url: str | None
    expiry: Any
    text: str | None = None


async def fetch_artifact(
    client: "RealtimeKitClient", session_id: str, kind: str, *, download: bool = True
) -> Artifact:
    """Ask RealtimeKit for a session's transcript, summary or chat export, and download it."""
    exp: Any
    if kind == "transcript":
        exp = await client.sessions.transcript(session_id)
        url = g(exp, "transcript_download_url", "transcriptDownloadUrl")
        expiry = g(exp, "transcript_download_url_expiry", "transcriptDownloadUrlExpiry")
    elif kind == "summary":
        exp = await client.sessions.summary(session_id)
        url = g(exp, "summary_download_url", "summaryDownloadUrl")
        expiry = g(exp, "summary_download_url_expiry", "summaryDownloadUrlExpiry")
    elif kind == "chat":
        exp = await client.sessions.chat(session_id)
        url = g(exp, "chat_download_url", "chatDownloadUrl")
        expiry = g(exp, "chat_download_url_expiry", "chatDownloadUrlExpiry")
    else:  # pragma: no cover - every caller passes one of the three kinds
        raise ToolError(f"Unknown artifact kind {kind!r}: use transcript, summary or chat.")
    art = Artifact(kind=kind, session_id=session_id, url=url, expiry=expiry)
    if download and url:
        from realtimekit_mcp.client.errors import ResponseTooLargeError

        try:
            art.text = (await client.download(url, max_bytes=MAX_DOWNLOAD_BYTES)).decode(
                "utf-8", errors="replace"
            )
        except ResponseTooLargeError:
            art.text = f"(larger than {MAX_DOWNLOAD_BYTES // 1_000_000} MB: fetch it from download_url)"
    return art


def readable(kind: str, text: str) -> str:
    """A compact, human reading of a transcript or chat CSV (``[m:ss] name: text``); else ``text``.

    Transcript CSV rows are ``start_ms, peer_id, user_id, custom_participant_id, name, text``
    (Cloudflare's format); chat exports have a header with ``displayName`` and ``payload``.
    """
    if kind not in ("transcript", "chat"):
        return text
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return text
    out: list[str] = []
    if kind == "transcript":
        for row in rows:
            if len(row) < 6 or not row[0].strip().isdigit():
                return text
            seconds = int(row[0]) // 1000
            out.append(f"[{seconds // 60}:{seconds % 60:02d}] {row[4] or row[3]}: {row[5]}")
    else:
        if not rows or "payload" not in rows[0] or "displayName" not in rows[0]:
            return text
        head = rows[0]
        name_i, text_i = head.index("displayName"), head.index("payload")
        time_i = head.index("createdAt") if "createdAt" in head else None
        for row in rows[1:]:
            if len(row) <= max(name_i, text_i):
                continue
            stamp = f"[{row[time_i][11:16]}] " if time_i is not None and len(row) > time_i else ""
            out.append(f"{stamp}{row[name_i]}: {row[text_i]}")
    return "\n".join(out)


def artifact_link(kind: str, session_id: str) -> ResourceLink:
    """The ``realtimekit://`` link that ``resources/read`` serves for a session export."""
    return ResourceLink(
        type="resource_link",
        uri=f"realtimekit://sessions/{session_id}/{kind}",
        name=f"{kind} of session {session_id}",
        mime_type=MIME[kind],
    )


async def latest_session_id(client: "RealtimeKitClient", meeting_id: str) -> str:
    """The id of the most recent session of a meeting (live or ended)."""
    page = await client.sessions.list(
        associated_id=meeting_id, sort_by="createdAt", sort_order="DESC", page_no=1, per_page=1
    )
    items = list(page.items)
    if not items:
        raise ToolError(f"Meeting {meeting_id} has no sessions yet (nobody has joined it).")
    return str(g(items[0], "id"))


def _count(value: Any) -> str:
    return "?" if value is None else str(int(value)) if isinstance(value, float) else str(value)


def session_line(s: Any) -> str:
    """One compact line per session."""
    title = short(g(s, "meeting_display_name", "title", default=""), 40)
    span = f"{when(g(s, 'started_at', 'created_at'))}..{when(g(s, 'ended_at'))}"
    people = _count(g(s, "live_participants", "max_concurrent_participants"))
    return (
        f"- {g(s, 'id')} | meeting {g(s, 'associated_id', 'meeting_id')} {title} | "
        f"{enum_value(g(s, 'status'))} | {span} | {people} people"
    )


async def _list_sessions(
    client: "RealtimeKitClient", meeting_id: str | None, status: str | None, limit: int, cursor: str | None
) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    kwargs: dict[str, Any] = {
        "page_no": page_no,
        "per_page": per_page,
        "sort_by": "createdAt",
        "sort_order": "DESC",
    }
    if meeting_id:
        kwargs["associated_id"] = meeting_id
    if status:
        kwargs["status"] = status
    page = await client.sessions.list(**kwargs)
    items = list(page.items)
    note = page_note(len(items), page, page_no, per_page)
    lines = [session_line(s) for s in items] or ["No sessions."]
    return ToolOutput("\n".join([*lines, note]))


async def _session_details(client: "RealtimeKitClient", session_id: str) -> ToolOutput:
    s = await client.sessions.get(session_id)
    parts_page = await client.sessions.participants(session_id, per_page=100)
    parts = list(g(parts_page, "items", "participants", default=parts_page) or [])
    total = g(g(parts_page, "paging", default={}), "total_count", default=len(parts))
    lines = [
        f"Session {g(s, 'id')} of meeting {g(s, 'associated_id', 'meeting_id')}: {enum_value(g(s, 'status'))}, "
        f"{when(g(s, 'started_at', 'created_at'))}..{when(g(s, 'ended_at'))}",
        f"participants ({total}):",
    ]
    for p in parts[:MAX_PARTICIPANT_LINES]:
        left = when(g(p, "left_at"))
        state = f"left {left}" if left else "in the session"
        lines.append(
            f"- {short(g(p, 'display_name', 'name', default='(no name)'), 40)} | participant "
            f"{g(p, 'participant_id', 'user_id', 'id')} | joined {when(g(p, 'joined_at'))} | {state}"
        )
    if total > min(len(parts), MAX_PARTICIPANT_LINES):
        lines.append(f"showing {min(len(parts), MAX_PARTICIPANT_LINES)} of {total} participants")
    lines.append("Exports: session_get view=transcript|summary|chat.")
    return ToolOutput("\n".join(lines))


@tool_handler(action="get the session", not_found=NOT_FOUND)
async def session_get(
    ctx: Ctx,
    meeting_id: Annotated[str | None, Field(description="Use the meeting's latest session")] = None,
    session_id: str | None = None,
    view: Annotated[
        Literal["details", "transcript", "summary", "chat", "list"],
        Field(description="details: who joined; transcript|summary|chat: preview + link; list: sessions"),
    ] = "details",
    status: Annotated[Literal["LIVE", "ENDED"] | None, Field(description="List filter")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> ToolOutput:
    client = await client_of(ctx)
    if view == "list" or not (session_id or meeting_id):
        return await _list_sessions(client, meeting_id, status, limit, cursor)
    if not session_id:
        assert meeting_id is not None
        session_id = await latest_session_id(client, meeting_id)
    if view == "details":
        return await _session_details(client, session_id)
    art = await fetch_artifact(client, session_id, view)
    if not art.url:
        raise ToolError(
            f"Session {session_id} has no {view} yet (it may still be processing, or the meeting "
            "was not set up for it). Retry later."
        )
    head, cut = preview(readable(view, art.text or ""))
    lines = [
        f"{view.capitalize()} of session {session_id}"
        + (" (preview; read the resource link for all of it)" if cut else ""),
        f"download_url: {art.url}",
        f"expires: {when(art.expiry) or 'unknown'}",
        "---",
        head or "(empty)",
    ]
    return ToolOutput("\n".join(lines), links=[artifact_link(view, session_id)])


def _targets(participant_ids: list[str] | None, everyone: bool) -> str:
    if everyone:
        return "everyone"
    if not participant_ids:
        raise ToolError("Pass participant_ids, or everyone=true.")
    return f"{len(participant_ids)} participant(s) ({', '.join(participant_ids[:5])})"


async def _confirm_moderate(
    meeting_id: str, action: str, participant_ids: list[str] | None, everyone: bool, ctx: Ctx
) -> Elicit[Confirm] | Confirm:
    who = _targets(participant_ids, everyone)
    if (early := gate(ctx, f"{action} {who} in meeting {meeting_id}")) is not None:
        return early
    effect = (
        "They are disconnected from the live session."
        if action == "kick"
        else "Their microphones are turned off."
    )
    return ask(f"{action.capitalize()} {who} in the live session of meeting {meeting_id}? {effect}")


@tool_handler(action="moderate the live session", not_found="Is a session live? Check meeting_get.")
async def session_moderate(
    ctx: Ctx,
    meeting_id: MeetingId,
    action: Literal["kick", "mute"],
    confirmed: Annotated[Confirmation, Resolve(_confirm_moderate)],
    participant_ids: Annotated[list[str] | None, Field(description="Ids from session_get")] = None,
    everyone: bool = False,
) -> ToolOutput:
    who = _targets(participant_ids, everyone)
    require(confirmed, f"{action} {who}")
    client = await client_of(ctx)
    live = client.active_session
    if action == "kick":
        await (
            live.kick_all(meeting_id) if everyone else live.kick(meeting_id, participant_ids=participant_ids)
        )
    else:
        await (
            live.mute_all(meeting_id) if everyone else live.mute(meeting_id, participant_ids=participant_ids)
        )
    done = "Kicked" if action == "kick" else "Muted"
    return ToolOutput(f"{done} {who} in meeting {meeting_id}.")


@tool_handler(action="create the poll", not_found="Is a session live? Check meeting_get.")
async def session_poll_create(
    ctx: Ctx,
    meeting_id: MeetingId,
    question: str,
    options: Annotated[list[str], Field(min_length=2, max_length=10)],
    anonymous: bool = False,
) -> ToolOutput:
    client = await client_of(ctx)
    result = await client.active_session.create_poll(
        meeting_id, question=question, options=options, anonymous=anonymous
    )
    poll_id = g(g(result, "poll", default=result), "id", default="?")
    return ToolOutput(f"Poll {poll_id} posted in the live session of meeting {meeting_id}: {short(question)}")


TOOLSET = Toolset(
    id="sessions",
    description="Live sessions (who is in, kick, mute, polls) and past ones (transcripts, chat, summaries).",
    default=True,
    tools=(
        ToolSpec(
            name="session_get",
            title="Get session",
            description=(
                "Who joined a session, or a preview and link of its transcript, summary or chat "
                "(meeting_id alone: its latest session). Without ids, or view=list: sessions, newest first."
            ),
            fn=session_get,
            read_only=True,
            destructive=False,
            idempotent=True,
            aliases=(Alias("session_list", {"view": "list"}),),
        ),
        ToolSpec(
            name="session_moderate",
            title="Kick or mute in live session",
            description="Kick or mute participants (or everyone) in a meeting's live session; asks the user to confirm.",
            fn=session_moderate,
            read_only=False,
            destructive=True,
            idempotent=False,
        ),
        ToolSpec(
            name="session_poll_create",
            title="Create poll",
            description="Post a poll in a meeting's live session.",
            fn=session_poll_create,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
    ),
)
