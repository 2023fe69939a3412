"""The client-facing API of the live plane: participant bootstrap, ICE servers, and the socket.

Layout (one origin, path-routed; the ``Host`` header is ignored, so ``api.<base>`` and
``socket-edge.<base>`` names pointing here work too):

* ``GET /v2/internals/participant-details`` and ``GET /iceservers`` with
  ``Authorization: Bearer <participant token>`` (what the web SDK calls on ``api.<baseURI>``);
* ``WebSocket /ws?roomID=&peerID=&authToken=...`` (the socket edge, :mod:`..edge`);
* ``GET /_emulator/live``: what is connected (control-plane access rules);
* ``GET /_emulator/join?authToken=``: an HTML page saying what the token joins and how (no auth
  besides the token, like the signed download URLs).

A client configured with API base ``http://127.0.0.1:<port>`` and socket URL
``ws://127.0.0.1:<port>/ws`` reaches all three; participant-details reports
``socket.base_uri = "127.0.0.1:<port>"``. This module imports only Starlette: the socket edge
(protobuf, aiortc) is imported on the first WebSocket connection.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..errors import EmulatorError
from ._common import backend_of, bearer_token, guard_control_plane
from .chat_files import chat_files_routes
from .plugins import plugins_routes

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ..edge import LivePlane

__all__ = ["close_live_plane", "live_plane", "live_routes"]


def live_plane(app: Starlette | Any) -> LivePlane:
    """The app's live plane, created (and the heavy modules imported) on first use."""
    plane: LivePlane | None = getattr(app.state, "live_plane", None)
    if plane is None:
        from ..edge import LivePlane

        plane = LivePlane(app.state.backend)
        app.state.live_plane = plane
    return plane


async def close_live_plane(app: Starlette | Any) -> None:
    """Close every socket and peer connection of the app's live plane (no-op if never used)."""
    plane: LivePlane | None = getattr(app.state, "live_plane", None)
    if plane is not None:
        await plane.aclose()


def _host_port(request: Request) -> str:
    host = request.headers.get("host")
    if host:
        return host
    server = request.scope.get("server") or ("127.0.0.1", 80)
    return f"{server[0]}:{server[1]}"


async def participant_details(request: Request) -> Response:
    """``GET /v2/internals/participant-details``: who the token's holder is, and where the socket is."""
    backend = backend_of(request)
    details = backend.verify_participant_token(bearer_token(request))
    participant = details["participant"]
    meeting = details.get("meeting") or {}
    preset = details.get("preset") or {}
    data = {
        "participant": {
            "id": participant["id"],
            "name": participant.get("name") or "",
            "picture": participant.get("picture"),
            "custom_participant_id": participant.get("custom_participant_id"),
            "preset_name": participant.get("preset_name"),
            "organization_id": details["app_id"],
        },
        "preset": {
            "id": preset.get("id"),
            "name": preset.get("name"),
            "config": preset.get("config") or {},
            "permissions": preset.get("permissions") or {},
            "ui": preset.get("ui") or {},
        },
        "meeting": {
            "id": meeting.get("id"),
            "title": meeting.get("title") or "",
            "status": meeting.get("status"),
        },
        "socket": {"base_uri": _host_port(request)},
    }
    return JSONResponse({"success": True, "data": data})


async def ice_servers(request: Request) -> Response:
    """``GET /iceservers``: always empty (loopback needs no STUN or TURN; nothing goes to the internet)."""
    backend = backend_of(request)
    backend.verify_participant_token(bearer_token(request))
    return JSONResponse({"success": True, "iceServers": []})


async def inspect_live(request: Request) -> Response:
    """``GET /_emulator/live``: rooms, peers, producers and consumers (control plane rules: loopback or API token)."""
    backend = backend_of(request)
    guard_control_plane(request, backend)
    plane: LivePlane | None = getattr(request.app.state, "live_plane", None)
    data = (
        plane.snapshot()
        if plane is not None
        else {"rooms": [], "sfu": {"transports": 0, "producers": 0, "consumers": 0}}
    )
    return JSONResponse({"success": True, "data": data})


_JOIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
code{{background:#f2f2f2;padding:0 .25rem}}dt{{font-weight:600}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


def _page(title: str, body: str, status: int) -> HTMLResponse:
    return HTMLResponse(_JOIN_PAGE.format(title=html.escape(title), body=body), status_code=status)


async def join_page(request: Request) -> Response:
    """``GET /_emulator/join?authToken=``: what a participant token joins, and how to join with it.

    The page never repeats the token; the link that opened it carries it.
    """
    backend = backend_of(request)
    try:
        details = backend.verify_participant_token(request.query_params.get("authToken") or "")
    except EmulatorError as exc:
        message = html.escape(exc.message)
        return _page("Cannot join", f"<p>{message}. Ask for a fresh participant token.</p>", exc.status_code)
    participant = details["participant"]
    meeting = details.get("meeting") or {}
    preset = details.get("preset") or {}
    origin = f"{request.url.scheme}://{_host_port(request)}"
    ws_origin = origin.replace("https://", "wss://").replace("http://", "ws://")
    meeting_id = str(meeting.get("id") or "")
    status = str(meeting.get("status") or "")
    title = str(meeting.get("title") or "") or "Untitled meeting"
    name = str(participant.get("name") or participant.get("custom_participant_id") or "")
    rows = [  # (label, HTML-escaped value)
        ("Meeting", f"{html.escape(title)} (<code>{html.escape(meeting_id)}</code>), {html.escape(status)}"),
        ("Participant", html.escape(name)),
        ("Preset", html.escape(str(preset.get("name") or participant.get("preset_name") or ""))),
    ]
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    inactive = (
        "<p><strong>This meeting is INACTIVE: joins are refused until it is made ACTIVE.</strong></p>"
        if status != "ACTIVE"
        else ""
    )
    body = f"""<dl>{items}</dl>{inactive}
<h2>How to join</h2>
<p>This is the RealtimeKit emulator: it has no web meeting UI. Join with the participant token from this link:</p>
<ul>
<li>Bot (realtimekit-mcp): the bot tools join with the token; API base <code>{html.escape(origin)}</code>,
socket <code>{html.escape(ws_origin)}/ws</code>.</li>
<li>Any client of the RealtimeKit socket protocol: <code>GET {html.escape(origin)}/v2/internals/participant-details</code>
and <code>GET {html.escape(origin)}/iceservers</code> with <code>Authorization: Bearer &lt;token&gt;</code>, then the
WebSocket <code>{html.escape(ws_origin)}/ws?roomID={html.escape(meeting_id)}&amp;peerID=&lt;new uuid&gt;&amp;authToken=&lt;token&gt;</code>.</li>
</ul>"""
    return _page(f"Join {title}", body, 200)


async def socket_edge(websocket: WebSocket) -> None:
    """``/ws``: one peer's signalling socket."""
    await live_plane(websocket.app).serve(websocket)


def live_routes() -> list[BaseRoute]:
    """The live plane's routes, to mount in the emulator app."""
    return [
        Route("/v2/internals/participant-details", participant_details, methods=["GET"]),
        Route("/iceservers", ice_servers, methods=["GET"]),
        WebSocketRoute("/ws", socket_edge),
        Route("/_emulator/live", inspect_live, methods=["GET"]),
        Route("/_emulator/join", join_page, methods=["GET"]),
        *chat_files_routes(),
        *plugins_routes(),
    ]
