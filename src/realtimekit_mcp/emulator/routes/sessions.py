"""Session history, exports and reports: ``.../sessions``."""

from __future__ import annotations

from ..schemas import SESSION_STATUSES, TRANSCRIPT_FORMATS
from ..validation import query_range
from ._common import Call, Reply, api, ok

_ORDER = ("ASC", "DESC")


def list_sessions(c: Call) -> Reply:
    page = c.backend.list_sessions(
        c.app_id,
        **c.paging(),
        sort_by=c.q_enum("sort_by", ("minutesConsumed", "createdAt")),
        sort_order=c.q_enum("sort_order", _ORDER),
        start_time=c.q_datetime("start_time"),
        end_time=c.q_datetime("end_time"),
        participants=query_range(c.q("participants"), "participants"),
        status=c.q_enum("status", SESSION_STATUSES),
        search=c.q("search"),
        associated_id=c.q("associated_id"),
    )
    return ok({"sessions": page.items}, paging=page.paging)


def get_session(c: Call) -> Reply:
    return ok(
        c.backend.get_session(
            c.app_id, c.uuid("session_id"), include_breakout_rooms=bool(c.q_bool("include_breakout_rooms"))
        )
    )


def list_session_participants(c: Call) -> Reply:
    page = c.backend.list_session_participants(
        c.app_id,
        c.uuid("session_id"),
        search=c.q("search"),
        page_no=c.q_int("page_no", minimum=0, maximum=1_000_000),
        per_page=c.q_int("per_page", minimum=1, maximum=200),
        sort_order=c.q_enum("sort_order", _ORDER),
        sort_by=c.q_enum("sort_by", ("joinedAt", "duration")),
        include_peer_events=bool(c.q_bool("include_peer_events")),
        view=c.q_enum("view", ("raw", "consolidated")),
    )
    return ok({"participants": page.items}, paging=page.paging)


def get_session_participant(c: Call) -> Reply:
    return ok(
        c.backend.get_session_participant(
            c.app_id,
            c.uuid("session_id"),
            c.uuid("participant_id"),
            include_peer_events=bool(c.q_bool("include_peer_events")),
        )
    )


def peer_report(c: Call) -> Reply:
    filters = c.q_enum(
        "filters", ("device_info", "ip_information", "precall_network_information", "events", "quality_stats")
    )
    return ok(
        c.backend.peer_report(
            c.app_id,
            c.uuid("peer_id"),
            filters=filters,
            include_peer_events=bool(c.q_bool("include_peer_events")),
        )
    )


def chat(c: Call) -> Reply:
    return ok(c.backend.session_chat(c.app_id, c.uuid("session_id")))


def transcript(c: Call) -> Reply:
    return ok(
        c.backend.session_transcript(
            c.app_id, c.uuid("session_id"), format=c.q_enum("format", TRANSCRIPT_FORMATS)
        )
    )


def summary(c: Call) -> Reply:
    return ok(c.backend.session_summary(c.app_id, c.uuid("session_id")))


def generate_summary(c: Call) -> Reply:
    return ok(c.backend.generate_summary(c.app_id, c.uuid("session_id")))


def livestream_sessions(c: Call) -> Reply:
    return ok(c.backend.session_livestream_sessions(c.app_id, c.uuid("session_id"), **c.paging()))


ROUTES = [
    api("GET", "/sessions", list_sessions),
    api("GET", "/sessions/peer-report/{peer_id}", peer_report),
    api("GET", "/sessions/{session_id}", get_session),
    api("GET", "/sessions/{session_id}/participants", list_session_participants),
    api("GET", "/sessions/{session_id}/participants/{participant_id}", get_session_participant),
    api("GET", "/sessions/{session_id}/chat", chat),
    api("GET", "/sessions/{session_id}/transcript", transcript),
    api("GET", "/sessions/{session_id}/summary", summary),
    api("POST", "/sessions/{session_id}/summary", generate_summary),
    api("GET", "/sessions/{session_id}/livestream-sessions", livestream_sessions),
]
