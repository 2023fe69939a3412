"""Fixtures for live speech tests: an emulator on 127.0.0.1 (port 0), bots with speech engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-00000000a0d1"
TOKEN = "speech-tests-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


@dataclass
class Live:
    """A running emulator and the bots joined to it (left at teardown)."""

    origin: str
    http: httpx.AsyncClient
    bots: list[Any] = field(default_factory=list)

    async def meeting(self) -> str:
        r = await self.http.post(f"{API}/meetings", json={"title": "speech test"})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def bot(self, meeting_id: str, name: str, **config: Any) -> Any:
        from realtimekit_mcp.bot.participant import BotConfig, BotParticipant

        body = {"custom_participant_id": name, "preset_name": "group_call_host", "name": name}
        r = await self.http.post(f"{API}/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        settings: dict[str, Any] = {"request_timeout": 10.0, "connect_timeout": 10.0, "reconnect": False}
        settings.update(config)
        bot = BotParticipant(str(r.json()["data"]["token"]), BotConfig.for_origin(self.origin, **settings))
        self.bots.append(bot)
        await bot.join()
        return bot


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    pytest.importorskip("aiortc")
    from realtimekit_mcp.emulator import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN)
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as http:
            env = Live(running.origin, http)
            try:
                yield env
            finally:
                for bot in env.bots:
                    await bot.leave()


@dataclass(frozen=True)
class RealEngines:
    tts: Any
    stt: Any
    vad: Any


@pytest.fixture(scope="session")
def real_engines() -> RealEngines:
    """piper + whisper tiny.en + Silero, loaded once per test session (skipped without the extra)."""
    from realtimekit_mcp.speech import SpeechUnavailableError, get_stt, get_tts, get_vad

    try:
        return RealEngines(get_tts("piper"), get_stt("faster-whisper"), get_vad("silero"))
    except SpeechUnavailableError as exc:  # pragma: no cover - the test extra installs them
        pytest.skip(str(exc))
