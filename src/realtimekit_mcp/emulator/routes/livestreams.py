"""Livestreams and livestream analytics."""

from __future__ import annotations

from ..schemas import LIVESTREAM_STATUSES
from ._common import Call, Reply, api, ok


def start_livestream(c: Call) -> Reply:
    return ok(c.backend.start_livestream(c.app_id, c.uuid("meeting_id"), c.body), status=201)


def stop_livestream(c: Call) -> Reply:
    return ok(c.backend.stop_livestream(c.app_id, c.uuid("meeting_id")))


def get_active_livestream(c: Call) -> Reply:
    return ok(c.backend.get_active_livestream(c.app_id, c.uuid("meeting_id")))


def meeting_livestreams(c: Call) -> Reply:
    return ok(c.backend.meeting_livestreams(c.app_id, c.uuid("meeting_id"), **c.paging()))


def list_livestreams(c: Call) -> Reply:
    # Cloudflare's SDK and OpenAPI type ``data`` as ONE livestream object with an inner ``paging``.
    # The emulator answers that shape (the newest livestream's fields) and adds the full page as
    # ``data.livestreams`` so callers can still see every item (see LIMITATIONS.md).
    page = c.backend.list_livestreams(
        c.app_id,
        exclude_meetings=c.q_bool("exclude_meetings"),
        **c.paging(),
        status=c.q_enum("status", LIVESTREAM_STATUSES),
        start_time=c.q_datetime("start_time"),
        end_time=c.q_datetime("end_time"),
        sort_order=c.q_enum("sort_order", ("ASC", "DSC", "DESC")),
    )
    data = dict(page.items[0]) if page.items else {}
    data["paging"] = page.paging
    data["livestreams"] = page.items
    return ok(data, paging=page.paging)


def get_livestream(c: Call) -> Reply:
    return ok(c.backend.get_livestream(c.app_id, c.path("livestream_id"), **c.paging()))


def get_active_livestream_session(c: Call) -> Reply:
    return ok(c.backend.get_active_livestream_session(c.app_id, c.path("livestream_id")))


def get_livestream_session(c: Call) -> Reply:
    return ok(c.backend.get_livestream_session(c.app_id, c.path("livestream_session_id")))


def analytics_overall(c: Call) -> Reply:
    return ok(
        c.backend.livestream_analytics_overall(
            c.app_id, start_time=c.q_unix("start_time"), end_time=c.q_unix("end_time")
        )
    )


def analytics_daywise(c: Call) -> Reply:
    return ok(
        c.backend.livestream_analytics_daywise(
            c.app_id, start_time=c.q_unix("start_time"), end_time=c.q_unix("end_time")
        )
    )


ROUTES = [
    api("POST", "/meetings/{meeting_id}/livestreams", start_livestream),
    api("POST", "/meetings/{meeting_id}/active-livestream/stop", stop_livestream),
    api("GET", "/meetings/{meeting_id}/active-livestream", get_active_livestream),
    api("GET", "/meetings/{meeting_id}/livestream", meeting_livestreams),
    api("GET", "/livestreams", list_livestreams),
    api("GET", "/livestreams/sessions/{livestream_session_id}", get_livestream_session),
    api("GET", "/livestreams/{livestream_id}", get_livestream),
    api("GET", "/livestreams/{livestream_id}/active-livestream-session", get_active_livestream_session),
    api("GET", "/analytics/livestreams/overall", analytics_overall),
    api("GET", "/analytics/livestreams/daywise", analytics_daywise),
]
