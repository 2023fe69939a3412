"""Fixtures for the bot: an emulator with its live plane on 127.0.0.1 (port 0) and bot factories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

pytest.importorskip("aiortc")

from realtimekit_mcp.bot.participant import BotConfig, BotParticipant
from realtimekit_mcp.bot.signalling import WebSocketLike, default_connect
from realtimekit_mcp.client import RealtimeKitClient
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-00000000b07a"
TOKEN = "bot-tests-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


@dataclass
class Live:
    """A running emulator with its live plane, a raw REST client and the typed client."""

    origin: str
    http: httpx.AsyncClient
    client: RealtimeKitClient
    app: Any
    bots: list[BotParticipant] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.origin.replace("http://", "ws://") + "/ws"

    def config(self, **overrides: Any) -> BotConfig:
        base: dict[str, Any] = {
            "request_timeout": 10.0,
            "reconnect_backoff_base": 0.05,
            "reconnect_backoff_cap": 0.5,
            "connect_timeout": 10.0,
        }
        base.update(overrides)
        config = BotConfig.for_origin(self.origin, **base)
        assert config.socket_url == self.ws_url
        return config

    async def meeting(self, **body: Any) -> str:
        r = await self.http.post(f"{API}/meetings", json={"title": "bot test", **body})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def token(
        self, meeting_id: str, cpid: str, name: str | None = None, *, preset: str = "group_call_host"
    ) -> str:
        body = {"custom_participant_id": cpid, "preset_name": preset, "name": name or cpid}
        r = await self.http.post(f"{API}/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["token"])

    async def bot(
        self,
        meeting_id: str,
        cpid: str,
        *,
        preset: str = "group_call_host",
        join: bool = True,
        **overrides: Any,
    ) -> BotParticipant:
        token = await self.token(meeting_id, cpid, preset=preset)
        bot = BotParticipant(token, self.config(**overrides), display_name=cpid)
        self.bots.append(bot)
        if join:
            await bot.join()
        return bot

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"{API}{path}", **kwargs)


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN)
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as http,
            RealtimeKitClient(
                account_id=ACCOUNT, app_id=APP, api_token=TOKEN, base_url=running.base_url
            ) as client,
        ):
            env = Live(running.origin, http, client, running.app)
            try:
                yield env
            finally:
                for bot in env.bots:
                    await bot.leave()


class Dropper:
    """A connect function that remembers the sockets, so a test can cut the last one abruptly."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []

    async def __call__(self, url: str) -> WebSocketLike:
        ws = await default_connect(url)
        self.sockets.append(ws)
        return ws

    def drop_last(self) -> None:
        self.sockets[-1].transport.abort()
