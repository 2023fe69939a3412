"""The socket edge over real WebSockets: joins, sessions, chat, broadcasts, moderation pushes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
import websockets

from realtimekit_mcp.emulator import EmulatorConfig, create_app
from realtimekit_mcp.emulator.events import RecordingEventSink
from realtimekit_mcp.emulator.routes.client_api import live_plane
from realtimekit_mcp.emulator.server import serve_app
from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, room_pb2
from realtimekit_mcp.protocol.events import ChatEvent, MediaEvent, RoomEvent

from .conftest import ACCOUNT, APP, TOKEN, LiveEmu
from .rawpeer import EdgeError, RawPeer, ToneTrack

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def peers(live: LiveEmu, meeting: str, *names: str, join: bool = True) -> AsyncIterator[list[RawPeer]]:
    """Connected (and joined) raw peers, closed on exit."""
    out: list[RawPeer] = []
    try:
        for name in names:
            token = (await live.add_participant(meeting, name.lower(), name))["token"]
            peer = RawPeer(live.ws_url, meeting, token)
            out.append(peer)
            with anyio.fail_after(10):
                await peer.connect()
                if join:
                    await peer.join(name)
        yield out
    finally:
        for peer in out:
            await peer.close()


async def test_client_api_bootstraps_a_participant_token_and_offers_no_ice_servers(live: LiveEmu) -> None:
    meeting = await live.create_meeting(title="Standup")
    participant = await live.add_participant(meeting, "alice", "Alice")
    async with httpx.AsyncClient(base_url=live.origin) as anonymous:
        auth = {"Authorization": f"Bearer {participant['token']}"}
        details = await anonymous.get("/v2/internals/participant-details", headers=auth)
        assert details.status_code == 200
        data = details.json()["data"]
        assert data["participant"]["id"] == participant["id"]
        assert data["participant"]["name"] == "Alice"
        assert data["meeting"]["title"] == "Standup"
        assert data["preset"]["name"] == "group_call_host"
        assert data["socket"]["base_uri"] == live.origin.removeprefix("http://")
        ice = await anonymous.get("/iceservers", headers=auth)
        assert ice.json() == {"success": True, "iceServers": []}
        refused = await anonymous.get(
            "/v2/internals/participant-details", headers={"Authorization": "Bearer nope"}
        )
        assert refused.status_code == 401
        assert (await anonymous.get("/iceservers")).status_code == 401


async def test_a_socket_with_a_bad_token_or_another_meeting_is_refused_at_the_handshake(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    other = await live.create_meeting()
    token = (await live.add_participant(meeting, "alice"))["token"]
    for url, status, words in (
        (f"{live.ws_url}?roomID={meeting}&peerID=p1&authToken=not-a-token", 401, "Invalid participant token"),
        (f"{live.ws_url}?roomID={other}&peerID=p1&authToken={token}", 401, "another meeting"),
        (f"{live.ws_url}?roomID={meeting}&authToken={token}", 400, "peerID"),
    ):
        with anyio.fail_after(5), pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url)
        assert refused.value.response.status_code == status
        body = json.loads(refused.value.response.body or b"{}")
        assert body["success"] is False and words in body["error"]["message"]


async def test_joins_start_a_live_session_and_announce_peers_to_each_other(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice") as (alice,):
        async with peers(live, meeting, "Bob", join=False) as (bob,):
            with anyio.fail_after(10):
                complete = await bob.join("Bob")
                assert [p.peer_id for p in complete.participants] == [alice.peer_id]
                assert complete.room_state.room_uuid == meeting
                (joined,) = await alice.wait_push(RoomEvent.JOIN_ROOM, room_pb2.PeerInfoResponse)
                assert joined.peer.peer_id == bob.peer_id and joined.peer.display_name == "Bob"
                (media_joined,) = await alice.wait_push(
                    MediaEvent.PEER_JOINED_BROADCAST, media_edge_pb2.PeerJoinBroadcastResponse
                )
                assert media_joined.participant.peer_id == bob.peer_id
                listed = await bob.request(
                    RoomEvent.GET_ROOM_PEERS_INFO,
                    room_pb2.RoomPeersInfoRequest(),
                    room_pb2.RoomPeersInfoResponse,
                )
                assert {p.peer_id for p in listed.peers} == {alice.peer_id, bob.peer_id}
            session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
            assert session["status"] == "LIVE"
            assert session["live_participants"] == 2
            names = live.sink.names()
            assert names.count("meeting.started") == 1
            assert names.count("meeting.participantJoined") == 2
        with anyio.fail_after(10):
            await alice.wait_push(RoomEvent.LEAVE_ROOM, room_pb2.PeerInfoResponse)
            (left,) = await alice.wait_push(
                MediaEvent.PEER_LEAVE_BROADCAST, media_edge_pb2.PeerLeaveBroadcastResponse
            )
        assert left.participant_id == bob.peer_id
        session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
        assert session["live_participants"] == 1
        assert live.sink.names().count("meeting.participantLeft") == 1


async def test_chat_goes_both_ways_privately_too_and_lands_in_history_and_the_export(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob", "Carol") as (alice, bob, carol):
        with anyio.fail_after(10):
            await alice.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="hi bob")
            )
            (got,) = await bob.wait_push(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomResponse
            )
            assert (got.message.payload, got.message.peer_id, got.message.display_name) == (
                "hi bob",
                alice.peer_id,
                "Alice",
            )
            await bob.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="hi alice")
            )
            mine, theirs = await alice.wait_push(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomResponse, count=2
            )
            assert (mine.message.payload, theirs.message.payload) == ("hi bob", "hi alice")
            await alice.send(
                ChatEvent.SEND_MESSAGE_TO_PEERS,
                chat_pb2.SendChatMessageToPeersRequest(peer_ids=[bob.peer_id], payload="psst"),
            )
            (private,) = await bob.wait_push(
                ChatEvent.SEND_MESSAGE_TO_PEERS, chat_pb2.SendChatMessageToPeersResponse
            )
            assert private.message.payload == "psst"
            assert list(private.message.target_user_ids) == [bob.peer_id]
            await alice.wait_push(ChatEvent.SEND_MESSAGE_TO_PEERS, chat_pb2.SendChatMessageToPeersResponse)
            await carol.wait_push(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomResponse, count=2
            )
            bob_history = await bob.request(ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse)
            carol_history = await carol.request(
                ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse
            )
        assert [m.payload for m in bob_history.messages] == ["hi bob", "hi alice", "psst"]
        assert [m.payload for m in carol_history.messages] == ["hi bob", "hi alice"]
        assert ChatEvent.SEND_MESSAGE_TO_PEERS not in carol.pushes
        session_id = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]["id"]
        export = (await live.rest("GET", f"/sessions/{session_id}/chat")).json()["data"]
        rows = list(csv.DictReader(io.StringIO((await live.client.get(export["chat_download_url"])).text)))
        listed = (await live.rest("GET", f"/meetings/{meeting}/participants")).json()["data"]
        ids = {p["custom_participant_id"]: p["id"] for p in listed}
        # room messages have no targets; the private one is exported with its recipient (issue 6)
        assert [
            (r["payload"], r["payloadType"], r["participantId"], r["targetParticipantIds"]) for r in rows
        ] == [
            ("hi bob", "text", ids["alice"], ""),
            ("hi alice", "text", ids["bob"], ""),
            ("psst", "text", ids["alice"], ids["bob"]),
        ]


async def test_broadcasts_reach_the_other_peers_and_chosen_ones(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob", "Carol") as (alice, bob, carol):
        with anyio.fail_after(10):
            echo = await alice.request(
                RoomEvent.BROADCAST_MESSAGE,
                room_pb2.BroadcastMessage(type="reaction", payload=json.dumps({"emoji": "+1"}).encode()),
                room_pb2.BroadcastMessage,
            )
            assert echo.timestamp > 0
            for peer in (bob, carol):
                (got,) = await peer.wait_push(RoomEvent.BROADCAST_MESSAGE, room_pb2.BroadcastMessage)
                assert got.type == "reaction" and json.loads(got.payload) == {"emoji": "+1"}
            await alice.request(
                RoomEvent.BROADCAST_TO_ENTITY,
                room_pb2.BroadcastMessage(type="poke", payload=b"{}", ids=[carol.peer_id]),
                room_pb2.BroadcastMessage,
            )
            (poke,) = await carol.wait_push(RoomEvent.BROADCAST_TO_ENTITY, room_pb2.BroadcastMessage)
            assert poke.type == "poke"
        assert RoomEvent.BROADCAST_MESSAGE not in alice.pushes
        assert RoomEvent.BROADCAST_TO_ENTITY not in bob.pushes


async def test_a_rest_kick_reaches_the_kicked_peer_and_closes_its_socket(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        bob_participant = (await live.rest("GET", f"/meetings/{meeting}/participants")).json()["data"]
        bob_id = next(p["id"] for p in bob_participant if p["custom_participant_id"] == "bob")
        r = await live.rest(
            "POST", f"/meetings/{meeting}/active-session/kick", json={"participant_ids": [bob_id]}
        )
        assert r.status_code == 200, r.text
        with anyio.fail_after(10):
            (kicked,) = await bob.wait_push(RoomEvent.KICK, room_pb2.PeerInfoResponse)
            assert kicked.peer.peer_id == bob.peer_id
            await bob.closed.wait()
            assert bob.close_code == 4000
            (left,) = await alice.wait_push(RoomEvent.LEAVE_ROOM, room_pb2.PeerInfoResponse)
            assert left.peer.peer_id == bob.peer_id
            await alice.wait_push(MediaEvent.PEER_LEAVE_BROADCAST, media_edge_pb2.PeerLeaveBroadcastResponse)
        session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
        assert session["live_participants"] == 1
        assert not alice.closed.is_set()


async def test_kick_all_ends_the_meeting_for_everyone(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        r = await live.rest("POST", f"/meetings/{meeting}/active-session/kick-all")
        assert r.status_code == 200, r.text
        with anyio.fail_after(10):
            for peer in (alice, bob):
                await peer.wait_push(RoomEvent.KICK_ALL, room_pb2.PeerInfoResponse)
                await peer.closed.wait()
                assert peer.close_code == 4001
        assert (await live.rest("GET", f"/meetings/{meeting}/active-session")).status_code == 404
        assert "meeting.ended" in live.sink.names()


async def test_a_rest_mute_pauses_the_peers_audio_and_tells_everyone(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        with anyio.fail_after(10):
            producer_id = await alice.publish(ToneTrack())
        r = await live.rest(
            "POST", f"/meetings/{meeting}/active-session/mute", json={"custom_participant_ids": ["alice"]}
        )
        assert r.status_code == 200, r.text
        with anyio.fail_after(10):
            (control,) = await alice.wait_push(
                MediaEvent.HOST_CONTROL_PEER, media_edge_pb2.HostMediaControlForPeerRequest
            )
            assert control.participant_id == alice.peer_id and control.audio
            for peer in (alice, bob):
                (toggle,) = await peer.wait_push(
                    MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST,
                    media_edge_pb2.PeerProducerToggleBroadcastResponse,
                )
                assert toggle.producer_state.producer_id == producer_id and toggle.producer_state.pause
        assert MediaEvent.HOST_CONTROL_PEER not in bob.pushes


async def test_joins_to_an_inactive_meeting_are_refused_with_a_clear_error(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    r = await live.rest("PATCH", f"/meetings/{meeting}", json={"status": "INACTIVE"})
    assert r.status_code == 200, r.text
    async with peers(live, meeting, "Alice", join=False) as (alice,):
        with anyio.fail_after(10):
            with pytest.raises(EdgeError) as media_refused:
                await alice.request(
                    MediaEvent.JOIN_ROOM,
                    media_edge_pb2.PeerJoinRequest(room_uuid=meeting),
                    media_edge_pb2.PeerJoinResponse,
                )
            assert json.loads(media_refused.value.message)["errorCode"] == "meeting_inactive"
            with pytest.raises(EdgeError) as room_refused:
                await alice.request(
                    RoomEvent.JOIN_ROOM,
                    room_pb2.JoinRoomRequest(peer=room_pb2.Peer()),
                    room_pb2.PeerInfoResponse,
                )
        assert "INACTIVE" in room_refused.value.message
    assert (await live.rest("GET", f"/meetings/{meeting}/active-session")).status_code == 404
    assert "meeting.started" not in live.sink.names()


async def test_the_session_ends_after_the_keep_alive_once_the_last_peer_left(live: LiveEmu) -> None:
    meeting = await live.create_meeting(session_keep_alive_time_in_secs=60)
    async with peers(live, meeting, "Alice") as (alice,):
        session_id = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]["id"]
        with anyio.fail_after(10):
            await alice.request(RoomEvent.LEAVE_ROOM, room_pb2.LeaveRoomRequest(), room_pb2.PeerInfoResponse)
            await alice.closed.wait()
    assert (await live.rest("GET", f"/sessions/{session_id}")).json()["data"]["status"] == "LIVE"
    r = await live.client.post("/_emulator/clock/advance", json={"seconds": 61})
    assert r.status_code == 200, r.text
    session = (await live.rest("GET", f"/sessions/{session_id}")).json()["data"]
    assert session["status"] == "ENDED"
    assert [e["reason"] for e in live.sink.of("meeting.ended")] == ["ALL_PARTICIPANTS_LEFT"]
    participants = (await live.rest("GET", f"/sessions/{session_id}/participants")).json()["data"]
    rows = participants["participants"] if isinstance(participants, dict) else participants
    assert rows and all(row.get("left_at") for row in rows)


async def test_keepalive_ping_gets_a_pong_and_unknown_events_an_error(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", join=False) as (alice,):
        with anyio.fail_after(10):
            await alice._ws.send("2")
            with pytest.raises(EdgeError) as unknown:
                await alice.request(0x0BAD, None, room_pb2.PeerInfoResponse)
            assert "not supported" in unknown.value.message
        assert "3" in alice.texts


async def test_a_dropped_socket_is_a_leave_and_fires_the_participant_left_webhook(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        await bob._ws.close()
        with anyio.fail_after(10):
            (left,) = await alice.wait_push(RoomEvent.LEAVE_ROOM, room_pb2.PeerInfoResponse)
        assert left.peer.peer_id == bob.peer_id
        left_events = live.sink.of("meeting.participantLeft")
        assert [e["participant"]["peerId"] for e in left_events] == [bob.peer_id]
        session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
        assert session["live_participants"] == 1


async def test_a_reconnect_naming_the_old_peer_replaces_it(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        token = bob.url.split("authToken=")[1].split("&")[0]
        again = RawPeer(live.ws_url, meeting, token)
        again.url += f"&oldPeerID={bob.peer_id}"
        try:
            with anyio.fail_after(10):
                await again.connect()
                await bob.closed.wait()
                assert bob.close_code == 4409
                (left,) = await alice.wait_push(RoomEvent.LEAVE_ROOM, room_pb2.PeerInfoResponse)
                assert left.peer.peer_id == bob.peer_id
                await again.join("Bob again")
                (_first, rejoined) = await alice.wait_push(
                    RoomEvent.JOIN_ROOM, room_pb2.PeerInfoResponse, count=2
                )
            assert rejoined.peer.peer_id == again.peer_id
            session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
            assert session["live_participants"] == 2
        finally:
            await again.close()


async def test_sockets_opened_with_ping_true_get_server_pings(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    live.plane.ping_interval = 0.05
    token = (await live.add_participant(meeting, "alice"))["token"]
    alice = RawPeer(live.ws_url, meeting, token, ping=True)
    try:
        with anyio.fail_after(10):
            await alice.connect()
            async with alice._push_arrived:
                await alice._push_arrived.wait_for(lambda: "2" in alice.texts)
    finally:
        await alice.close()


async def test_join_leave_cycles_leave_no_peers_transports_or_tasks_behind(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    token = (await live.add_participant(meeting, "alice"))["token"]
    for _ in range(5):
        peer = RawPeer(live.ws_url, meeting, token)
        try:
            with anyio.fail_after(10):
                await peer.connect()
                await peer.join()
                await peer.publish(ToneTrack())
                await peer.request(
                    MediaEvent.LEAVE_ROOM, media_edge_pb2.PeerLeaveRequest(), media_edge_pb2.PeerLeaveResponse
                )
                await peer.request(
                    RoomEvent.LEAVE_ROOM, room_pb2.LeaveRoomRequest(), room_pb2.PeerInfoResponse
                )
                await peer.closed.wait()
        finally:
            await peer.close()
    plane = live.plane
    with anyio.fail_after(5):
        while plane._tasks:  # the socket handlers' own tasks finish as their sockets close
            await anyio.wait_all_tasks_blocked()
            if plane._tasks:
                await next(iter(plane._tasks))
    assert plane.connections == {} and plane.state.peers == {}
    assert plane.sfu.stats() == {"transports": 0, "producers": 0, "consumers": 0}
    assert live.sink.names().count("meeting.participantLeft") == 5


async def test_a_host_peer_kicks_and_mutes_from_the_socket_and_a_participant_may_not(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    guest_token = (await live.add_participant(meeting, "guest", "Guest", preset="group_call_participant"))[
        "token"
    ]
    guest = RawPeer(live.ws_url, meeting, guest_token)
    async with peers(live, meeting, "Host", "Bob") as (host, bob):
        try:
            with anyio.fail_after(10):
                await guest.connect()
                await guest.join("Guest")
                with pytest.raises(EdgeError, match="kick_participant"):
                    await guest.request(
                        RoomEvent.KICK,
                        room_pb2.RemoveParticipantsRequest(peer_ids=[bob.peer_id]),
                        room_pb2.PeerInfoResponse,
                    )
                producer_id = await guest.publish(ToneTrack())
                await host.request(
                    MediaEvent.HOST_CONTROL_PEER,
                    media_edge_pb2.HostMediaControlForPeerRequest(participant_id=guest.peer_id, audio=True),
                    media_edge_pb2.HostMediaControlForPeerResponse,
                )
                (control,) = await guest.wait_push(
                    MediaEvent.HOST_CONTROL_PEER, media_edge_pb2.HostMediaControlForPeerRequest
                )
                assert control.audio and not control.video
                (toggle,) = await bob.wait_push(
                    MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST,
                    media_edge_pb2.PeerProducerToggleBroadcastResponse,
                )
                assert toggle.producer_state.producer_id == producer_id and toggle.producer_state.pause
                assert toggle.initiator_participant_id == host.peer_id
                await host.request(
                    RoomEvent.KICK,
                    room_pb2.RemoveParticipantsRequest(peer_ids=[guest.peer_id]),
                    room_pb2.PeerInfoResponse,
                )
                await guest.wait_push(RoomEvent.KICK, room_pb2.PeerInfoResponse)
                await guest.closed.wait()
                assert guest.close_code == 4000
                (left,) = await bob.wait_push(RoomEvent.LEAVE_ROOM, room_pb2.PeerInfoResponse)
                assert left.peer.peer_id == guest.peer_id
                await host.request(
                    RoomEvent.KICK_ALL, media_edge_pb2.KickAllPeersRequest(), room_pb2.PeerInfoResponse
                )
                for peer in (host, bob):
                    await peer.wait_push(RoomEvent.KICK_ALL, room_pb2.PeerInfoResponse)
                    await peer.closed.wait()
            assert (await live.rest("GET", f"/meetings/{meeting}/active-session")).status_code == 404
        finally:
            await guest.close()


async def test_stopping_the_server_closes_live_sockets_and_peers_leave() -> None:
    sink = RecordingEventSink()
    app = create_app(EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN), sink=sink)
    async with serve_app(app, host="127.0.0.1", port=0) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=running.origin, headers=headers) as client:
            other = LiveEmu(running.origin, client, sink, app)
            meeting = await other.create_meeting()
            peer = RawPeer(other.ws_url, meeting, (await other.add_participant(meeting, "alice"))["token"])
            with anyio.fail_after(10):
                await peer.connect()
                await peer.join()
                await peer.publish(ToneTrack())
    try:
        with anyio.fail_after(10):
            await peer.closed.wait()
        assert sink.names().count("meeting.participantLeft") == 1
        assert live_plane(app).sfu.stats() == {"transports": 0, "producers": 0, "consumers": 0}
    finally:
        await peer.close()


async def test_a_control_plane_reset_closes_live_sockets(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice") as (alice,):
        r = await live.client.post("/_emulator/reset")
        assert r.status_code == 200, r.text
        with anyio.fail_after(10):
            await alice.wait_push(RoomEvent.KICK_ALL, room_pb2.PeerInfoResponse)
            await alice.closed.wait()
        assert alice.close_code == 4001
        assert live.plane.connections == {} and live.plane.state.rooms == {}


async def test_the_control_plane_shows_who_is_connected_and_what_they_publish(live: LiveEmu) -> None:
    empty = (await live.client.get("/_emulator/live")).json()["data"]
    assert empty == {"rooms": [], "sfu": {"transports": 0, "producers": 0, "consumers": 0}}
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice", "Bob") as (alice, bob):
        with anyio.fail_after(10):
            producer_id = await alice.publish(ToneTrack())
            await bob.subscribe(alice.peer_id, producer_id)
        data = (await live.client.get("/_emulator/live")).json()["data"]
    (room,) = data["rooms"]
    assert room["meeting_id"] == meeting
    by_name = {p["display_name"]: p for p in room["peers"]}
    assert by_name["Alice"]["producers"] == [
        {"id": producer_id, "kind": "audio", "paused": False, "forwarded": True, "subscribers": 1}
    ]
    assert by_name["Bob"]["consumers"] == 1 and by_name["Bob"]["room_joined"]
    assert data["sfu"] == {"transports": 4, "producers": 1, "consumers": 1}


async def test_the_join_page_describes_the_meeting_without_echoing_the_token(live: LiveEmu) -> None:
    meeting = await live.create_meeting(title="<b>Standup</b>")
    token = (await live.add_participant(meeting, "alice", "Alice"))["token"]
    async with httpx.AsyncClient(base_url=live.origin) as anonymous:
        page = await anonymous.get("/_emulator/join", params={"authToken": token})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "&lt;b&gt;Standup&lt;/b&gt;" in page.text and "<b>Standup</b>" not in page.text
        assert "Alice" in page.text and "group_call_host" in page.text
        assert f"{live.ws_url}?roomID={meeting}" in page.text.replace("&amp;", "&")
        assert token not in page.text
        await live.rest("PATCH", f"/meetings/{meeting}", json={"status": "INACTIVE"})
        inactive = await anonymous.get("/_emulator/join", params={"authToken": token})
        assert "INACTIVE" in inactive.text
        refused = await anonymous.get("/_emulator/join", params={"authToken": "nope"})
        assert refused.status_code == 401 and "Invalid participant token" in refused.text


async def test_another_participant_cannot_take_over_or_replace_a_peer(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with peers(live, meeting, "Alice") as (alice,):
        mallory_token = (await live.add_participant(meeting, "mallory"))["token"]
        with anyio.fail_after(10), pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                f"{live.ws_url}?roomID={meeting}&peerID={alice.peer_id}&authToken={mallory_token}"
            )
        assert refused.value.response.status_code == 409
        mallory = RawPeer(live.ws_url, meeting, mallory_token)
        mallory.url += f"&oldPeerID={alice.peer_id}"
        try:
            with anyio.fail_after(10):
                await mallory.connect()
                await mallory.join("Mallory")
                (joined,) = await alice.wait_push(RoomEvent.JOIN_ROOM, room_pb2.PeerInfoResponse)
            assert joined.peer.peer_id == mallory.peer_id
            assert not alice.closed.is_set()
        finally:
            await mallory.close()
