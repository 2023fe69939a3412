"""Helpers for client tests: constants, a virtual clock, a client wired to a respx router."""

from __future__ import annotations

import random

import httpx
import respx

from realtimekit_mcp.client import RealtimeKitClient

BASE_URL = "https://api.example.test/client/v4"
ACCOUNT = "acc0123"
APP = "app-4567"
TOKEN = "test-api-token-0123456789"
P = f"/accounts/{ACCOUNT}/realtime/kit/{APP}"
"""Path prefix of app routes (relative to BASE_URL)."""


class VirtualClock:
    """A clock whose time only moves when the client sleeps; records every sleep."""

    def __init__(self, start: float = 1_000.0, wall: float = 1_700_000_000.0) -> None:
        self.now = start
        self.wall_offset = wall - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now + self.wall_offset

    async def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def new_router() -> respx.Router:
    """A respx router for the test base URL (used as the client's transport, no global patching)."""
    return respx.Router(base_url=BASE_URL, assert_all_called=False)


def make_client(
    router: respx.Router,
    clock: VirtualClock,
    *,
    api_token: str | None = TOKEN,
    seed: int = 7,
    **kwargs: object,
) -> RealtimeKitClient:
    """A client sending through ``router`` with virtual time and seeded jitter."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    return RealtimeKitClient(
        account_id=ACCOUNT,
        app_id=APP,
        api_token=api_token,
        base_url=BASE_URL,
        http_client=http,
        clock=clock,
        rng=random.Random(seed),
        **kwargs,  # type: ignore[arg-type]
    )


def ok(data: object, status: int = 200, **extra: object) -> httpx.Response:
    """A RealtimeKit success envelope."""
    return httpx.Response(status, json={"success": True, "data": data, **extra})


def fail(status: int, message: str, **headers: str) -> httpx.Response:
    """A RealtimeKit error envelope."""
    return httpx.Response(
        status, json={"success": False, "error": {"code": status, "message": message}}, headers=headers
    )
