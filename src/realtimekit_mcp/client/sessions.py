"""Sessions (SE1-SE9): past and live sessions, their participants, peer reports and exports.

Quirks handled here: the list is ``data.sessions``, participants are ``data.participants`` (paging
at the top level or inside ``data``), the transcript export has a camelCase ``sessionId`` and the
summary export is all camelCase. The models expose snake_case names and accept both spellings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from pydantic import Field

from realtimekit_mcp.client._models import (
    DateTimeQuery,
    Page,
    PageNo,
    PerPage,
    ResponseModel,
    Timestamp,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, iterate_pages, to_page, validated
from realtimekit_mcp.client.errors import ResponseFormatError

__all__ = [
    "ChatExport",
    "PeerEvent",
    "PeerReport",
    "Session",
    "SessionParticipant",
    "SessionsResource",
    "SummaryExport",
    "SummaryJob",
    "TranscriptExport",
]

SortOrder = Literal["ASC", "DESC"]
PeerReportFilter = Literal[
    "device_info", "ip_information", "precall_network_information", "events", "quality_stats"
]


class Session(ResponseModel):
    """A session: one live occurrence of a meeting (``associated_id`` is the meeting id)."""

    id: str
    associated_id: str | None = None
    meeting_display_name: str | None = None
    type: str | None = None
    status: str | None = None
    live_participants: float | None = None
    max_concurrent_participants: float | None = None
    minutes_consumed: float | None = None
    organization_id: str | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    breakout_rooms: list[Session] | None = None
    meta: dict[str, Any] | None = None


class PeerEvent(ResponseModel):
    """One peer lifecycle event (``PEER_CREATED``, ``PEER_JOINING``, ``PEER_LEAVING``)."""

    id: str | None = None
    peer_id: str | None = None
    participant_id: str | None = None
    session_id: str | None = None
    socket_session_id: str | None = None
    event_name: str | None = None
    minutes_consumed: float | None = None
    preset_view_type: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class SessionParticipant(ResponseModel):
    """A participant as seen by a session; ``id`` maps to the peer id, ``user_id`` to the participant."""

    id: str | None = None
    user_id: str | None = None
    custom_participant_id: str | None = None
    display_name: str | None = None
    preset_name: str | None = None
    joined_at: Timestamp | None = None
    left_at: Timestamp | None = None
    duration: float | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    peer_events: list[PeerEvent] | None = None


class PeerReport(SessionParticipant):
    """SE5 peer report: the participant plus ``peer_report`` (``metadata``, ``quality``)."""

    session_id: str | None = None
    role: str | None = None
    peer_report: dict[str, Any] | None = None


class ChatExport(ResponseModel):
    """SE6: where to download the session's chat (CSV) and until when."""

    chat_download_url: str | None = None
    chat_download_url_expiry: Timestamp | None = None


class TranscriptExport(ResponseModel):
    """SE7: transcript download (``sessionId`` is camelCase on the wire)."""

    session_id: str | None = Field(None, alias="sessionId")
    transcript_download_url: str | None = None
    transcript_download_url_expiry: Timestamp | None = None


class SummaryExport(ResponseModel):
    """SE8: summary download (all camelCase on the wire)."""

    session_id: str | None = Field(None, alias="sessionId")
    summary_download_url: str | None = Field(None, alias="summaryDownloadUrl")
    summary_download_url_expiry: Timestamp | None = Field(None, alias="summaryDownloadUrlExpiry")


class SummaryJob(ResponseModel):
    """SE9: summary generation accepted. Sources disagree on the shape, so this is a superset."""

    session_id: str | None = None
    status: str | None = None
    success: bool | None = None
    message: str | None = None


class SessionsResource(Resource):
    """``client.sessions``."""

    @validated
    async def list(
        self,
        *,
        page_no: PageNo | None = None,
        per_page: PerPage | None = None,
        sort_by: Literal["minutesConsumed", "createdAt"] | None = None,
        sort_order: SortOrder | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        participants: str | None = None,
        status: Literal["LIVE", "ENDED"] | None = None,
        search: str | None = None,
        associated_id: str | None = None,
    ) -> Page[Session]:
        """SE1 GET sessions (``data.sessions``). ``participants`` is a range such as ``"1:10"``."""
        env = await self._call(
            "GET",
            "sessions",
            params={
                "page_no": page_no,
                "per_page": per_page,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "start_time": start_time,
                "end_time": end_time,
                "participants": participants,
                "status": status,
                "search": search,
                "associated_id": associated_id,
            },
        )
        return to_page(env, Session, key="sessions", page_no=page_no, per_page=per_page)

    def iter(
        self,
        *,
        per_page: int | None = None,
        sort_by: Literal["minutesConsumed", "createdAt"] | None = None,
        sort_order: SortOrder | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        participants: str | None = None,
        status: Literal["LIVE", "ENDED"] | None = None,
        search: str | None = None,
        associated_id: str | None = None,
    ) -> AsyncIterator[Session]:
        """Every session matching the filters, page after page."""
        return iterate_pages(
            lambda n: self.list(
                page_no=n,
                per_page=per_page,
                sort_by=sort_by,
                sort_order=sort_order,
                start_time=start_time,
                end_time=end_time,
                participants=participants,
                status=status,
                search=search,
                associated_id=associated_id,
            )
        )

    @validated
    async def get(self, session_id: str, *, include_breakout_rooms: bool | None = None) -> Session:
        """SE2 GET sessions/{id}."""
        env = await self._call(
            "GET", "sessions", session_id, params={"include_breakout_rooms": include_breakout_rooms}
        )
        return parse_response(Session, env.data, status_code=env.status_code)

    @validated
    async def participants(
        self,
        session_id: str,
        *,
        search: str | None = None,
        page_no: PageNo | None = None,
        per_page: Annotated[int, Field(ge=1, le=200)] | None = None,
        sort_by: Literal["joinedAt", "duration"] | None = None,
        sort_order: SortOrder | None = None,
        include_peer_events: bool | None = None,
        view: Literal["raw", "consolidated"] | None = None,
    ) -> Page[SessionParticipant]:
        """SE3 GET sessions/{id}/participants (``data.participants``; per_page 1..200, default 25)."""
        env = await self._call(
            "GET",
            "sessions",
            session_id,
            "participants",
            params={
                "search": search,
                "page_no": page_no,
                "per_page": per_page,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "include_peer_events": include_peer_events,
                "view": view,
            },
        )
        return to_page(env, SessionParticipant, key="participants", page_no=page_no, per_page=per_page)

    def iter_participants(
        self,
        session_id: str,
        *,
        search: str | None = None,
        per_page: int | None = None,
        include_peer_events: bool | None = None,
    ) -> AsyncIterator[SessionParticipant]:
        """Every participant of a session, page after page."""
        return iterate_pages(
            lambda n: self.participants(
                session_id,
                search=search,
                page_no=n,
                per_page=per_page,
                include_peer_events=include_peer_events,
            )
        )

    @validated
    async def participant(
        self, session_id: str, participant_id: str, *, include_peer_events: bool | None = None
    ) -> SessionParticipant:
        """SE4 GET sessions/{id}/participants/{participant_id} (``data.participant``)."""
        env = await self._call(
            "GET",
            "sessions",
            session_id,
            "participants",
            participant_id,
            params={"include_peer_events": include_peer_events},
        )
        return parse_response(SessionParticipant, _inner(env.data, "participant", env.status_code))

    @validated
    async def peer_report(
        self,
        peer_id: str,
        *,
        filters: PeerReportFilter | None = None,
        include_peer_events: bool | None = None,
    ) -> PeerReport:
        """SE5 GET sessions/peer-report/{peer_id}: device, network and quality data of one peer."""
        env = await self._call(
            "GET",
            "sessions",
            "peer-report",
            peer_id,
            params={"filters": filters, "include_peer_events": include_peer_events},
        )
        return parse_response(PeerReport, _inner(env.data, "participant", env.status_code))

    @validated
    async def chat(self, session_id: str) -> ChatExport:
        """SE6 GET sessions/{id}/chat: chat export download URL (fetch it with ``client.download``)."""
        env = await self._call("GET", "sessions", session_id, "chat")
        return parse_response(ChatExport, env.data, status_code=env.status_code)

    @validated
    async def transcript(
        self, session_id: str, *, format: Literal["SRT", "VTT", "JSON", "CSV"] | None = None
    ) -> TranscriptExport:
        """SE7 GET sessions/{id}/transcript (default format CSV)."""
        env = await self._call("GET", "sessions", session_id, "transcript", params={"format": format})
        return parse_response(TranscriptExport, env.data, status_code=env.status_code)

    @validated
    async def summary(self, session_id: str) -> SummaryExport:
        """SE8 GET sessions/{id}/summary."""
        env = await self._call("GET", "sessions", session_id, "summary")
        return parse_response(SummaryExport, env.data, status_code=env.status_code)

    @validated
    async def generate_summary(self, session_id: str) -> SummaryJob:
        """SE9 POST sessions/{id}/summary: generate a summary (the transcript must exist)."""
        env = await self._call("POST", "sessions", session_id, "summary")
        data = env.data
        if not isinstance(data, dict):
            body = env.body if isinstance(env.body, dict) else {}
            data = {k: body[k] for k in ("success", "message") if k in body}
        return parse_response(SummaryJob, data)


def _inner(data: Any, key: str, status: int) -> Any:
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        return data[key]
    raise ResponseFormatError(f"expected data.{key} in the response", status_code=status)
