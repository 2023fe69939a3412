"""Client-API routes of the plugin catalogue, and the emulator's read of a session's polls.

* ``GET /v2/plugins/user`` with ``Authorization: Bearer <participant token>``: the emulator's
  plugin catalogue (:attr:`EmulatorConfig.plugins`) as ``{"success": true, "data": {"plugins":
  [...]}}``. SDK 2.0.2 (web) fetches no catalogue: apps register plugins on the client. The path
  and the field names (``id``, ``name``, ``description``, ``picture``, ``baseURL``, ``private``,
  ``staggered``, ``published``, ``tags``, ``type``, ``organizationId``) follow the plugin object of
  RealtimeKit's mobile core SDKs; the emulator adds ``url`` (= ``baseURL``).
* ``GET /_emulator/meetings/{meeting_id}/polls`` and ``GET /_emulator/sessions/{session_id}/polls``
  (control-plane access rules): the polls of a meeting's live session, or of any session, in the
  REST ``Poll`` shape. Cloudflare's REST API can create a poll but has no read of polls.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..rules.sessions import poll_public
from ._common import backend_of, bearer_token, guard_control_plane

__all__ = ["plugins_routes", "polls_routes"]


async def user_plugins(request: Request) -> Response:
    """``GET /v2/plugins/user``: the plugins a participant may activate (participant-token auth)."""
    backend = backend_of(request)
    details = backend.verify_participant_token(bearer_token(request))
    plugins = [
        {
            "id": entry["id"],
            "name": entry["name"],
            "description": entry.get("description") or "",
            "picture": "",
            "baseURL": entry["url"],
            "url": entry["url"],
            "private": False,
            "staggered": False,
            "published": True,
            "tags": [],
            "type": "",
            "organizationId": details["app_id"],
        }
        for entry in backend.config.plugins
    ]
    return JSONResponse({"success": True, "data": {"plugins": plugins}})


async def meeting_polls(request: Request) -> Response:
    """``GET /_emulator/meetings/{meeting_id}/polls``: the polls of the meeting's live session."""
    backend = backend_of(request)
    guard_control_plane(request, backend)
    data = backend.live_polls(request.path_params["meeting_id"])
    return JSONResponse({"success": True, "data": data})


async def session_polls(request: Request) -> Response:
    """``GET /_emulator/sessions/{session_id}/polls``: the polls of a session, live or ended."""
    backend = backend_of(request)
    guard_control_plane(request, backend)
    session_id = request.path_params["session_id"]
    polls = [poll_public(p) for p in backend.session_polls(session_id)]
    return JSONResponse({"success": True, "data": {"session_id": session_id.lower(), "polls": polls}})


def polls_routes() -> list[BaseRoute]:
    """The emulator's read of polls (mounted with the plugin routes until ``live_routes`` mounts it)."""
    return [
        Route("/_emulator/meetings/{meeting_id}/polls", meeting_polls, methods=["GET"]),
        Route("/_emulator/sessions/{session_id}/polls", session_polls, methods=["GET"]),
    ]


def plugins_routes() -> list[BaseRoute]:
    """The routes of this feature (and, for now, :func:`polls_routes`)."""
    return [Route("/v2/plugins/user", user_plugins, methods=["GET"]), *polls_routes()]
