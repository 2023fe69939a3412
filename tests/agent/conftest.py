"""Fixtures: an emulator on 127.0.0.1 (port 0) with its live plane and Agent Participant socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

pytest.importorskip("websockets")

from realtimekit_mcp.agent import AgentConnection, agent_url
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-0000000a6e47"
TOKEN = "agent-tests-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


@dataclass
class AgentEnv:
    """A running emulator, a REST client, and the agent connections a test opened."""

    origin: str
    http: httpx.AsyncClient
    app: Any
    agents: list[AgentConnection] = field(default_factory=list)

    @property
    def url(self) -> str:
        return agent_url(self.origin)

    async def meeting(self, **body: Any) -> str:
        r = await self.http.post(f"{API}/meetings", json={"title": "agent test", **body})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def participant(
        self, meeting_id: str, cpid: str, *, preset: str = "group_call_host", name: str | None = None
    ) -> dict[str, Any]:
        body = {"custom_participant_id": cpid, "preset_name": preset, "name": name or cpid}
        r = await self.http.post(f"{API}/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def token(self, meeting_id: str, cpid: str, **kwargs: Any) -> str:
        return str((await self.participant(meeting_id, cpid, **kwargs))["token"])

    def agent(self, token: str, **options: Any) -> AgentConnection:
        conn = AgentConnection(token, url=self.url, **{"ping_interval": None, **options})
        self.agents.append(conn)
        return conn

    async def connect(self, token: str, **options: Any) -> AgentConnection:
        conn = self.agent(token, **options)
        await conn.connect()
        return conn

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"{API}{path}", **kwargs)


@pytest.fixture
async def env() -> AsyncIterator[AgentEnv]:
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN)
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as http:
            e = AgentEnv(running.origin, http, running.app)
            try:
                yield e
            finally:
                for conn in e.agents:
                    await conn.close()
