"""Fixtures: an in-process emulator with a fixed clock, a recording event sink and an API client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from realtimekit_mcp.emulator import EmulatorBackend, EmulatorConfig, create_app
from realtimekit_mcp.emulator.events import RecordingEventSink

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "14a396e7-ca44-4937-bf1f-050a69118543"
TOKEN = "emucore-test-token-0001"
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"
APPS = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/apps"


class Emu:
    """The emulator under test plus helpers."""

    def __init__(self, client: httpx.AsyncClient, backend: EmulatorBackend, sink: RecordingEventSink) -> None:
        self.client = client
        self.backend = backend
        self.sink = sink

    async def create_meeting(self, **body: Any) -> dict[str, Any]:
        r = await self.client.post(f"{API}/meetings", json=body)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def add_participant(self, meeting_id: str, cpid: str = "p1", **extra: Any) -> dict[str, Any]:
        body = {"custom_participant_id": cpid, "preset_name": "group_call_host", **extra}
        r = await self.client.post(f"{API}/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def seed(self, meeting_id: str, **body: Any) -> dict[str, Any]:
        r = await self.client.post("/_emulator/sessions", json={"meeting_id": meeting_id, **body})
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def advance(self, seconds: float) -> None:
        r = await self.client.post("/_emulator/clock/advance", json={"seconds": seconds})
        assert r.status_code == 200, r.text


def make_config(**overrides: Any) -> EmulatorConfig:
    """A deterministic config: fixed identity, seed and clock."""
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "app_id": APP,
        "api_token": TOKEN,
        "seed": 7,
        "clock": lambda: START,
    }
    values.update(overrides)
    return EmulatorConfig(**values)


@pytest.fixture
async def emu() -> AsyncIterator[Emu]:
    sink = RecordingEventSink()
    app = create_app(make_config(), sink=sink)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://emulator.local", headers=headers
    ) as client:
        yield Emu(client, app.state.backend, sink)
