"""Fixtures: an emulator with its live plane served by uvicorn on 127.0.0.1, port 0."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from realtimekit_mcp.emulator import EmulatorConfig, create_app
from realtimekit_mcp.emulator.events import RecordingEventSink
from realtimekit_mcp.emulator.routes.client_api import live_plane
from realtimekit_mcp.emulator.server import serve_app

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "14a396e7-ca44-4937-bf1f-050a69118543"
TOKEN = "liveplane-test-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


class LiveEmu:
    """A running emulator: REST client, socket URL, event sink, app."""

    def __init__(self, origin: str, client: httpx.AsyncClient, sink: RecordingEventSink, app: Any) -> None:
        self.origin = origin
        self.ws_url = origin.replace("http://", "ws://") + "/ws"
        self.client = client
        self.sink = sink
        self.app = app

    @property
    def plane(self) -> Any:
        return live_plane(self.app)

    async def create_meeting(self, **body: Any) -> str:
        r = await self.client.post(f"{API}/meetings", json={"title": "live test", **body})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def add_participant(
        self, meeting_id: str, cpid: str, name: str | None = None, preset: str = "group_call_host"
    ) -> dict[str, Any]:
        body = {"custom_participant_id": cpid, "preset_name": preset, "name": name or cpid}
        r = await self.client.post(f"{API}/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, f"{API}{path}", **kwargs)


@pytest.fixture
async def live() -> AsyncIterator[LiveEmu]:
    sink = RecordingEventSink()
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN)
    app = create_app(config, sink=sink)
    async with serve_app(app, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as client:
            yield LiveEmu(running.origin, client, sink, app)
