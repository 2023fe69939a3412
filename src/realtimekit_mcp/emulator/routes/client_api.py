"""The client-facing API of the live plane: participant bootstrap, ICE servers, and the socket.

Layout (one origin, path-routed; the ``Host`` header is ignored, so ``api.<base>`` and
``socket-edge.<base>`` names pointing here work too):

* ``GET /v2/internals/participant-details`` and ``GET /iceservers`` with
  ``Authorization: Bearer <participant token>`` (what the web SDK calls on ``api.<baseURI>``);
* ``WebSocket /ws?roomID=&peerID=&authToken=...`` (the socket edge, :mod:`..edge`);
* ``GET /_emulator/live``: what is connected (control-plane access rules).

A client configured with API base ``http://127.0.0.1:<port>`` and socket URL
``ws://127.0.0.1:<port>/ws`` reaches all three; participant-details reports
``socket.base_uri = "127.0.0.1:<port>"``. This module imports only Starlette: the socket edge
(protobuf, aiortc) is imported on the first WebSocket connection.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..errors import EmulatorError
from ._common import authenticate, backend_of, error_response

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


def _bearer(request: HTTPConnection) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _host_port(request: Request) -> str:
    host = request.headers.get("host")
    if host:
        return host
    server = request.scope.get("server") or ("127.0.0.1", 80)
    return f"{server[0]}:{server[1]}"


async def participant_details(request: Request) -> Response:
    """``GET /v2/internals/participant-details``: who the token's holder is, and where the socket is."""
    backend = backend_of(request)
    try:
        details = backend.verify_participant_token(_bearer(request))
    except EmulatorError as exc:
        return error_response(exc)
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
    try:
        backend.verify_participant_token(_bearer(request))
    except EmulatorError as exc:
        return error_response(exc)
    return JSONResponse({"success": True, "iceServers": []})


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return host == "testclient" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def inspect_live(request: Request) -> Response:
    """``GET /_emulator/live``: rooms, peers, producers and consumers (control plane rules: loopback or API token)."""
    backend = backend_of(request)
    try:
        if not _is_loopback(request):
            authenticate(request, backend)
    except EmulatorError as exc:
        return error_response(exc)
    plane: LivePlane | None = getattr(request.app.state, "live_plane", None)
    data = (
        plane.snapshot()
        if plane is not None
        else {"rooms": [], "sfu": {"transports": 0, "producers": 0, "consumers": 0}}
    )
    return JSONResponse({"success": True, "data": data})


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
    ]
