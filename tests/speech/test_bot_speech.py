"""Speech through the bot's public API and its manager (deterministic engines)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import anyio
import pytest

from realtimekit_mcp.speech import SpeechUnavailableError, registry

from .conftest import API, Live

pytestmark = pytest.mark.anyio


def fake_token() -> str:
    claims = {"meetingId": "m-1", "participantId": "p-1", "orgId": "o-1"}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


def test_importing_the_bot_and_speech_packages_loads_no_speech_engine() -> None:
    code = (
        "import sys, realtimekit_mcp.speech, realtimekit_mcp.speech.listen, realtimekit_mcp.bot.voice\n"
        "import realtimekit_mcp.bot.participant, realtimekit_mcp.bot.manager\n"
        "heavy = [m for m in ('onnxruntime', 'piper', 'faster_whisper', 'ctranslate2') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_a_bot_asked_to_transcribe_without_engines_fails_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from realtimekit_mcp.bot.participant import BotConfig, BotParticipant, BotState

    def missing(**_: Any) -> Any:
        raise SpeechUnavailableError("faster-whisper is missing: pip install 'realtimekit-mcp[speech]'")

    monkeypatch.setitem(registry._STT, "missing-for-test", missing)
    config = BotConfig(api_base="http://127.0.0.1:9", transcribe=True, stt="missing-for-test", vad="test")
    bot = BotParticipant(fake_token(), config)
    with pytest.raises(SpeechUnavailableError, match=r"realtimekit-mcp\[speech\]"):
        await bot.join()
    assert bot.state is BotState.NEW  # nothing was contacted; the bot can join once the extra is there
    with pytest.raises(RuntimeError, match="bot is new"):
        await bot.say("hello")
    await bot.leave()


async def test_the_manager_makes_a_bot_speak_and_reads_another_bots_transcript(live: Live) -> None:
    from realtimekit_mcp.bot.manager import BotManager
    from realtimekit_mcp.bot.participant import BotConfig

    m = await live.meeting()
    tokens = []
    for name in ("Ann", "Ben"):
        body = {"custom_participant_id": name, "preset_name": "group_call_host", "name": name}
        r = await live.http.post(f"{API}/meetings/{m}/participants", json=body)
        tokens.append(r.json()["data"]["token"])
    config = BotConfig.for_origin(live.origin, reconnect=False, tts="test", stt="test", vad="test")
    async with BotManager(config) as manager:
        with anyio.fail_after(20):
            ann = await manager.join(token=tokens[0], name="Ann", listen=False)
            ben = await manager.join(token=tokens[1], name="Ben", transcribe=True)
        assert manager.status(ben)["transcribing"] is True and manager.status(ann)["transcribing"] is False
        item = await manager.say(ann, "minutes are ready.", wait=True)
        assert item.to_dict()["status"] == "played"
        with anyio.fail_after(10):
            await manager.get(ben).wait_event("transcript", where=lambda e: e.data.get("source") == "bot")
        segments, cursor = manager.transcript(ben)
        assert [(s["speaker_name"], s["text"]) for s in segments] == [("Ann", "minutes are ready.")]
        assert manager.transcript(ben, cursor) == ([], cursor)
        await manager.say(ann, "something long that will be cut off before the end.")
        assert manager.stop_speaking(ann) == 1
        assert manager.status(ann)["speaking"] is False
        events = [e.type for e in manager.events(ann, 0)[0]]
        assert events.count("speech_ended") == 2  # played, then stopped
