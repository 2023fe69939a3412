"""Recordings: ``.../recordings``."""

from __future__ import annotations

from ..schemas import RECORDING_STATUSES
from ..validation import require_uuid
from ._common import Call, Reply, api, ok, paged


def list_recordings(c: Call) -> Reply:
    meeting_id = c.q("meeting_id")
    if meeting_id:
        meeting_id = require_uuid(meeting_id, "meeting_id")
    return paged(
        c.backend.list_recordings(
            c.app_id,
            meeting_id=meeting_id,
            **c.paging(),
            expired=c.q_bool("expired"),
            search=c.q("search"),
            sort_by=c.q_enum("sort_by", ("invokedTime",)),
            sort_order=c.q_enum("sort_order", ("ASC", "DESC")),
            start_time=c.q_datetime("start_time"),
            end_time=c.q_datetime("end_time"),
            status=c.q_enum_list("status", RECORDING_STATUSES) or None,
        )
    )


def start_recording(c: Call) -> Reply:
    return ok(c.backend.start_recording(c.app_id, c.body))


def start_track_recording(c: Call) -> Reply:
    return ok(c.backend.start_track_recording(c.app_id, c.body))


def get_active_recording(c: Call) -> Reply:
    return ok(c.backend.get_active_recording(c.app_id, c.uuid("meeting_id")))


def get_recording(c: Call) -> Reply:
    return ok(c.backend.get_recording(c.app_id, c.uuid("recording_id")))


def recording_action(c: Call) -> Reply:
    return ok(c.backend.recording_action(c.app_id, c.uuid("recording_id"), c.body))


ROUTES = [
    api("GET", "/recordings", list_recordings),
    api("POST", "/recordings", start_recording),
    api("POST", "/recordings/track", start_track_recording),
    api("GET", "/recordings/active-recording/{meeting_id}", get_active_recording),
    api("GET", "/recordings/{recording_id}", get_recording),
    api("PUT", "/recordings/{recording_id}", recording_action),
]
