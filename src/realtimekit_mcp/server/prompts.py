"""Prompts: short task recipes a user can pick in their MCP client."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realtimekit_mcp.server.app import RealtimeKitMCP


def register(server: RealtimeKitMCP) -> None:
    """Add the prompts to ``server``."""

    @server.prompt(
        name="plan_meeting",
        title="Plan a meeting",
        description="Create a meeting and invite people, returning their join credentials.",
    )
    def plan_meeting(topic: str, attendees: str) -> str:
        return (
            f"Set up a RealtimeKit meeting about: {topic}.\n"
            f"Attendees (comma-separated, first one hosts): {attendees}.\n"
            "1. meeting_create with a clear title (summarize_on_end=true if notes are wanted).\n"
            "2. participant_add for each attendee: preset group_call_host for the host, "
            "group_call_participant for the others.\n"
            "3. Reply with a table: name, role, join link (or auth token when there is no link)."
        )

    @server.prompt(
        name="brief_last_session",
        title="Brief me on the last session",
        description="Summarize who attended a meeting's latest session and what was said.",
    )
    def brief_last_session(meeting_id: str) -> str:
        return (
            f"Brief me on the latest session of meeting {meeting_id}.\n"
            f"1. session_get meeting_id={meeting_id} (who joined, when, for how long).\n"
            f"2. session_get meeting_id={meeting_id} view=summary; if there is none, view=transcript "
            "and read the linked resource if the preview is cut.\n"
            "3. Reply with: attendees, duration, key points, decisions, action items with owners."
        )

    @server.prompt(
        name="run_live_session",
        title="Run a live session",
        description="Check who is in a meeting's live session and moderate it.",
    )
    def run_live_session(meeting_id: str) -> str:
        return (
            f"Help me run the live session of meeting {meeting_id}.\n"
            f"1. meeting_get meeting_id={meeting_id}, then session_get meeting_id={meeting_id}.\n"
            "2. Tell me who is in. Offer recording_control, session_poll_create or session_moderate "
            "(mute/kick; I will be asked to confirm) as I ask."
        )
