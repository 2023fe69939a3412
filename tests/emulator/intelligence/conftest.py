"""Fixtures: an emulator on 127.0.0.1 (port 0) transcribing with the deterministic "test" engines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

pytest.importorskip("aiortc")
pytest.importorskip("numpy")

from realtimekit_mcp.bot.participant import BotConfig, BotParticipant
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-0000000c0ffe"
TOKEN = "intelligence-tests-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


class TeeSink:
    """Records every webhook event (and still delivers it); wakes waiters on the test's loop."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        self.events.append((event, payload))
        self._loop.call_soon_threadsafe(self._changed.set)
        self.inner.emit(event, payload)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    async def wait_for(self, name: str) -> dict[str, Any]:
        while True:
            for event, payload in self.events:
                if event == name:
                    return payload
            self._changed.clear()
            await self._changed.wait()


@dataclass
class Env:
    origin: str
    http: httpx.AsyncClient
    app: Any
    sink: TeeSink
    bots: list[BotParticipant] = field(default_factory=list)

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"{API}{path}", **kwargs)

    async def meeting(self, **body: Any) -> str:
        r = await self.rest("POST", "/meetings", json={"title": "Launch review", **body})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def preset(self, name: str, *, transcription: bool) -> str:
        r = await self.rest("GET", "/presets", params={"per_page": 100})
        base = next(p for p in r.json()["data"] if p["name"] == "group_call_host")
        full = (await self.rest("GET", f"/presets/{base['id']}")).json()["data"]
        body = {k: full[k] for k in ("config", "permissions", "ui")}
        body["name"] = name
        body["permissions"]["transcription_enabled"] = transcription
        r = await self.rest("POST", "/presets", json=body)
        assert r.status_code in (200, 201), r.text
        return name

    async def token(self, meeting_id: str, cpid: str, *, preset: str, name: str | None = None) -> str:
        body = {"custom_participant_id": cpid, "preset_name": preset, "name": name or cpid.title()}
        r = await self.rest("POST", f"/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["token"])

    async def bot(self, meeting_id: str, cpid: str, *, preset: str, **overrides: Any) -> BotParticipant:
        options: dict[str, Any] = {"request_timeout": 10.0, "connect_timeout": 10.0, "tts": "test"}
        options.update(overrides)
        config = BotConfig.for_origin(self.origin, **options)
        bot = BotParticipant(
            await self.token(meeting_id, cpid, preset=preset), config, display_name=cpid.title()
        )
        self.bots.append(bot)
        await bot.join()
        return bot


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    config = EmulatorConfig(
        account_id=ACCOUNT, app_id=APP, api_token=TOKEN, stt_engine="test", vad_engine="test"
    )
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        backend = running.app.state.backend
        sink = TeeSink(backend.sink)
        backend.sink = sink
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as http:
            e = Env(running.origin, http, running.app, sink)
            try:
                yield e
            finally:
                for bot in e.bots:
                    await bot.leave()
