"""The ``/_emulator`` control plane (tests and demos) and the served files.

Control requests need no credentials when they come from a loopback address; from anywhere else
they need the API token (``Authorization: Bearer``). ``GET /_emulator/info`` never returns the token.

- ``POST /_emulator/reset``: forget every resource (identity and default app stay).
- ``GET /_emulator/state``: counts and ids of everything stored.
- ``POST /_emulator/sessions``: seed a session (see ``EmulatorBackend.seed_session``), optional ``app_id``.
- ``POST /_emulator/sessions/{session_id}/end``: end a LIVE session now.
- ``POST /_emulator/clock/advance`` ``{"seconds": N}``: move time forward and run due transitions.
- ``GET /_emulator/info``: account id, app id, base URL, API base URL.
- ``GET /_emulator/files/{kind}/{id}?expires=&sig=``: signed, expiring downloads.
- ``GET /_emulator/livestreams/{id}/index.m3u8``: a livestream's playback playlist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .backend import iso
from .errors import BadRequest, EmulatorError
from .routes._common import (
    backend_of,
    error_response,
    guard_control_plane,
    internal_error_response,
    log_unexpected,
    read_body,
)
from .validation import Num, Obj, Str, validate_body


def _control(
    method: str, path: str, handler: Callable[[Request, Any], Any], *, guarded: bool = True
) -> Route:
    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        try:
            if guarded:
                guard_control_plane(request, backend)
            body = await read_body(request, backend.config.max_body_bytes) if method == "POST" else None
            backend.observe_base_url(str(request.base_url))
            backend.tick()
            result = handler(request, body)
        except EmulatorError as exc:
            return error_response(exc)
        except Exception as exc:
            log_unexpected(exc, method, request.url.path)
            return internal_error_response()
        if isinstance(result, Response):
            return result
        return JSONResponse({"success": True, "data": result})

    return Route("/_emulator" + path, endpoint, methods=[method])


def _reset(request: Request, body: Any) -> Any:
    backend_of(request).reset()
    return {"reset": True}


def _state(request: Request, body: Any) -> Any:
    return backend_of(request).state()


def _seed(request: Request, body: Any) -> Any:
    backend = backend_of(request)
    app_id = body.get("app_id") if isinstance(body, dict) else None
    if app_id is not None and not isinstance(app_id, str):
        raise BadRequest('"app_id" must be a string')
    app_id = app_id or backend.app_id
    backend.check_app(app_id)
    return backend.seed_session(
        app_id, {k: v for k, v in body.items() if k != "app_id"} if isinstance(body, dict) else body
    )


def _end(request: Request, body: Any) -> Any:
    backend = backend_of(request)
    session_id = str(request.path_params["session_id"])
    data = validate_body(Obj(fields={"app_id": Str(), "reason": Str()}), body)
    reason = data.get("reason") or "HOST_ENDED_MEETING"
    if reason not in ("HOST_ENDED_MEETING", "ALL_PARTICIPANTS_LEFT"):
        raise BadRequest('"reason" must be one of [HOST_ENDED_MEETING, ALL_PARTICIPANTS_LEFT]')
    return backend.end_session(data.get("app_id") or backend.app_id, session_id, reason=reason)


def _advance(request: Request, body: Any) -> Any:
    data = validate_body(
        Obj(fields={"seconds": Num(required=True, minimum=0, maximum=10 * 365 * 86400)}), body
    )
    return backend_of(request).advance(float(data["seconds"]))


def _info(request: Request, body: Any) -> Any:
    backend = backend_of(request)
    base = backend.base_url
    return {
        "account_id": backend.account_id,
        "app_id": backend.app_id,
        "base_url": base,
        "api_base_url": f"{base}/client/v4",
        "now": iso(backend.now()),
    }


def _file(request: Request, body: Any) -> Response:
    backend = backend_of(request)
    kind = str(request.path_params["kind"])
    target = str(request.path_params["target"])
    backend.verify_file_signature(
        kind, target, request.query_params.get("expires"), request.query_params.get("sig")
    )
    data, media_type, name = backend.export_file(kind, target)
    return Response(
        data, media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


def _playlist(request: Request, body: Any) -> Response:
    text = backend_of(request).livestream_playlist(str(request.path_params["livestream_id"]))
    return Response(text, media_type="application/vnd.apple.mpegurl")


def control_routes() -> list[Route]:
    """The control plane and served-file routes."""
    return [
        _control("POST", "/reset", _reset),
        _control("GET", "/state", _state),
        _control("POST", "/sessions", _seed),
        _control("POST", "/sessions/{session_id}/end", _end),
        _control("POST", "/clock/advance", _advance),
        _control("GET", "/info", _info),
        _control("GET", "/files/{kind}/{target}", _file, guarded=False),
        _control("GET", "/livestreams/{livestream_id}/index.m3u8", _playlist, guarded=False),
    ]
