"""Fixtures for conformance tests: the emulator in-process, a raw httpx client and the official SDK.

Everything runs in-process over ``httpx.ASGITransport`` (no sockets). The emulator gets fixed ids
and a seed so failures reproduce.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import cloudflare
import httpx
import pytest
from starlette.testclient import TestClient

from realtimekit_mcp._redact import register_secret

from ._asgi import lifespan
from ._exchange import Recorder

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
APP_ID = "14a396e7-ca44-4937-bf1f-050a69118543"
API_TOKEN = "conformance-api-token-5f0c2a1e9b7d4c3a"
register_secret(API_TOKEN)

BASE_URL = "http://emulator.local"
API_PREFIX = f"/client/v4/accounts/{ACCOUNT_ID}/realtime/kit/{APP_ID}"
ACCOUNT_PREFIX = f"/client/v4/accounts/{ACCOUNT_ID}/realtime/kit"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def make_config(**overrides: Any) -> Any:
    """The emulator configuration every conformance test uses (fixed ids, seeded)."""
    from realtimekit_mcp.emulator import EmulatorConfig

    settings: dict[str, Any] = {
        "account_id": ACCOUNT_ID,
        "app_id": APP_ID,
        "api_token": API_TOKEN,
        "db_path": ":memory:",
        "seed": 20261124,
        "public_base_url": BASE_URL,
        "tick_interval": 0,  # no wall-clock ticker: time moves only through /_emulator/clock/advance
    }
    settings.update(overrides)
    return EmulatorConfig(**settings)


@pytest.fixture
async def emulator_app() -> AsyncIterator[Any]:
    """A fresh emulator app (in-memory store) with its lifespan running."""
    from realtimekit_mcp.emulator import create_app

    app = create_app(make_config())
    async with lifespan(app):
        yield app


@pytest.fixture
def recorder() -> Recorder:
    """Every exchange the ``http`` and ``sdk`` clients of one test make."""
    return Recorder()


@pytest.fixture
async def http(emulator_app: Any, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    """A raw httpx client talking to the in-process emulator, authenticated."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator_app),
        base_url=BASE_URL,
        headers=AUTH,
        event_hooks={"response": [recorder]},
    ) as client:
        yield client


@pytest.fixture
async def sdk(emulator_app: Any, recorder: Recorder) -> AsyncIterator[cloudflare.AsyncCloudflare]:
    """Cloudflare's official SDK (5.9.0) pointed at the in-process emulator (exchanges recorded)."""
    transport_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator_app), event_hooks={"response": [recorder]}
    )
    client = cloudflare.AsyncCloudflare(
        api_token=API_TOKEN,
        base_url=f"{BASE_URL}/client/v4",
        http_client=transport_client,
        max_retries=0,
    )
    async with client:
        yield client


@pytest.fixture(scope="module")
def seeded_client() -> Iterator[tuple[TestClient, dict[str, list[str]], str]]:
    """One emulator per test module, seeded with one of everything (``_seed.seed``).

    Yields the client, the real ids by path-parameter name and a usable preset name.
    """
    from realtimekit_mcp.emulator import create_app

    from ._seed import seed

    app = create_app(make_config())
    with TestClient(app, base_url=BASE_URL, headers=AUTH, raise_server_exceptions=False) as client:
        ids, preset_name = seed(client)
        yield client, ids, preset_name
