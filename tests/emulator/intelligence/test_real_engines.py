"""Server-side transcription with the real offline engines: piper speaks, faster-whisper tiny.en hears.

Skipped without the ``speech`` extra. One sentence through WebRTC: checks the words, not the exact text.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

pytest.importorskip("aiortc")
pytest.importorskip("faster_whisper")
pytest.importorskip("piper")

from realtimekit_mcp.agent import AgentConnection, agent_url
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator

from .conftest import ACCOUNT, APP, TOKEN, Env, TeeSink

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
async def real_env() -> AsyncIterator[Env]:
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN)  # faster-whisper + silero
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


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


async def test_piper_speech_is_transcribed_by_whisper_on_the_server(real_env: Env) -> None:
    env = real_env
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting()
    agent = AgentConnection(
        await env.token(m, "notes", preset=preset),
        url=agent_url(env.origin),
        subscriptions=("transcript",),
        ping_interval=None,
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, tts="piper", subscribe_audio=False)
        sentence = "The quarterly budget review starts on Monday morning."
        with anyio.fail_after(60):
            await alice.say(sentence, wait=True)
            got = await agent.wait_event("transcript.received")
        heard = set(words(got.data["text"]))
        expected = set(words(sentence))
        assert len(heard & expected) >= len(expected) - 2, got.data["text"]
        assert got.data["speaker"]["display_name"] == "Alice"
    finally:
        await agent.close()
