"""Agent Participant events for real peers: bots join, broadcast and leave through the socket edge."""

from __future__ import annotations

import anyio
import pytest

pytest.importorskip("aiortc")

from realtimekit_mcp.bot.participant import BotConfig, BotParticipant
from realtimekit_mcp.protocol import room_pb2
from realtimekit_mcp.protocol.events import RoomEvent

from .conftest import AgentEnv

pytestmark = pytest.mark.anyio


async def _bot(env: AgentEnv, meeting_id: str, cpid: str) -> BotParticipant:
    config = BotConfig.for_origin(
        env.origin, request_timeout=10.0, connect_timeout=10.0, subscribe_audio=False
    )
    bot = BotParticipant(await env.token(meeting_id, cpid, name=cpid.title()), config, display_name=cpid)
    await bot.join()
    return bot


async def test_joins_and_leaves_of_real_peers_arrive_as_participant_events(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "notes-bot"), subscriptions=("participant",))
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
    bot = await _bot(env, m, "alice")
    try:
        with anyio.fail_after(10):
            joined = await agent.wait_event("participant.join")
            assert joined.data["peer_id"] == bot.peer_id
            await bot.leave()
            left = await agent.wait_event("participant.leave")
    finally:
        await bot.leave()
    assert left.data["peer_id"] == joined.data["peer_id"]
    assert joined.data["participant_id"] == bot.participant_id
    assert joined.data["display_name"] == "Alice" and joined.data["custom_participant_id"] == "alice"
    assert joined.data["preset_name"] == "group_call_host" and joined.data["preset_id"]
    assert joined.data["waitlisted"] is False
    assert set(joined.data) == {
        "peer_id",
        "participant_id",
        "custom_participant_id",
        "display_name",
        "picture_url",
        "preset_id",
        "preset_name",
        "waitlisted",
    }
    # the session stays alive for the agent after the last real peer left
    r = await env.rest("GET", f"/meetings/{m}/active-session")
    assert r.status_code == 200


async def test_room_broadcasts_arrive_as_broadcast_received_only_for_subscribers(env: AgentEnv) -> None:
    m = await env.meeting()
    listening = await env.connect(await env.token(m, "listening"), subscriptions=("broadcast",))
    deaf = await env.connect(await env.token(m, "deaf"), subscriptions=("participant",))
    bot = await _bot(env, m, "alice")
    try:
        message = room_pb2.BroadcastMessage(type="reaction", payload=b'{"emoji":"wave"}')
        with anyio.fail_after(10):
            await bot._require_sig().request(RoomEvent.BROADCAST_MESSAGE, message, room_pb2.BroadcastMessage)
            got = await listening.wait_event("broadcast.received")
            await deaf.wait_event("participant.join")
    finally:
        await bot.leave()
    # one notice fans out to every agent at once: had "deaf" been sent the broadcast, it would be here
    assert got.data["type"] == "reaction" and got.data["payload"] == {"emoji": "wave"}
    assert got.data["created_at"]
    assert [e.name for e in deaf.events_since(0)].count("broadcast.received") == 0
    assert [e.name for e in listening.events_since(0)].count("participant.join") == 0


async def test_agents_see_each_other_join_as_participants(env: AgentEnv) -> None:
    m = await env.meeting()
    first = await env.connect(await env.token(m, "first"), subscriptions=("participant",))
    with anyio.fail_after(5):
        await first.wait_event("session.started")
        second = await env.connect(await env.token(m, "second"), subscriptions=("participant",))
        joined = await first.wait_event("participant.join")
        await second.wait_event("session.started")
    assert joined.data["custom_participant_id"] == "second"
    assert second.session_id == first.session_id
    assert [e.name for e in second.events_since(0)] == ["session.started"]  # no own join
