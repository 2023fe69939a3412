"""Support for bot tool tests: an MCP server on a standalone loopback emulator (real WebSocket +
WebRTC on 127.0.0.1), a tone WAV and a PNG for the media directory."""

from __future__ import annotations

import math
import struct
import wave
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from realtimekit_mcp.config import BackendSettings, ServerSettings
from realtimekit_mcp.server.app import RealtimeKitMCP, build_server

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "fedcba9876543210fedcba9876543210"
TOKEN = "bot-tool-tests-api-token-000000001"
TEST_SPEECH = {"tts": "test", "stt": "test", "vad": "test"}  # deterministic engines: tones <-> exact text
WAIT = 20.0  # bound for anything that crosses the network (join, media, chat)


def write_tone_wav(path: Path, seconds: float = 1.0, frequency: float = 440.0) -> None:
    """A 48 kHz mono 16-bit sine tone."""
    rate = 48_000
    frames = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * frequency * i / rate)))
        for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def write_png(path: Path, width: int = 32, height: int = 24) -> bytes:
    """A small RGB PNG (red/blue halves), written with zlib only; returns its bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xd0\x20\x20" * (width // 2) + b"\x20\x40\xd0" * (width - width // 2)
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(body)
    return body


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
