"""Resources: ``realtimekit://status`` and templates for session exports, recordings and bots
(live transcript, participants view).

Tools return ``resource_link`` blocks pointing here; ``resources/read`` fetches the full text
(transcripts, summaries, chat exports) or, for recordings, a small JSON document with the
download URL and its expiry (the video itself is not inlined).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from realtimekit_mcp.server.results import when

if TYPE_CHECKING:
    from realtimekit_mcp.bot import BotParticipant
    from realtimekit_mcp.server.app import RealtimeKitMCP

MAX_RESOURCE_CHARS = 400_000


def _server(ctx: Context) -> RealtimeKitMCP:
    return ctx.mcp_server  # type: ignore[return-value]


def register(server: RealtimeKitMCP) -> None:
    """Add the status resource and the export/recording templates to ``server``."""

    @server.resource(
        "realtimekit://status",
        name="status",
        title="Server status",
        description="Backend (Cloudflare, URL or embedded emulator), app, enabled toolsets and tools.",
        mime_type="application/json",
    )
    def status_resource() -> str:
        from realtimekit_mcp.server.app import status_json

        return status_json(server)

    async def read_export(kind: str, session_id: str, ctx: Context) -> str:
        from realtimekit_mcp.client.errors import NotFoundError, RealtimeKitError
        from realtimekit_mcp.tools.sessions import fetch_artifact

        client = await _server(ctx).deps.client()
        try:
            art = await fetch_artifact(client, session_id, kind)
        except NotFoundError:
            raise ResourceError(
                f"No {kind} for session {session_id} (unknown session or not ready)."
            ) from None
        except RealtimeKitError as err:
            raise ResourceError(
                f"Could not fetch the {kind} of session {session_id}: {type(err).__name__}."
            ) from None
        if not art.url:
            raise ResourceNotFoundError(f"Session {session_id} has no {kind} yet.")
        text = art.text or ""
        if len(text) > MAX_RESOURCE_CHARS:
            text = (
                text[:MAX_RESOURCE_CHARS]
                + f"\n[cut at {MAX_RESOURCE_CHARS} characters; full file: {art.url}]"
            )
        return text

    @server.resource(
        "realtimekit://sessions/{session_id}/transcript",
        name="session-transcript",
        title="Session transcript",
        description="Full transcript of a session (CSV).",
        mime_type="text/csv",
    )
    async def transcript(session_id: str, ctx: Context) -> str:
        return await read_export("transcript", session_id, ctx)

    @server.resource(
        "realtimekit://sessions/{session_id}/summary",
        name="session-summary",
        title="Session summary",
        description="AI summary of a session (markdown).",
        mime_type="text/markdown",
    )
    async def summary(session_id: str, ctx: Context) -> str:
        return await read_export("summary", session_id, ctx)

    @server.resource(
        "realtimekit://sessions/{session_id}/chat",
        name="session-chat",
        title="Session chat",
        description="Chat export of a session (CSV).",
        mime_type="text/csv",
    )
    async def chat(session_id: str, ctx: Context) -> str:
        return await read_export("chat", session_id, ctx)

    @server.resource(
        "realtimekit://recordings/{recording_id}",
        name="recording",
        title="Recording",
        description="A recording's status, duration, download URL and its expiry (JSON).",
        mime_type="application/json",
    )
    async def recording(recording_id: str, ctx: Context) -> str:
        from realtimekit_mcp.client.errors import NotFoundError, RealtimeKitError
        from realtimekit_mcp.tools._common import enum_value, g

        client = await _server(ctx).deps.client()
        try:
            r = await client.recordings.get(recording_id)
        except NotFoundError:
            raise ResourceNotFoundError(f"Unknown recording {recording_id}.") from None
        except RealtimeKitError as err:
            raise ResourceError(f"Could not fetch recording {recording_id}: {type(err).__name__}.") from None
        doc: dict[str, Any] = {
            "id": recording_id,
            "meeting_id": g(r, "meeting_id"),
            "session_id": g(r, "session_id"),
            "status": enum_value(g(r, "status")),
            "duration_seconds": g(r, "recording_duration"),
            "file_size": g(r, "file_size"),
            "file_name": g(r, "output_file_name"),
            "download_url": g(r, "download_url"),
            "download_url_expiry": when(g(r, "download_url_expiry")) or None,
        }
        return json.dumps({k: v for k, v in doc.items() if v is not None}, indent=1)

    @server.resource(
        "realtimekit://bots/{bot_id}/transcript",
        name="bot-transcript",
        title="Bot live transcript",
        description="What a bot has heard so far, one line per utterance (needs the speech extra).",
        mime_type="text/plain",
    )
    def bot_transcript(bot_id: str) -> str:
        from realtimekit_mcp.tools.bot import transcript_lines

        lines = transcript_lines(_bot(bot_id))
        return "\n".join(lines) if lines else "(nothing transcribed yet)"

    @server.resource(
        "realtimekit://bots/{bot_id}/participants",
        name="bot-participants",
        title="Bot participants view",
        description=(
            "Who is in the bot's meeting now, as the bot sees it: joined (audio, video, screenshare, "
            "speaking, pinned), active speakers, waiting room, pinned (JSON)."
        ),
        mime_type="application/json",
    )
    def bot_participants(bot_id: str) -> str:
        bot = _bot(bot_id)
        view = {"joined": [], "active_speakers": [], "waitlisted": [], "pinned": None, **bot.roster.status()}
        doc = {
            "bot_id": bot_id,
            "meeting_id": bot.meeting_id,
            "state": bot.state.value,
            "participant_id": bot.participant_id,
            **view,
        }
        return json.dumps(doc, indent=1, default=str)

    def _bot(bot_id: str) -> BotParticipant:
        manager = server.deps.bot_manager
        if manager is None:
            raise ResourceNotFoundError(f"Unknown bot {bot_id}: no bot has joined yet.")
        from realtimekit_mcp.bot import UnknownBotError

        try:
            return manager.get(bot_id)
        except UnknownBotError:
            raise ResourceNotFoundError(f"Unknown bot {bot_id}; bot_status lists the bots.") from None
