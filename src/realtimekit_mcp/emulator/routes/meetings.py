"""Meetings and their participants: ``.../meetings``."""

from __future__ import annotations

from ..schemas import MEETING_STATUSES
from ._common import Call, Reply, api, ok, paged


def list_meetings(c: Call) -> Reply:
    return paged(
        c.backend.list_meetings(
            c.app_id,
            **c.paging(),
            search=c.q("search"),
            start_time=c.q_datetime("start_time"),
            end_time=c.q_datetime("end_time"),
            status=c.q_enum("status", MEETING_STATUSES),
        )
    )


def create_meeting(c: Call) -> Reply:
    return ok(c.backend.create_meeting(c.app_id, c.body), status=201)


def get_meeting(c: Call) -> Reply:
    return ok(c.backend.get_meeting(c.app_id, c.uuid("meeting_id")))


def update_meeting(c: Call) -> Reply:
    return ok(c.backend.update_meeting(c.app_id, c.uuid("meeting_id"), c.body))


def replace_meeting(c: Call) -> Reply:
    return ok(c.backend.replace_meeting(c.app_id, c.uuid("meeting_id"), c.body))


def list_participants(c: Call) -> Reply:
    return paged(c.backend.list_participants(c.app_id, c.uuid("meeting_id"), **c.paging()))


def add_participant(c: Call) -> Reply:
    return ok(c.backend.add_participant(c.app_id, c.uuid("meeting_id"), c.body), status=201)


def get_participant(c: Call) -> Reply:
    return ok(c.backend.get_participant(c.app_id, c.uuid("meeting_id"), c.uuid("participant_id")))


def edit_participant(c: Call) -> Reply:
    return ok(c.backend.edit_participant(c.app_id, c.uuid("meeting_id"), c.uuid("participant_id"), c.body))


def replace_participant(c: Call) -> Reply:
    return ok(c.backend.replace_participant(c.app_id, c.uuid("meeting_id"), c.uuid("participant_id"), c.body))


def delete_participant(c: Call) -> Reply:
    return ok(c.backend.delete_participant(c.app_id, c.uuid("meeting_id"), c.uuid("participant_id")))


def refresh_token(c: Call) -> Reply:
    return ok(c.backend.refresh_participant_token(c.app_id, c.uuid("meeting_id"), c.uuid("participant_id")))


_P = "/meetings/{meeting_id}/participants/{participant_id}"
ROUTES = [
    api("GET", "/meetings", list_meetings),
    api("POST", "/meetings", create_meeting),
    api("GET", "/meetings/{meeting_id}", get_meeting),
    api("PATCH", "/meetings/{meeting_id}", update_meeting),
    api("PUT", "/meetings/{meeting_id}", replace_meeting),
    api("GET", "/meetings/{meeting_id}/participants", list_participants),
    api("POST", "/meetings/{meeting_id}/participants", add_participant),
    api("GET", _P, get_participant),
    api("PATCH", _P, edit_participant),
    api("PUT", _P, replace_participant),
    api("DELETE", _P, delete_participant),
    api("POST", _P + "/token", refresh_token),
]
