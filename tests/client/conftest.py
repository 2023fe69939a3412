"""Fixtures for client tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import respx

from realtimekit_mcp.client import RealtimeKitClient
from tests.client._helpers import VirtualClock, make_client, new_router


@pytest.fixture
def router() -> respx.Router:
    return new_router()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def client(router: respx.Router, clock: VirtualClock) -> AsyncIterator[RealtimeKitClient]:
    c = make_client(router, clock)
    yield c
    await c.aclose()
