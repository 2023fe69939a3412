"""Client-API routes of image and file chat (rules in :mod:`..chat_files`).

* ``POST /v2/meetings/chat-upload`` ``{roomUUID, filename, expiry?}`` with ``Authorization: Bearer
  <participant token>``: ``{"success": true, "data": {"get_location", "put_location"}}``;
* ``PUT /_emulator/chat-files/{id}/{name}?expires=&sig=``: the upload (the signed URL is the only
  credential, like a presigned S3 URL; 413 past the size limit);
* ``GET /_emulator/chat-files/{id}/{name}?expires=&sig=``: the download, served with its content
  type (images inline, anything else as an ``application/octet-stream`` attachment).

Errors are RealtimeKit's envelope (401 bad token, 403 wrong meeting / no permission / bad or
expired signature, 404 unknown or not yet uploaded, 413 too large).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..chat_files import IMAGE_TYPES, ChatFileStore
from ._common import backend_of, bearer_token, read_body, read_capped

__all__ = ["chat_files_of", "chat_files_routes"]

FILE_PATH = "/_emulator/chat-files/{file_id}/{name:path}"


def chat_files_of(app: Any) -> ChatFileStore:
    """The app's chat file store, created on first use (tests may install one with other limits)."""
    store: ChatFileStore | None = getattr(app.state, "chat_files", None)
    if store is None:
        store = ChatFileStore(app.state.backend)
        app.state.chat_files = store
    return store


async def chat_upload(request: Request) -> Response:
    """``POST /v2/meetings/chat-upload``: presigned upload and download URLs for one chat file."""
    backend = backend_of(request)
    store = chat_files_of(request.app)
    token = bearer_token(request)
    body = await read_body(request, backend.config.max_body_bytes)
    backend.observe_base_url(str(request.base_url))
    data = store.create_upload(token, body)
    return JSONResponse({"success": True, "data": data})


async def put_file(request: Request) -> Response:
    """``PUT put_location``: store the uploaded bytes."""
    store = chat_files_of(request.app)
    file_id = str(request.path_params["file_id"])
    expires, sig = request.query_params.get("expires"), request.query_params.get("sig")
    store.check_put(file_id, expires, sig, request.headers.get("content-length"))
    data = await read_capped(request, store.max_bytes, "Chat file")
    await run_in_threadpool(store.put, file_id, expires, sig, request.headers.get("content-type"), data)
    return Response(status_code=200)


async def get_file(request: Request) -> Response:
    """``GET get_location``: the uploaded bytes."""
    store = chat_files_of(request.app)
    file_id = str(request.path_params["file_id"])
    found = await run_in_threadpool(
        store.get, file_id, request.query_params.get("expires"), request.query_params.get("sig")
    )
    disposition = "inline" if found.content_type in IMAGE_TYPES else "attachment"
    headers = {
        "content-disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename, safe='')}",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, max-age=300",
    }
    return Response(found.data, media_type=found.content_type, headers=headers)


def chat_files_routes() -> list[BaseRoute]:
    """The routes of image and file chat, to mount on the client API."""
    return [
        Route("/v2/meetings/chat-upload", chat_upload, methods=["POST"]),
        Route(FILE_PATH, put_file, methods=["PUT"]),
        Route(FILE_PATH, get_file, methods=["GET"]),
    ]
