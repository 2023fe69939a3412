"""Streamable HTTP transport: stateless, loopback by default, Host/Origin checks, optional bearer.

The bearer token (``--http-token`` / ``REALTIMEKIT_MCP_HTTP_TOKEN``) authenticates MCP clients to
this server; it is unrelated to the Cloudflare API token, which stays server configuration.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from mcp.server.transport_security import TransportSecuritySettings

from realtimekit_mcp._redact import register_secret

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from realtimekit_mcp.server.app import RealtimeKitMCP

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def security_settings(
    host: str, port: int, extra_hosts: list[str] | None = None
) -> TransportSecuritySettings:
    """DNS-rebinding protection: only Host/Origin values naming this server are accepted."""
    hosts = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")} | {f"{host}:{port}"}
    hosts |= {"127.0.0.1:*", "localhost:*", "[::1]:*"} if host in LOOPBACK else set()
    hosts |= set(extra_hosts or [])
    origins = {f"http://{h}" for h in hosts} | {f"https://{h}" for h in hosts}
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(hosts), allowed_origins=sorted(origins)
    )


class BearerTokenMiddleware:
    """Reject HTTP requests that lack ``Authorization: Bearer <token>`` (constant-time check)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        register_secret(token)
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        given = headers.get(b"authorization", b"")
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized", "message": "missing or wrong bearer token"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="realtimekit-mcp"'),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def http_app(
    server: RealtimeKitMCP,
    *,
    host: str,
    port: int,
    token: str | None = None,
    extra_hosts: list[str] | None = None,
) -> Any:
    """The ASGI app serving MCP at ``/mcp`` (stateless, JSON responses)."""
    app: Any = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=security_settings(host, port, extra_hosts),
        host=host,
    )
    return BearerTokenMiddleware(app, token) if token else app
