"""Without the speech engines, server-side transcription is off and the meeting works as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

pytest.importorskip("aiortc")

from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator
from realtimekit_mcp.speech import registry

from .conftest import ACCOUNT, APP, TOKEN, Env, TeeSink

pytestmark = pytest.mark.anyio


def _missing(**options: Any) -> Any:
    raise ImportError("no module named 'imaginary_whisper'", name="imaginary_whisper")


@pytest.fixture
async def bare_env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    monkeypatch.setitem(registry._STT, "intelligence-test-missing", _missing)  # this test only
    config = EmulatorConfig(
        account_id=ACCOUNT,
        app_id=APP,
        api_token=TOKEN,
        stt_engine="intelligence-test-missing",
        vad_engine="test",
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


async def test_missing_engines_turn_transcription_off_with_a_clear_reason(bare_env: Env) -> None:
    env = bare_env
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting(summarize_on_end=True)
    alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
    bob = await env.bot(m, "bob", preset=preset)
    transcriber = env.app.state.transcriber
    with anyio.fail_after(30):
        await alice.say("is anyone writing this down?", wait=True)
        for task in list(transcriber._tasks):  # the tap gave up once the engines failed to load
            await task
        await bob.send_chat("chat still works")
        await alice.wait_event("chat")
        r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
        assert r.status_code == 200
        await env.sink.wait_for("meeting.ended")
    stats = transcriber.stats()
    assert stats["segments"] == 0 and "pip install" in (stats["unavailable"] or "")
    r = await env.http.get("/_emulator/intelligence")
    assert "pip install" in r.json()["data"]["transcription"]["unavailable"]
