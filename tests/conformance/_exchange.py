"""Record every HTTP exchange an httpx client makes, and check them against the OpenAPI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import _openapi

API_ROOT = "/client/v4"


@dataclass
class Exchange:
    """One request and its answer, with the JSON body decoded (None when not JSON)."""

    method: str
    path: str  # without /client/v4
    status: int
    content_type: str
    body: Any
    raw: bytes = field(repr=False)


@dataclass
class Recorder:
    """An httpx response hook that keeps every exchange under ``/client/v4``."""

    exchanges: list[Exchange] = field(default_factory=list)

    async def __call__(self, response: httpx.Response) -> None:
        path = response.request.url.path
        if not path.startswith(API_ROOT + "/"):
            return
        raw = await response.aread()
        content_type = response.headers.get("content-type", "")
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.exchanges.append(
            Exchange(
                method=response.request.method,
                path=path[len(API_ROOT) :],
                status=response.status_code,
                content_type=content_type,
                body=body,
                raw=raw,
            )
        )

    @property
    def last(self) -> Exchange:
        """The most recent exchange."""
        return self.exchanges[-1]


def openapi_problems(exchange: Exchange) -> list[str]:
    """Why ``exchange`` does not conform to the OpenAPI (empty when it does).

    Authentication failures (401) are answered by Cloudflare's API gateway in its v4 envelope,
    which the RealtimeKit definition does not describe; they are checked by a dedicated test.
    """
    op = _openapi.find_operation(exchange.method, exchange.path)
    where = f"{exchange.method} {exchange.path} -> {exchange.status}"
    if op is None:
        return [f"{where}: no such operation in the OpenAPI"]
    if exchange.status == 401:
        return []
    if not exchange.content_type.startswith("application/json") or exchange.body is None:
        return [f"{where}: body is not JSON ({exchange.content_type!r})"]
    problems = [f"{where}: {p}" for p in _openapi.schema_errors(op, exchange.status, exchange.body)]
    if exchange.status >= 400 and not problems and exchange.body["error"]["code"] != exchange.status:
        problems.append(f"{where}: error.code {exchange.body['error']['code']!r} is not the HTTP status")
    return problems
