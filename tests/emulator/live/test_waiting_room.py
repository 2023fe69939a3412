"""The waiting room over real sockets: held joins, host pushes, admit, deny, SKIP_ON_ACCEPT, refusals."""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, plugin_pb2, room_pb2
from realtimekit_mcp.protocol.events import ChatEvent, MediaEvent, PluginEvent, RoomEvent
from tests.presets import make_preset

from .conftest import LiveEmu
from .hostkit import connect, media_refused, raw_request, refused, room_join, waitlist_of
from .rawpeer import EdgeError, RawPeer

pytestmark = pytest.mark.anyio


async def _waitlist(peer: RawPeer, count: int) -> list[str]:
    """The display names of the ``count``-th waitlist push the host got."""
    pushes = await peer.wait_push(RoomEvent.GET_WAITING_ROOM_REQUESTS, room_pb2.GetWaitingRoomRequests, count)
    return waitlist_of(pushes[-1])


async def test_a_host_admits_one_waitlisted_guest_and_rejects_another(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    lobby = await make_preset(live, "lobby_guest", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await connect(live, meeting, "host", "group_call_host")
    ann = await connect(live, meeting, "ann", lobby)
    ben = await connect(live, meeting, "ben", lobby)
    try:
        with anyio.fail_after(15):
            await host.join("Host")
            held = await room_join(ann, "Ann")
            assert held.waitlisted and held.user_id
            assert await _waitlist(host, 1) == ["Ann"]
            assert (await room_join(ben, "Ben")).waitlisted
            assert await _waitlist(host, 2) == ["Ann", "Ben"]
            listed = await host.request(
                RoomEvent.GET_WAITING_ROOM_REQUESTS, None, room_pb2.GetWaitingRoomRequests
            )
            assert [(r.display_name, r.preset_name) for r in listed.requests] == [
                ("Ann", lobby),
                ("Ben", lobby),
            ]
            # Waitlisted: not in the room, no media, no chat, not in the session.
            with pytest.raises(EdgeError, match="already waiting"):
                await room_join(ann, "Ann")
            assert "waiting room" in await media_refused(
                ann, MediaEvent.SELF_JOIN_COMPLETE, media_edge_pb2.PeerJoinCompleteRequest()
            )
            assert (
                "joinRoom"
                in (
                    await refused(
                        ann, ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest()
                    )
                ).message
            )
            peers = await host.request(
                RoomEvent.GET_ROOM_PEERS_INFO, room_pb2.RoomPeersInfoRequest(), room_pb2.RoomPeersInfoResponse
            )
            assert [p.peer_id for p in peers.peers] == [host.peer_id]
            session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
            assert session["live_participants"] == 1

            # Admit Ann: she is told, sends joinRoom again (as the SDK does) and joins for real.
            got, _ = await raw_request(
                host,
                RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
                room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id]),
            )
            assert got == RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS  # the ack
            await ann.wait_push(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, room_pb2.PeerInfoResponse)
            assert await _waitlist(host, 3) == ["Ben"]
            complete = await ann.join("Ann")
            assert [p.peer_id for p in complete.participants] == [host.peer_id]
            (joined,) = await host.wait_push(RoomEvent.JOIN_ROOM, room_pb2.PeerInfoResponse)
            assert joined.peer.peer_id == ann.peer_id and not joined.peer.waitlisted

            # Reject Ben (by peer id): he is told and his socket closes.
            await host.send(
                RoomEvent.DENY_WAITING_ROOM_REQUESTS, room_pb2.DenyWaitingRoomRequests(user_ids=[ben.peer_id])
            )
            await ben.wait_push(RoomEvent.WAITING_ROOM_REQUEST_DENIED, room_pb2.PeerInfoResponse)
            await ben.closed.wait()
            assert ben.close_code == 4003
            assert await _waitlist(host, 4) == []
        session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]
        assert session["live_participants"] == 2
        participants = (await live.rest("GET", f"/sessions/{session['id']}/participants")).json()["data"]
        names = sorted(p.get("display_name") or p.get("name") for p in participants["participants"])
        assert names == ["Ann", "Host"]
        assert live.sink.names().count("meeting.participantJoined") == 2
    finally:
        for peer in (host, ann, ben):
            await peer.close()


async def test_skip_on_accept_lets_an_admitted_participant_back_in_directly(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    once = await make_preset(live, "lobby_once", waiting_room_type="SKIP_ON_ACCEPT")
    always = await make_preset(live, "lobby_always", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await connect(live, meeting, "host", "group_call_host")
    cora_token = (await live.add_participant(meeting, "cora", "Cora", preset=once))["token"]
    dan_token = (await live.add_participant(meeting, "dan", "Dan", preset=always))["token"]
    sockets: list[RawPeer] = [host]
    try:
        with anyio.fail_after(15):
            await host.join("Host")
            for token, name in ((cora_token, "Cora"), (dan_token, "Dan")):
                first = RawPeer(live.ws_url, meeting, token)
                sockets.append(first)
                await first.connect()
                held = await room_join(first, name)
                assert held.waitlisted
                await host.request(
                    RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
                    room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id]),
                    room_pb2.PeerInfoResponse,
                )
                await first.wait_push(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, room_pb2.PeerInfoResponse)
                await first.join(name)
                await first.close()
            again = RawPeer(live.ws_url, meeting, cora_token)
            sockets.append(again)
            await again.connect()
            assert not (await room_join(again, "Cora")).waitlisted  # SKIP_ON_ACCEPT: admitted once
            dan_again = RawPeer(live.ws_url, meeting, dan_token)
            sockets.append(dan_again)
            await dan_again.connect()
            assert (await room_join(dan_again, "Dan")).waitlisted  # every entry waits
    finally:
        for peer in sockets:
            await peer.close()


async def test_waiting_room_requests_are_refused_clearly_and_never_with_an_internal_error(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    lobby = await make_preset(live, "lobby_guest", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await connect(live, meeting, "host", "group_call_host")
    member = await connect(live, meeting, "member", "group_call_participant")
    guest = await connect(live, meeting, "guest", lobby)
    try:
        with anyio.fail_after(15):
            await host.join("Host")
            await member.join("Member")
            held = await room_join(guest, "Guest")
            accept = RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS
            deny = RoomEvent.DENY_WAITING_ROOM_REQUESTS
            for event in (accept, deny):
                error = await refused(
                    member, event, room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id])
                )
                assert error.code == 403 and "accept_waiting_requests" in error.message
            error = await refused(member, RoomEvent.GET_WAITING_ROOM_REQUESTS, None)
            assert error.code == 403
            error = await refused(host, accept, room_pb2.AcceptWaitingRoomRequests(user_ids=["nobody"]))
            assert error.code == 404 and "nobody" in error.message
            error = await refused(host, deny, room_pb2.DenyWaitingRoomRequests())
            assert error.code == 400
            error = await refused(host, accept, b"\xff\xff\xff")
            assert error.code == 400
            # A refused request without an id is dropped (logged); the guest is still waiting.
            await member.send(deny, room_pb2.DenyWaitingRoomRequests(user_ids=[held.user_id]))
            error = await refused(guest, accept, room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id]))
            assert error.code == 409  # the waitlisted guest is no room member
            listed = await host.request(
                RoomEvent.GET_WAITING_ROOM_REQUESTS, None, room_pb2.GetWaitingRoomRequests
            )
            assert waitlist_of(listed) == ["Guest"]
            # The waitlisted guest's socket drops: the hosts' list empties.
            await guest.close()
            pushes = await host.wait_push(
                RoomEvent.GET_WAITING_ROOM_REQUESTS, room_pb2.GetWaitingRoomRequests, 2
            )
            assert waitlist_of(pushes[-1]) == []
        assert not guest.pushes[RoomEvent.WAITING_ROOM_REQUEST_DENIED]
        assert live.sink.names().count("meeting.participantJoined") == 2
    finally:
        for peer in (host, member, guest):
            await peer.close()


async def test_only_a_dropped_connection_may_come_back_past_the_waiting_room(live: LiveEmu) -> None:
    # A reconnect naming its old peer (oldPeerID) skips the waiting room; a kicked peer's does not.
    meeting = await live.create_meeting()
    lobby = await make_preset(live, "lobby_kick", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await connect(live, meeting, "host", "group_call_host")
    token = (await live.add_participant(meeting, "guest", "Guest", preset=lobby))["token"]
    guest = RawPeer(live.ws_url, meeting, token)
    sockets = [host, guest]

    async def socket(old_peer_id: str | None = None) -> RawPeer:
        peer = RawPeer(live.ws_url, meeting, token)
        if old_peer_id:
            peer.url += f"&oldPeerID={old_peer_id}"
        sockets.append(peer)
        await peer.connect()
        return peer

    try:
        with anyio.fail_after(30):
            await host.join("Host")
            await guest.connect()
            held = await room_join(guest, "Guest")
            assert held.waitlisted
            await raw_request(
                host,
                RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
                room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id]),
            )
            await guest.wait_push(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, room_pb2.PeerInfoResponse)
            assert not (await room_join(guest, "Guest")).waitlisted
            # The connection drops: the same participant naming the dropped peer comes straight back.
            await guest.close()
            back = await socket(guest.peer_id)
            assert not (await room_join(back, "Guest")).waitlisted
            # The host kicks it: naming the kicked peer no longer skips the waiting room.
            await host.request(
                RoomEvent.KICK,
                room_pb2.RemoveParticipantsRequest(peer_ids=[back.peer_id]),
                room_pb2.PeerInfoResponse,
            )
            await back.closed.wait()
            assert back.close_code == 4000
            again = await socket(back.peer_id)
            assert (await room_join(again, "Guest")).waitlisted
    finally:
        for peer in sockets:
            await peer.close()


async def test_a_peer_in_the_waiting_room_reads_no_chat_no_room_stores_and_nobody_else(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    lobby = await make_preset(live, "lobby_reads", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await connect(live, meeting, "host", "group_call_host")
    guest = await connect(live, meeting, "guest", lobby)
    board = plugin_pb2.PluginStoreGetKeysRequest(plugin_id="wb", store_name="board")
    try:
        with anyio.fail_after(20):
            await host.join("Host")
            await host.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="secret plan")
            )
            await host.request(
                PluginEvent.STORE_INSERT_KEYS,
                plugin_pb2.PluginStoreInsertKeysRequest(
                    plugin_id="wb",
                    store_name="board",
                    insert_keys=[plugin_pb2.StoreKeys(store_key="k", payload=b'"private note"')],
                ),
                plugin_pb2.PluginStoreResponse,
            )
            # Not joined yet, then waiting: nothing of the room is readable.
            for stage in ("before the join request", "in the waiting room"):
                if stage == "in the waiting room":
                    held = await room_join(guest, "Guest")
                    assert held.waitlisted
                history = await guest.request(ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse)
                assert list(history.messages) == [], stage
                store = await guest.request(PluginEvent.STORE_GET_KEYS, board, plugin_pb2.PluginStoreResponse)
                assert list(store.store_items) == [], stage
                with pytest.raises(EdgeError, match="No peer"):
                    await guest.request(
                        RoomEvent.GET_PEER_INFO,
                        room_pb2.GetPeerInfoRequest(peer_id=host.peer_id),
                        room_pb2.PeerInfoResponse,
                    )
                me = await guest.request(
                    RoomEvent.GET_PEER_INFO, room_pb2.GetPeerInfoRequest(), room_pb2.PeerInfoResponse
                )
                assert me.peer.peer_id == guest.peer_id
            # Admitted and in: the room's chat and stores are there.
            await raw_request(
                host,
                RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
                room_pb2.AcceptWaitingRoomRequests(user_ids=[held.user_id]),
            )
            await guest.wait_push(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, room_pb2.PeerInfoResponse)
            assert not (await room_join(guest, "Guest")).waitlisted
            history = await guest.request(ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse)
            assert [m.payload for m in history.messages] == ["secret plan"]
            store = await guest.request(PluginEvent.STORE_GET_KEYS, board, plugin_pb2.PluginStoreResponse)
            assert [(i.store_key, i.payload) for i in store.store_items] == [("k", b'"private note"')]
    finally:
        for peer in (host, guest):
            await peer.close()
