"""Live moderation: ``.../meetings/{meeting_id}/active-session``."""

from __future__ import annotations

from ._common import Call, Reply, api, ok


def get_active_session(c: Call) -> Reply:
    return ok(c.backend.get_active_session(c.app_id, c.uuid("meeting_id")))


def kick(c: Call) -> Reply:
    return ok(c.backend.kick(c.app_id, c.uuid("meeting_id"), c.body))


def kick_all(c: Call) -> Reply:
    return ok(c.backend.kick_all(c.app_id, c.uuid("meeting_id")))


def mute(c: Call) -> Reply:
    return ok(c.backend.mute(c.app_id, c.uuid("meeting_id"), c.body))


def mute_all(c: Call) -> Reply:
    return ok(c.backend.mute_all(c.app_id, c.uuid("meeting_id"), c.body))


def create_poll(c: Call) -> Reply:
    return ok(c.backend.create_poll(c.app_id, c.uuid("meeting_id"), c.body), status=201)


_A = "/meetings/{meeting_id}/active-session"
ROUTES = [
    api("GET", _A, get_active_session),
    api("POST", _A + "/kick", kick),
    api("POST", _A + "/kick-all", kick_all),
    api("POST", _A + "/mute", mute),
    api("POST", _A + "/mute-all", mute_all),
    api("POST", _A + "/poll", create_poll),
]
