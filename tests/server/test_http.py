"""Streamable HTTP: stateless JSON responses, Host/Origin checks, optional bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
from realtimekit_mcp.server.http import http_app

pytestmark = pytest.mark.anyio

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@asynccontextmanager
async def _running(app: Any, inner: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with inner.router.lifespan_context(inner):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def _post(http: httpx.AsyncClient, headers: dict[str, str], body: Any = INIT) -> httpx.Response:
    return await http.post("/mcp", json=body, headers={**HEADERS, **headers})


def _apps(tmp_path: Path, token: str | None = None) -> tuple[Any, Any]:
    server = build_server(settings_from_args(env={}, data_dir=tmp_path))
    app = http_app(server, host="127.0.0.1", port=8000, token=token)
    return app, getattr(app, "app", app)


async def test_initialize_and_list_tools_over_http(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path)) as http:
        response = await _post(http, {})
        assert (
            response.status_code == 200 and response.json()["result"]["serverInfo"]["name"] == "realtimekit"
        )
        listed = await _post(
            http, {"mcp-protocol-version": "2025-11-25"}, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        )
        assert listed.status_code == 200 and len(listed.json()["result"]["tools"]) == 15


async def test_foreign_host_or_origin_is_rejected(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path)) as http:
        assert (await _post(http, {"host": "evil.example"})).status_code in (400, 403, 421)
        assert (await _post(http, {"origin": "http://evil.example"})).status_code in (400, 403)


async def test_bearer_token_is_required_when_configured(tmp_path: Path) -> None:
    async with _running(*_apps(tmp_path, token="s3cret-bearer-token")) as http:
        assert (await _post(http, {})).status_code == 401
        assert (await _post(http, {"authorization": "Bearer wrong"})).status_code == 401
        ok = await _post(http, {"authorization": "Bearer s3cret-bearer-token"})
        assert ok.status_code == 200
