"""bot toolset over the in-memory SDK client on both protocol eras, against a real loopback emulator
(WebSocket + WebRTC on 127.0.0.1): join, chat, play a WAV from the media directory, events, leave,
a kicked bot, unknown handles, and the media directory's refusals."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from realtimekit_mcp.config import BackendSettings, ServerSettings, settings_from_args
from realtimekit_mcp.server.app import build_server
from realtimekit_mcp.tools.bot import HANDLE_PREFIX, unknown_handle
from tests.media_files import write_png, write_tone_wav
from tests.server.support import accept, call_ok, connect, text
from tests.tools.livebots import ACCOUNT, APP, TEST_SPEECH, TOKEN, WAIT, Live

pytestmark = pytest.mark.anyio


async def _meeting(client: Client, title: str = "Bots") -> str:
    created = await call_ok(client, "meeting_create", {"title": title})
    assert created.structured_content is not None
    return str(created.structured_content["id"])


async def _join(client: Client, meeting_id: str, name: str, **extra: Any) -> dict[str, Any]:
    progress: list[tuple[float, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, message))

    with anyio.fail_after(WAIT):
        joined = await client.call_tool(
            "bot_join", {"meeting_id": meeting_id, "name": name, **extra}, progress_callback=on_progress
        )
    assert not joined.is_error, text(joined)
    assert progress and progress[-1] == (3, "joined")  # a long call reports progress
    data = joined.structured_content
    assert data is not None and data["bot_id"].startswith(HANDLE_PREFIX) and data["state"] == "joined"
    assert "bot_leave" in text(joined)
    return data


async def test_two_bots_chat_and_one_hears_a_wav_from_the_media_dir(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        a = await _join(client, meeting_id, "Speaker", listen=False)
        b = await _join(client, meeting_id, "Listener")
        listener = live.bot(b["bot_id"])

        await call_ok(client, "bot_send", {"bot_id": a["bot_id"], "action": "chat", "text": "hello room"})
        with anyio.fail_after(WAIT):
            await listener.wait_event("chat", where=lambda e: e.data["text"] == "hello room")

        played = await call_ok(
            client, "bot_send", {"bot_id": a["bot_id"], "action": "play", "file": "tone.wav"}
        )
        assert "playing tone.wav" in text(played)
        with anyio.fail_after(WAIT):
            heard = await listener.wait_audio(a["participant_id"], seconds=0.3)
        assert heard.seconds >= 0.3

        status = text(await call_ok(client, "bot_status", {"bot_id": b["bot_id"]}))
        assert "Listener" in status and "joined" in status
        assert "chat from Speaker: hello room" in status
        assert "audio received (buffered): Speaker" in status
        assert "subscribed" in status and "kind=audio" in status and "next_cursor=" in status
        cursor = int(status.split("next_cursor=")[1].split(";")[0].split()[0])
        later = text(await call_ok(client, "bot_status", {"bot_id": b["bot_id"], "cursor": cursor}))
        assert "chat from" not in later  # events are read once, by cursor

        speaker = text(await call_ok(client, "bot_status", {"bot_id": a["bot_id"]}))
        assert "publishing: audio" in speaker and "chat_sent" in speaker
        assert "participant_joined" in speaker and "name=Listener" in speaker

        listing = text(await call_ok(client, "bot_status", {}))
        assert a["bot_id"] in listing and b["bot_id"] in listing and "2 live" in listing

        left = await call_ok(client, "bot_leave", {"bot_id": a["bot_id"]})
        assert "left meeting" in text(left)
        again = await client.call_tool("bot_send", {"bot_id": a["bot_id"], "action": "chat", "text": "x"})
        assert again.is_error and "has ended" in text(again) and "bot_join again" in text(again)
        assert "had already ended" in text(await call_ok(client, "bot_leave", {"bot_id": a["bot_id"]}))
        with anyio.fail_after(WAIT):
            await listener.wait_event("participant_left")
    assert live.server.deps.bot_manager is None  # the server's shut-down made every bot leave
    assert listener.state.value == "left"


async def test_a_kicked_bot_says_why_and_refuses_to_send(live: Live, mode: str) -> None:
    async with connect(live.server, mode, elicitation_callback=accept) as client:
        meeting_id = await _meeting(client)
        joined = await _join(client, meeting_id, "Kickme")
        bot = live.bot(joined["bot_id"])
        await call_ok(
            client,
            "session_moderate",
            {"meeting_id": meeting_id, "action": "kick", "participant_ids": [joined["participant_id"]]},
        )
        with anyio.fail_after(WAIT):
            await bot.ended
        result = await client.call_tool(
            "bot_send", {"bot_id": joined["bot_id"], "action": "chat", "text": "hi"}
        )
        assert result.is_error
        message = text(result)
        assert f"Bot {joined['bot_id']} has ended (kicked" in message and "call bot_join again" in message
        status = text(await call_ok(client, "bot_status", {"bot_id": joined["bot_id"]}))
        assert ": kicked" in status and "call bot_join again" in status


async def test_unknown_bot_ids_are_actionable_errors(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        assert "No bots" in text(await call_ok(client, "bot_status", {}))
        for tool, args in (
            ("bot_send", {"bot_id": "bot_nope", "action": "chat", "text": "x"}),
            ("bot_status", {"bot_id": "bot_nope"}),
            ("bot_leave", {"bot_id": "bot_nope"}),
        ):
            result = await client.call_tool(tool, args)
            assert result.is_error, tool
            assert "Unknown bot_id 'bot_nope'" in text(result) and "bot_status" in text(result), tool
        assert live.server.deps.bot_manager is None  # reads and refusals load nothing of the bot
        missing = await client.call_tool("bot_join", {"meeting_id": "00000000-0000-4000-8000-000000000000"})
        assert missing.is_error and "Could not join" in text(missing)


async def test_joining_an_inactive_meeting_is_refused_with_the_reason(live: Live, mode: str) -> None:
    async with connect(live.server, mode, elicitation_callback=accept) as client:
        meeting_id = await _meeting(client)
        await call_ok(client, "meeting_update", {"meeting_id": meeting_id, "status": "INACTIVE"})
        result = await client.call_tool("bot_join", {"meeting_id": meeting_id})
        assert result.is_error
        assert f"Could not join meeting {meeting_id}" in text(result) and "INACTIVE" in text(result)
        assert "No bots" in text(await call_ok(client, "bot_status", {}))


async def test_media_files_outside_the_media_dir_are_refused(live: Live, mode: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.wav"
    write_tone_wav(secret, seconds=0.1)
    (live.media / "link.wav").symlink_to(secret)
    (live.media / "notes.txt").write_text("not audio")
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        joined = await _join(client, meeting_id, "Careful", listen=False)
        refused = {
            "../secret.wav": "'..' is not allowed",
            str(secret): "not an absolute path",
            "http://127.0.0.1:9/tone.wav": "URLs are not fetched",
            "file:///etc/passwd": "URLs are not fetched",
            "link.wav": "points outside the media directory",
            "missing.wav": "No file 'missing.wav'",
            "notes.txt": "is not an audio file",
        }
        for name, reason in refused.items():
            result = await client.call_tool(
                "bot_send", {"bot_id": joined["bot_id"], "action": "play", "file": name}
            )
            assert result.is_error and reason in text(result), (name, text(result))
        shown = await client.call_tool(
            "bot_send", {"bot_id": joined["bot_id"], "action": "show", "file": "tone.wav"}
        )
        assert shown.is_error and "not an image or video file" in text(shown)
        status = live.bot(joined["bot_id"]).status()
        assert status["published"] == {} and status["outgoing_audio_queued_seconds"] == 0


async def test_a_bot_says_a_line_and_the_listening_bot_transcribes_it(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        a = await _join(client, meeting_id, "Talker", listen=False)
        joined = await call_ok(client, "bot_join", {"meeting_id": meeting_id, "name": "Ear"})
        assert "transcribes what it hears" in text(joined)
        b = joined.structured_content
        assert b is not None
        said = await call_ok(
            client, "bot_send", {"bot_id": a["bot_id"], "action": "say", "text": "hello there"}
        )
        assert "saying 'hello there' (1 sentence, queued)" in text(said)
        with anyio.fail_after(WAIT):
            await live.bot(b["bot_id"]).wait_event(
                "transcript", where=lambda e: "hello there" in e.data["text"]
            )
        status = await call_ok(client, "bot_status", {"bot_id": b["bot_id"]})
        assert "transcript Talker: hello there" in text(status)
        assert "] Talker: hello there" in text(status)  # the transcript tail
        links = [str(c.uri) for c in status.content if getattr(c, "type", "") == "resource_link"]
        assert links == [
            f"realtimekit://bots/{b['bot_id']}/participants",
            f"realtimekit://bots/{b['bot_id']}/transcript",
        ]
        doc = await client.read_resource(links[1])
        assert doc.contents[0].text.endswith("] Talker: hello there")  # type: ignore[union-attr]
        cut = await call_ok(client, "bot_send", {"bot_id": a["bot_id"], "action": "interrupt"})
        assert "interrupted" in text(cut)
        stopped = await call_ok(
            client, "bot_send", {"bot_id": a["bot_id"], "action": "stop", "what": "audio"}
        )
        assert "stopped audio" in text(stopped)


async def test_without_speech_say_explains_the_install_and_chat_still_works(
    tmp_path: Path, live: Live, mode: str
) -> None:
    from realtimekit_mcp.speech import SpeechUnavailableError
    from realtimekit_mcp.speech.registry import register_stt, register_tts

    def missing(**_: Any) -> Any:
        raise SpeechUnavailableError("needs piper: pip install 'realtimekit-mcp[speech]'")

    register_tts("missing-for-test", missing)
    register_stt("missing-for-test", missing)
    server = build_server(
        live.server.deps.settings,
        media_dir=live.media,
        bot_options={"tts": "missing-for-test", "stt": "missing-for-test", "vad": "test"},
    )
    async with connect(server, mode) as client:
        meeting_id = await _meeting(client)
        joined = await call_ok(client, "bot_join", {"meeting_id": meeting_id, "name": "Mute"})
        assert "receives audio without transcribing (no speech extra)" in text(joined)
        bot_id = (joined.structured_content or {})["bot_id"]
        result = await client.call_tool("bot_send", {"bot_id": bot_id, "action": "say", "text": "Hi"})
        assert result.is_error and "pip install 'realtimekit-mcp[speech]'" in text(result)
        assert "chat, play and show work without it" in text(result)
        await call_ok(client, "bot_send", {"bot_id": bot_id, "action": "chat", "text": "typed instead"})
        chat = await client.call_tool("bot_send", {"bot_id": bot_id, "action": "chat"})
        assert chat.is_error and "needs text" in text(chat)
        transcript = await client.read_resource(f"realtimekit://bots/{bot_id}/transcript")
        assert transcript.contents[0].text == "(nothing transcribed yet)"  # type: ignore[union-attr]


async def test_embedded_backend_starts_a_loopback_listener_for_bots_and_stops_it(
    tmp_path: Path, mode: str
) -> None:
    pytest.importorskip("aiortc")
    server = build_server(
        settings_from_args(env={}, data_dir=tmp_path / "data"), media_dir=tmp_path, bot_options=TEST_SPEECH
    )
    async with connect(server, mode) as client:
        meeting_id = await _meeting(client)
        assert server.deps.bot_origin is None  # nothing listens before the first bot
        joined = await _join(client, meeting_id, "Embedded")
        origin = server.deps.bot_origin
        assert origin is not None and origin.startswith("http://127.0.0.1:")
        status = await client.read_resource("realtimekit://status")
        assert origin in status.contents[0].text  # type: ignore[union-attr]
        listed = text(await call_ok(client, "meeting_get", {"meeting_id": meeting_id}))
        assert "live session" in listed and "no live session" not in listed
        await call_ok(client, "bot_leave", {"bot_id": joined["bot_id"]})
    port = int(origin.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # the listener stopped with the server


def test_unknown_handle_error_says_how_to_recover() -> None:
    message = str(unknown_handle("bot_x"))
    assert "bot_x" in message and "bot_join" in message and "bot_status" in message


async def test_no_bot_tool_output_or_log_carries_the_api_token_or_a_participant_token(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    pytest.importorskip("aiortc")
    from realtimekit_mcp._redact import RedactingFilter
    from realtimekit_mcp.emulator import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    caplog.set_level(logging.DEBUG)
    # What `realtimekit-mcp serve` installs on its log handlers (e.g. websockets logs the socket URL
    # with the bot's participant token at DEBUG; the filter must redact it).
    caplog.handler.addFilter(RedactingFilter())
    canary = "CANARY-bot-3d1f-do-not-leak-9e0a"
    media = tmp_path / "media"
    media.mkdir()
    write_tone_wav(media / "tone.wav", seconds=0.2)
    write_png(media / "card.png")
    config = EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=canary, db_path=":memory:")
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        backend = BackendSettings(
            kind="url", base_url=running.base_url, account_id=ACCOUNT, app_id=APP, api_token=canary
        )
        server = build_server(
            ServerSettings(backend=backend, toolsets=("all",)), media_dir=media, bot_options=TEST_SPEECH
        )
        seen: list[str] = []
        async with connect(server, mode, elicitation_callback=accept) as client:
            meeting_id = await _meeting(client)
            a = await _join(client, meeting_id, "A")
            b = await _join(client, meeting_id, "B")
            token = server.deps.bot_manager._bots[a["bot_id"]].bot._token  # type: ignore[union-attr]
            calls: list[tuple[str, dict[str, Any]]] = [
                ("bot_send", {"bot_id": a["bot_id"], "action": "chat", "text": "hi"}),
                (
                    "bot_send",
                    {"bot_id": a["bot_id"], "action": "chat", "text": "psst", "to": [b["participant_id"]]},
                ),
                ("bot_send", {"bot_id": a["bot_id"], "action": "chat", "text": "x", "to": ["nobody"]}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "play", "file": "tone.wav"}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "say", "text": "hello"}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "show", "file": "../x.png"}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "image", "file": "card.png"}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "share", "file": "card.png"}),
                (
                    "bot_poll",
                    {"bot_id": a["bot_id"], "action": "create", "question": "Q?", "options": ["x", "y"]},
                ),
                ("bot_poll", {"bot_id": b["bot_id"], "action": "list"}),
                ("bot_plugin", {"bot_id": b["bot_id"]}),
                (
                    "bot_moderate",
                    {"bot_id": a["bot_id"], "action": "pin", "participant_ids": [b["participant_id"]]},
                ),
                ("bot_moderate", {"bot_id": a["bot_id"], "action": "mute", "participant_ids": ["nobody"]}),
                ("bot_status", {"bot_id": b["bot_id"]}),
                ("bot_status", {}),
                (
                    "session_moderate",
                    {"meeting_id": meeting_id, "action": "kick", "participant_ids": [b["participant_id"]]},
                ),
                ("bot_leave", {"bot_id": a["bot_id"]}),
                ("bot_status", {"bot_id": a["bot_id"]}),
                ("bot_send", {"bot_id": a["bot_id"], "action": "chat", "text": "late"}),
                ("bot_join", {"meeting_id": "00000000-0000-4000-8000-000000000000"}),
            ]
            for name, args in calls:
                seen.append((await client.call_tool(name, args)).model_dump_json())
            seen.append((await client.read_resource("realtimekit://status")).model_dump_json())
            seen.append(
                (
                    await client.read_resource(f"realtimekit://bots/{a['bot_id']}/participants")
                ).model_dump_json()
            )
            seen.append(
                (await client.read_resource(f"realtimekit://bots/{b['bot_id']}/transcript")).model_dump_json()
            )
    assert any("psst" in s for s in seen) and any("not in the room" in s for s in seen)
    assert any("sent image card.png" in s for s in seen) and any("posted poll" in s for s in seen)
    logs = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for blob in [*seen, logs]:
        assert canary not in blob and token not in blob


async def test_with_bot_listen_via_agent_a_listening_bot_gets_the_services_transcripts(
    tmp_path: Path, mode: str
) -> None:
    # The operator's --bot-listen-via agent: no local STT; the emulator transcribes speakers whose
    # preset enables it and sends the finals over the Agent Participant socket.
    pytest.importorskip("aiortc")
    import httpx

    from realtimekit_mcp.bot.participant import bot_preset_body
    from realtimekit_mcp.emulator import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    config = EmulatorConfig(
        account_id=ACCOUNT,
        app_id=APP,
        api_token=TOKEN,
        db_path=":memory:",
        stt_engine="test",
        vad_engine="test",
    )
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        backend = BackendSettings(
            kind="url", base_url=running.base_url, account_id=ACCOUNT, app_id=APP, api_token=TOKEN
        )
        server = build_server(
            ServerSettings(backend=backend),
            media_dir=tmp_path,
            bot_options={**TEST_SPEECH, "listen_via": "agent"},
        )
        async with connect(server, mode) as client:
            meeting_id = await _meeting(client)
            ear = await call_ok(client, "bot_join", {"meeting_id": meeting_id, "name": "Ear"})
            assert "transcripts over the Agent Participant socket" in text(ear)
            # the Talker joins with a preset like the bot preset that lets the emulator transcribe it
            body = bot_preset_body("transcribed_bot")
            body["permissions"]["transcription_enabled"] = True
            api = f"{running.base_url}/accounts/{ACCOUNT}/realtime/kit/{APP}"
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
                created = await http.post(f"{api}/presets", json=body)
                assert created.status_code == 201, created.text
            talker = await _join(client, meeting_id, "Talker", listen=False, preset="transcribed_bot")
            await call_ok(
                client, "bot_send", {"bot_id": talker["bot_id"], "action": "say", "text": "hello agent"}
            )
            ear_id = (ear.structured_content or {})["bot_id"]
            manager = server.deps.bot_manager
            assert manager is not None
            with anyio.fail_after(WAIT):
                event = await manager.get(ear_id).wait_event(
                    "transcript", where=lambda e: e.data.get("source") == "agent"
                )
            assert "hello agent" in event.data["text"] and event.data["speaker_name"] == "Talker"
            status = await call_ok(client, "bot_status", {"bot_id": ear_id})
            assert "] Talker: hello agent" in text(status)
