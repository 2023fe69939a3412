"""AgentConnection against the emulator's /agent-ws/v1 over real WebSockets on loopback."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from realtimekit_mcp.agent import (
    AgentClosedError,
    AgentConnection,
    AgentRequestError,
    AgentUpgradeError,
    agent_url,
)

from .conftest import AgentEnv


def left_event(env: AgentEnv, session_id: str | None) -> anyio.Event:
    """Set once the last live peer of ``session_id`` has left (a backend notice, no polling)."""
    backend = env.app.state.backend
    done = anyio.Event()

    def listener(notice: str, data: dict[str, object]) -> None:
        if notice == "peer.left" and data["session_id"] == session_id and not backend._live_peers(session_id):
            done.set()

    backend.listeners.append(listener)
    return done


pytestmark = pytest.mark.anyio


def test_agent_url_maps_origins_to_the_socket_path() -> None:
    assert agent_url("http://127.0.0.1:8787") == "ws://127.0.0.1:8787/agent-ws/v1"
    assert (
        agent_url("https://api.realtime.cloudflare.com/") == "wss://api.realtime.cloudflare.com/agent-ws/v1"
    )
    with pytest.raises(ValueError):
        agent_url("127.0.0.1:8787")


async def test_the_agent_joins_gets_session_started_and_counts_as_a_participant(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "notes-bot", name="Notes bot"))
    with anyio.fail_after(5):
        started = await agent.wait_event("session.started")
    assert started.data["meeting_id"] == m and agent.connection_id and agent.session_id
    r = await env.rest("GET", f"/meetings/{m}/active-session")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id"] == agent.session_id
    r = await env.rest("GET", f"/sessions/{agent.session_id}/participants")
    names = [p["display_name"] for p in r.json()["data"]["participants"]]
    assert names == ["Notes bot"]
    assert repr(agent).count("eyJ") == 0


async def test_ping_and_connection_get_are_answered_with_results(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "bot"), subscriptions=("participant",))
    with anyio.fail_after(5):
        pong = await agent.ping()
        info = await agent.get_connection()
    assert pong["pong"] is True
    assert info["connection_id"] == agent.connection_id
    assert info["subscriptions"] == ["participant"] and info["meeting_id"] == m
    with anyio.fail_after(5), pytest.raises(AgentRequestError) as caught:
        await agent.request("chat.send", {"text": "hi"})
    assert caught.value.code == "UNKNOWN_REQUEST"


async def test_a_bad_token_is_refused_with_401_unauthenticated(env: AgentEnv) -> None:
    agent = env.agent("eyJhbGciOiJIUzI1NiJ9.eyJmb28iOiJiYXIifQ.c2lnbmF0dXJl")
    with anyio.fail_after(5), pytest.raises(AgentUpgradeError) as caught:
        await agent.connect()
    assert caught.value.status == 401 and caught.value.code == "UNAUTHENTICATED"
    assert caught.value.retryable is False


async def test_upgrade_errors_are_json_with_code_message_and_retryable(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    ws_url = env.url.replace("ws://", "http://")
    headers = {
        "Authorization": f"Bearer {token}",
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol": "realtimekit.v1",
    }
    async with httpx.AsyncClient(timeout=5.0) as http:
        bad_sub = await http.get(ws_url, params={"subscriptions": "transcript,video"}, headers=headers)
        no_conn = await http.get(
            ws_url, params={"subscriptions": "participant", "connection_id": "nope"}, headers=headers
        )
        no_proto = await http.get(
            ws_url,
            params={"subscriptions": "participant"},
            headers={k: v for k, v in headers.items() if k != "Sec-WebSocket-Protocol"},
        )
        no_token = await http.get(
            ws_url,
            params={"subscriptions": "participant"},
            headers={k: v for k, v in headers.items() if k != "Authorization"},
        )
    assert (bad_sub.status_code, bad_sub.json()["error"]["code"]) == (400, "INVALID_QUERY")
    assert (no_conn.status_code, no_conn.json()["error"]["code"]) == (404, "CONNECTION_NOT_FOUND")
    assert (no_proto.status_code, no_proto.json()["error"]["code"]) == (400, "BAD_REQUEST")
    assert (no_token.status_code, no_token.json()["error"]["code"]) == (401, "UNAUTHENTICATED")
    for r in (bad_sub, no_conn, no_proto, no_token):
        body = r.json()
        assert body["success"] is False and set(body["error"]) == {"code", "message", "retryable"}
        assert token not in r.text


async def test_an_inactive_meeting_closes_the_socket_with_4403(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    r = await env.rest("PATCH", f"/meetings/{m}", json={"status": "INACTIVE"})
    assert r.status_code == 200, r.text
    agent = await env.connect(token)
    with anyio.fail_after(5):
        code, reason = await agent.wait_closed()
    assert (code, reason) == (4403, "upstream_rejected")


async def test_kick_all_sends_kick_all_then_session_ended_and_closes_with_1000(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "bot"))
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
        r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
        assert r.status_code == 200, r.text
        ended = await agent.wait_event("session.ended")
        code, reason = await agent.wait_closed()
    names = [e.name for e in agent.events_since(0)]
    assert names.index("participant.kick_all") < names.index("session.ended")
    assert ended.data["reason"] == "host_ended_meeting"
    assert (code, reason) == (1000, "session_ended")
    with pytest.raises(AgentClosedError):
        await agent.wait_event("participant.join")


async def test_a_connected_agent_keeps_the_session_alive_and_closing_with_1000_leaves(env: AgentEnv) -> None:
    m = await env.meeting(session_keep_alive_time_in_secs=60)
    token = await env.token(m, "bot")
    agent = await env.connect(token)
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
    session_id = agent.session_id
    backend = env.app.state.backend
    backend.advance(3600)  # an hour later: the agent is still there, so is the session
    r = await env.rest("GET", f"/sessions/{session_id}")
    assert r.json()["data"]["status"] == "LIVE"
    gone = left_event(env, session_id)
    await agent.close()
    assert agent.close_code == 1000
    with anyio.fail_after(5):
        await gone.wait()  # the leave is processed by the server's reader
    backend.advance(61)
    r = await env.rest("GET", f"/sessions/{session_id}")
    assert r.json()["data"]["status"] == "ENDED"


async def test_another_socket_with_the_connection_id_replaces_the_first_with_4409(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    first = await env.connect(token)
    with anyio.fail_after(5):
        await first.wait_event("session.started")
        second = await AgentConnection.resume(first)
        env.agents.append(second)
        code, reason = await first.wait_closed()
        info = await second.get_connection()
    assert (code, reason) == (4409, "replaced")
    assert info["connection_id"] == first.connection_id and info["resumes"] == 1


async def test_a_dropped_socket_resumes_within_the_grace_and_gets_the_queued_events(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    first = await env.connect(token, auto_resume=False)
    with anyio.fail_after(5):
        await first.wait_event("session.started")
    await first.close(code=4000, reason="network blip")  # not 1000: the agent stays in the meeting
    await env.token(m, "late")  # a participant added meanwhile, then joined through the control plane
    r = await env.http.post(
        "/_emulator/sessions", json={"meeting_id": m, "participants": [{"custom_participant_id": "late"}]}
    )
    assert r.status_code == 200, r.text
    with anyio.fail_after(5):
        second = await AgentConnection.resume(first)
        env.agents.append(second)
        joined = await second.wait_event("participant.join")
    assert joined.data["custom_participant_id"] == "late"
    assert [e.name for e in second.events_since(0)] == ["participant.join"]  # no second session.started


async def test_the_grace_expires_and_the_agent_leaves(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    hub_grace = 0.2
    first = await env.connect(token, auto_resume=False)
    with anyio.fail_after(5):
        await first.wait_event("session.started")
    env.app.state.agent_hub.resume_grace = hub_grace
    gone = left_event(env, first.session_id)
    await first.close(code=4000)
    with anyio.fail_after(5):
        await gone.wait()
    late = env.agent(token)
    with anyio.fail_after(5), pytest.raises(AgentUpgradeError) as caught:
        await late.connect(connection_id=first.connection_id)
    assert caught.value.status == 404 and caught.value.code == "CONNECTION_NOT_FOUND"


async def test_a_kicked_agent_is_closed_with_4403(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "bot"))
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
        r = await env.rest(
            "POST", f"/meetings/{m}/active-session/kick", json={"custom_participant_ids": ["bot"]}
        )
        assert r.status_code == 200, r.text
        code, _ = await agent.wait_closed()
    assert code == 4403


async def test_frames_are_json_message_frames_exactly_as_the_reference(env: AgentEnv) -> None:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    m = await env.meeting()
    token = await env.token(m, "raw")
    async with connect(
        env.url + "?subscriptions=participant",
        additional_headers={"Authorization": f"Bearer {token}"},
        subprotocols=[Subprotocol("realtimekit.v1")],
    ) as ws:
        assert ws.subprotocol == "realtimekit.v1"
        with anyio.fail_after(5):
            first = json.loads(await ws.recv())
            await ws.send(
                json.dumps({"category": "request", "request_id": "r1", "name": "connection.ping", "data": {}})
            )
            result = json.loads(await ws.recv())
    assert set(first) == {"category", "name", "data"} and first["category"] == "message"
    assert first["name"] == "session.started"
    assert set(result) == {"category", "request_id", "name", "data", "error"}
    assert result["request_id"] == "r1" and result["error"] is None


async def test_events_queued_past_the_cap_while_disconnected_end_the_connection(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    first = await env.connect(token, auto_resume=False, subscriptions=("participant",))
    with anyio.fail_after(5):
        await first.wait_event("session.started")
        info = await first.get_connection()
    hub = env.app.state.agent_hub
    hub.max_queued_events = 3
    backend = env.app.state.backend
    agent_left = anyio.Event()
    backend.listeners.append(
        lambda notice, data: (
            agent_left.set() if notice == "peer.left" and data["peer_id"] == info["peer_id"] else None
        )
    )
    await first.close(code=4000)  # dropped: events queue for the resume
    for i in range(4):  # four joins: the fourth overflows the queue of three
        r = await env.http.post(
            "/_emulator/sessions",
            json={"meeting_id": m, "participants": [{"custom_participant_id": f"p{i}"}]},
        )
        assert r.status_code == 200, r.text
    with anyio.fail_after(3):
        await agent_left.wait()  # well before the 5 s grace
    assert first.connection_id not in hub.agents
    late = env.agent(token)
    with anyio.fail_after(5), pytest.raises(AgentUpgradeError) as caught:
        await late.connect(connection_id=first.connection_id)
    assert caught.value.code == "CONNECTION_NOT_FOUND"


async def test_the_client_resumes_by_itself_after_a_network_drop(env: AgentEnv) -> None:
    m = await env.meeting()
    agent = await env.connect(await env.token(m, "bot"), subscriptions=("participant",))
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
    before = agent.connection_id
    agent._ws.transport.abort()  # the network goes away: no close frame (1006)
    r = await env.http.post(
        "/_emulator/sessions", json={"meeting_id": m, "participants": [{"custom_participant_id": "late"}]}
    )
    assert r.status_code == 200, r.text
    with anyio.fail_after(5):
        joined = await agent.wait_event("participant.join")
        info = await agent.get_connection()
    assert joined.data["custom_participant_id"] == "late"
    assert agent.resumes == 1 and info["connection_id"] == before and info["resumes"] == 1
    assert not agent.ended.is_set()


async def test_the_control_plane_lists_agent_connections_without_their_tokens(env: AgentEnv) -> None:
    m = await env.meeting()
    token = await env.token(m, "bot")
    agent = await env.connect(token, subscriptions=("transcript",))
    with anyio.fail_after(5):
        await agent.wait_event("session.started")
    r = await env.http.get("/_emulator/intelligence")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    [listed] = data["agents"]
    assert listed["connection_id"] == agent.connection_id and listed["connected"] is True
    assert listed["subscriptions"] == ["transcript"]
    assert data["transcription"]["taps"] == 0
    assert token not in r.text
