"""Support for bot tool tests: an MCP server on a standalone loopback emulator (real WebSocket +
WebRTC on 127.0.0.1) with a tone WAV in its media directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from realtimekit_mcp.config import BackendSettings, ServerSettings
from realtimekit_mcp.server.app import RealtimeKitMCP, build_server
from tests.media_files import write_tone_wav

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "fedcba9876543210fedcba9876543210"
TOKEN = "bot-tool-tests-api-token-000000001"
TEST_SPEECH = {"tts": "test", "stt": "test", "vad": "test"}  # deterministic engines: tones <-> exact text
WAIT = 20.0  # bound for anything that crosses the network (join, media, chat)


@dataclass
class Live:
    """The MCP server, its media directory and the emulator's REST base (for setup calls)."""

    server: RealtimeKitMCP
    media: Path
    base_url: str

    def bot(self, bot_id: str) -> Any:
        manager = self.server.deps.bot_manager
        assert manager is not None
        return manager.get(bot_id)

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A REST call on the emulator's app API (``path`` after ``/realtime/kit/{app}``)."""
        api = f"{self.base_url}/accounts/{ACCOUNT}/realtime/kit/{APP}"
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as http:
            return await http.request(method, f"{api}{path}", **kwargs)


@asynccontextmanager
async def live_server(tmp_path: Path, **emulator: Any) -> AsyncIterator[Live]:
    """An MCP server whose backend is a standalone emulator on a loopback port (REALTIMEKIT_BASE_URL)."""
    from realtimekit_mcp.emulator import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    write_tone_wav(media / "tone.wav")
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN, db_path=":memory:", **emulator)
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        backend = BackendSettings(
            kind="url", base_url=running.base_url, account_id=ACCOUNT, app_id=APP, api_token=TOKEN
        )
        server = build_server(
            ServerSettings(backend=backend, toolsets=("all",)),
            media_dir=media,
            bot_options=TEST_SPEECH,
        )
        yield Live(server, media, running.base_url)
