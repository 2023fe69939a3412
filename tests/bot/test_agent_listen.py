"""``BotConfig(listen_via="agent")``: a bot hears the service's transcripts over the Agent
Participant socket (emulator on 127.0.0.1, port 0, deterministic "test" TTS/STT/VAD engines)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest

pytest.importorskip("aiortc")
pytest.importorskip("numpy")
pytest.importorskip("websockets")

from realtimekit_mcp.agent import CLOUDFLARE_AGENT_URL, AgentConnection, AgentEvent, agent_url
from realtimekit_mcp.bot.agent_listen import AgentListener, agent_url_for, segment_from_agent
from realtimekit_mcp.bot.participant import BotConfig, BotParticipant, BotState
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.server import run_emulator

pytestmark = pytest.mark.anyio

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-0000000a9e17"
TOKEN = "agent-listen-tests-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"
LINE = "the launch notes go out on friday."


@dataclass
class Env:
    origin: str
    http: httpx.AsyncClient
    bots: list[BotParticipant] = field(default_factory=list)
    agents: list[AgentConnection] = field(default_factory=list)

    async def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"{API}{path}", **kwargs)

    async def meeting(self) -> str:
        r = await self.rest("POST", "/meetings", json={"title": "Agent listen"})
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["id"])

    async def transcribed_preset(self) -> str:
        r = await self.rest("GET", "/presets", params={"per_page": 100})
        base = next(p for p in r.json()["data"] if p["name"] == "group_call_host")
        full = (await self.rest("GET", f"/presets/{base['id']}")).json()["data"]
        body = {k: full[k] for k in ("config", "permissions", "ui")}
        body["name"] = "transcribed"
        body["permissions"]["transcription_enabled"] = True
        r = await self.rest("POST", "/presets", json=body)
        assert r.status_code in (200, 201), r.text
        return "transcribed"

    async def token(self, meeting_id: str, cpid: str, *, preset: str = "group_call_host") -> str:
        body = {"custom_participant_id": cpid, "preset_name": preset, "name": cpid.title()}
        r = await self.rest("POST", f"/meetings/{meeting_id}/participants", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["data"]["token"])

    async def bot(
        self, meeting_id: str, cpid: str, *, preset: str = "group_call_host", **options: Any
    ) -> BotParticipant:
        settings: dict[str, Any] = {
            "request_timeout": 10.0,
            "connect_timeout": 10.0,
            "reconnect": False,
            "tts": "test",
        }
        settings.update(options)
        bot = BotParticipant(
            await self.token(meeting_id, cpid, preset=preset),
            BotConfig.for_origin(self.origin, **settings),
            display_name=cpid.title(),
        )
        self.bots.append(bot)
        await bot.join()
        return bot

    async def observer(self, meeting_id: str, **options: Any) -> AgentConnection:
        conn = AgentConnection(
            await self.token(meeting_id, "observer"),
            url=agent_url(self.origin),
            ping_interval=None,
            **options,
        )
        self.agents.append(conn)
        await conn.connect()
        return conn


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    config = EmulatorConfig(
        account_id=ACCOUNT, app_id=APP, api_token=TOKEN, stt_engine="test", vad_engine="test"
    )
    async with run_emulator(config, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=10.0) as http:
            e = Env(running.origin, http)
            try:
                yield e
            finally:
                for bot in e.bots:
                    await bot.leave()
                for agent in e.agents:
                    await agent.close()


def _from_agent(event: Any) -> bool:
    return bool(event.data.get("source") == "agent")


# ---------------------------------------------------------------------------------------- unit


def test_the_socket_url_comes_from_the_api_base_or_the_override() -> None:
    assert agent_url_for("https://api.realtime.cloudflare.com") == CLOUDFLARE_AGENT_URL
    assert agent_url_for("http://127.0.0.1:8787") == "ws://127.0.0.1:8787/agent-ws/v1"
    assert agent_url_for("http://127.0.0.1:8787", "wss://x.test/agent-ws/v1") == "wss://x.test/agent-ws/v1"
    assert BotConfig().listen_via == "media"
    with pytest.raises(ValueError, match="listen_via"):
        BotConfig(listen_via="telepathy")


def test_a_final_transcript_event_becomes_a_segment_and_partials_do_not() -> None:
    speaker = {"peer_id": "p1", "participant_id": "u1", "custom_participant_id": "a", "display_name": "Alice"}
    data = {
        "text": " hello there ",
        "is_final": True,
        "started_at": "2026-01-01T00:00:01.000Z",
        "ended_at": "2026-01-01T00:00:02.500Z",
        "confidence": 0.9,
        "speaker": speaker,
    }
    seg = segment_from_agent(AgentEvent(1, "transcript.received", data, 1767225603.0), 7)
    assert seg is not None
    assert (seg.text, seg.participant_id, seg.peer_id, seg.speaker_name) == (
        "hello there",
        "u1",
        "p1",
        "Alice",
    )
    assert seg.end - seg.start == pytest.approx(1.5)
    assert seg.transcribed_at - seg.end == pytest.approx(0.5)
    assert seg.id == "agent-u1-7"
    partial = {**data, "is_final": False}
    assert segment_from_agent(AgentEvent(2, "transcript.received", partial, 0.0), 1) is None
    assert segment_from_agent(AgentEvent(3, "participant.join", data, 0.0), 1) is None
    assert segment_from_agent(AgentEvent(4, "transcript.received", {**data, "text": " "}, 0.0), 1) is None
    # epoch milliseconds also work
    ms = {**data, "started_at": 1_767_225_601_000, "ended_at": 1_767_225_602_000}
    seg = segment_from_agent(AgentEvent(5, "transcript.received", ms, 0.0), 1)
    assert seg is not None and seg.end - seg.start == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------- live


async def test_an_agent_mode_bot_hears_the_service_transcript_and_leaving_closes_the_socket(env: Env) -> None:
    preset = await env.transcribed_preset()
    m = await env.meeting()
    observer = await env.observer(m, subscriptions=("participant",))
    bob = await env.bot(m, "bob", listen_via="agent", subscribe_audio=False, transcribe=True)
    alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
    assert bob.agent_listening and not bob.transcribing  # no local STT in agent mode
    assert bob.status()["listen_via"] == "agent"
    with anyio.fail_after(30):
        await alice.say(LINE, wait=True)
        got = await bob.wait_event("transcript", where=_from_agent)
    assert got.data["source"] == "agent"
    assert got.data["text"] == LINE and got.data["is_partial"] is False
    assert (got.data["participant_id"], got.data["peer_id"]) == (alice.participant_id, alice.peer_id)
    assert got.data["speaker_name"] == "Alice" and got.data["custom_participant_id"] == "alice"
    assert got.data["start"] <= got.data["end"]
    [entry] = bob.transcript()
    assert entry["seq"] == got.seq and entry["text"] == LINE and entry["speaker_name"] == "Alice"
    assert bob.transcript(after=got.seq) == []

    listener = bob._agent_listener
    assert listener is not None
    agent_peer = (await listener.connection.get_connection())["peer_id"]
    assert agent_peer != bob.peer_id  # the socket is a peer of its own
    cursor = observer.last_seq
    with anyio.fail_after(10):
        await bob.leave()
        code, _ = await listener.connection.wait_closed()
        left = await observer.wait_event(
            "participant.leave", after=cursor, where=lambda e: e.data["peer_id"] == agent_peer
        )
    assert code == 1000
    assert left.data["participant_id"] == bob.participant_id
    assert not bob.agent_listening and bob.state is BotState.LEFT
    assert not [e for e in bob.events_since(0, limit=1000) if e.type == "agent_listen_ended"]


async def test_the_bot_never_hears_itself_through_the_agent_socket(env: Env) -> None:
    preset = await env.transcribed_preset()
    m = await env.meeting()
    observer = await env.observer(m, subscriptions=("transcript",))
    bob = await env.bot(m, "bob", preset=preset, listen_via="agent", subscribe_audio=False)
    alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
    with anyio.fail_after(30):
        await bob.say("this is bob speaking.", wait=True)
        own = await observer.wait_event("transcript.received")
        assert own.data["speaker"]["participant_id"] == bob.participant_id
        await alice.say(LINE, wait=True)
        await observer.wait_event("transcript.received", after=own.seq)
        got = await bob.wait_event("transcript", where=_from_agent)
    assert got.data["participant_id"] == alice.participant_id and got.data["text"] == LINE
    texts = [
        e.data["text"] for e in bob.events_since(0, limit=1000) if e.type == "transcript" and _from_agent(e)
    ]
    assert texts == [LINE]
    assert [s["text"] for s in bob.transcript()] == [LINE]


async def test_ending_the_meeting_cleans_the_agent_socket_up(env: Env) -> None:
    m = await env.meeting()
    bob = await env.bot(m, "bob", listen_via="agent", subscribe_audio=False)
    listener = bob._agent_listener
    assert listener is not None and listener.active
    with anyio.fail_after(15):
        r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
        assert r.status_code == 200, r.text
        await bob.ended
        await listener.connection.wait_closed()
    assert bob.state in (BotState.MEETING_ENDED, BotState.KICKED)
    assert not bob.agent_listening and bob._agent_listener is None


async def test_a_receive_only_listener_joins_no_media(env: Env) -> None:
    preset = await env.transcribed_preset()
    m = await env.meeting()
    token = await env.token(m, "notes")
    heard: list[tuple[str, str]] = []
    changed = asyncio.Event()

    def on_segment(segment: Any, data: Any) -> None:
        heard.append((segment.speaker_name, segment.text))
        changed.set()

    listener = AgentListener(token, url=agent_url(env.origin), on_segment=on_segment, ping_interval=None)
    await listener.start()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        with anyio.fail_after(30):
            await alice.say(LINE, wait=True)
            while not heard:
                await changed.wait()
        assert heard == [("Alice", LINE)]
        assert listener.segments == 1
    finally:
        await listener.aclose()
    assert listener.connection.close_code == 1000 and not listener.active


async def test_the_manager_joins_an_agent_mode_bot_and_serves_its_transcript(env: Env) -> None:
    from realtimekit_mcp.bot.manager import BotManager

    preset = await env.transcribed_preset()
    m = await env.meeting()
    manager = BotManager(
        BotConfig.for_origin(env.origin, request_timeout=10.0, connect_timeout=10.0, reconnect=False)
    )
    try:
        bot_id = await manager.join(
            token=await env.token(m, "bob"), name="Bob", listen=False, listen_via="agent"
        )
        bob = manager.get(bot_id)
        assert bob.config.listen_via == "agent" and bob.agent_listening
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        with anyio.fail_after(30):
            await alice.say(LINE, wait=True)
            got = await bob.wait_event("transcript", where=_from_agent)
        segments, cursor = manager.transcript(bot_id)
        assert [(s["text"], s["participant_id"]) for s in segments] == [(LINE, alice.participant_id)]
        assert cursor == got.seq
        listener = bob._agent_listener
        assert listener is not None
        with anyio.fail_after(10):
            await manager.leave(bot_id)
        assert listener.connection.close_code == 1000
    finally:
        await manager.shutdown()
