"""Pin, active speaker, stage and the screenshare permission over real sockets and WebRTC."""

from __future__ import annotations

import json

import anyio
import pytest

from realtimekit_mcp.protocol import livestreaming_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent, RoomEvent

from .conftest import LiveEmu
from .hostkit import connect, media_refused, raw_request, refused
from .rawpeer import RawPeer, ToneTrack

pytestmark = pytest.mark.anyio


async def test_a_pin_reaches_everyone_new_joiners_learn_it_and_it_clears_when_the_peer_leaves(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    host = await connect(live, meeting, "host", "group_call_host")
    bob = await connect(live, meeting, "bob", "group_call_participant")
    carol = await connect(live, meeting, "carol", "group_call_participant")
    try:
        with anyio.fail_after(15):
            for peer, name in ((host, "Host"), (bob, "Bob")):
                await peer.join(name)
            pin = MediaEvent.GLOBAL_PIN_PEER
            await host.request(
                pin,
                media_edge_pb2.GlobalPeerPinningRequest(participant_id=bob.peer_id),
                media_edge_pb2.GlobalPeerPinningResponse,
            )
            for peer in (host, bob):
                (push,) = await peer.wait_push(
                    MediaEvent.GLOBAL_PEER_PIN_BROADCAST, media_edge_pb2.GlobalPeerPinningBroadcastResponse
                )
                assert push.participant_id == bob.peer_id
            complete = await carol.join("Carol")
            assert list(complete.room_state.pinned_peer_ids) == [bob.peer_id]
            # A participant without pin_participant, an unknown peer, bad bytes: clear media errors.
            error = await media_refused(
                carol, pin, media_edge_pb2.GlobalPeerPinningRequest(participant_id=host.peer_id)
            )
            assert "pin_participant" in error
            error = await media_refused(
                host, pin, media_edge_pb2.GlobalPeerPinningRequest(participant_id="ghost")
            )
            assert "ghost" in error and "internal" not in error
            assert "decoding_error" in await media_refused(host, pin, b"\xff\xff")
            await bob.close()
            pushes = await carol.wait_push(
                MediaEvent.GLOBAL_PEER_PIN_BROADCAST, media_edge_pb2.GlobalPeerPinningBroadcastResponse
            )
            assert pushes[-1].participant_id == ""  # unpinned: the pinned peer left
        room = live.plane.state.rooms[meeting]
        assert room.pinned_peer_id is None
    finally:
        for peer in (host, bob, carol):
            await peer.close()


async def test_audio_activity_makes_the_speaker_the_active_speaker_of_the_others(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = await connect(live, meeting, "alice", "group_call_host")
    bob = await connect(live, meeting, "bob", "group_call_host")
    try:
        with anyio.fail_after(15):
            await alice.join("Alice")
            await bob.join("Bob")
            producer_id = await alice.publish(ToneTrack())
            activity = media_pb2.AudioActivityRequest(producer_id=producer_id, energy=80, silent=True)
            await alice.send(MediaEvent.AUDIO_ACTIVITY, activity)  # silence: nothing is announced
            activity.silent = False
            await alice.send(MediaEvent.AUDIO_ACTIVITY, activity)
            await alice.send(MediaEvent.AUDIO_ACTIVITY, activity)  # still the speaker: announced once
            (diff,) = await bob.wait_push(
                MediaEvent.SELECTED_PEER_DIFF, media_edge_pb2.SelectedPeersDiffResponse
            )
            assert [(e.peer_id, e.priority) for e in diff.entries] == [(alice.peer_id, 1)]
            error = await media_refused(
                bob, MediaEvent.AUDIO_ACTIVITY, media_pb2.AudioActivityRequest(producer_id=producer_id)
            )
            assert producer_id in error  # not bob's producer
            # Bob speaks: he becomes the speaker; alice hears of it.
            bob_producer = await bob.publish(ToneTrack(660))
            await bob.send(
                MediaEvent.AUDIO_ACTIVITY, media_pb2.AudioActivityRequest(producer_id=bob_producer)
            )
            (diff,) = await alice.wait_push(
                MediaEvent.SELECTED_PEER_DIFF, media_edge_pb2.SelectedPeersDiffResponse
            )
            assert diff.entries[0].peer_id == bob.peer_id
        assert len(bob.pushes[MediaEvent.SELECTED_PEER_DIFF]) == 1
    finally:
        for peer in (alice, bob):
            await peer.close()


async def test_screen_sharing_needs_the_presets_screenshare_permission(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    viewer = await connect(live, meeting, "viewer", "webinar_participant")  # screenshare: CAN_REQUEST
    try:
        with anyio.fail_after(15):
            await viewer.join("Viewer")
            request = media_edge_pb2.ProducerCreateRequest(
                kind="video",
                screen_share=True,
                description=media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="offer", sdp="v=0"),
                app_data=json.dumps({"screenShare": True}),
            )
            error = await media_refused(viewer, MediaEvent.PRODUCE, request)
            assert "media.screenshare.can_produce is CAN_REQUEST" in error
    finally:
        await viewer.close()


async def _stage_update(peer: RawPeer, count: int) -> room_pb2.PeerStatusUpdate:
    pushes = await peer.wait_push(RoomEvent.PEER_STAGE_STATUS_UPDATE, room_pb2.PeerStatusUpdate, count)
    return pushes[-1]


async def test_stage_requests_are_granted_or_denied_by_a_webinar_host(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    host = await connect(live, meeting, "host", "webinar_host")
    ann = await connect(live, meeting, "ann", "webinar_participant")
    ben = await connect(live, meeting, "ben", "webinar_participant")
    plain = await connect(live, meeting, "plain", "group_call_participant")
    try:
        with anyio.fail_after(20):
            await host.join("Host")
            await ann.join("Ann")
            await ben.join("Ben")
            await plain.join("Plain")
            info = await ann.request(
                RoomEvent.GET_PEER_INFO, room_pb2.GetPeerInfoRequest(), room_pb2.PeerInfoResponse
            )
            assert info.peer.stage_type == room_pb2.STAGE_TYPE_OFF_STAGE
            info = await host.request(
                RoomEvent.GET_PEER_INFO, room_pb2.GetPeerInfoRequest(), room_pb2.PeerInfoResponse
            )
            assert info.peer.stage_type == room_pb2.STAGE_TYPE_ON_STAGE

            # Ann asks, the host (pushed the request list) grants; Ann joins the stage.
            got, body = await raw_request(ann, RoomEvent.REQUEST_STAGE_ACCESS, None)
            assert got == RoomEvent.REQUEST_STAGE_ACCESS
            (requests,) = await host.wait_push(
                RoomEvent.GET_STAGE_REQUESTS, livestreaming_pb2.GetStageRequestsResponse
            )
            assert [(r.display_name, r.peer_id) for r in requests.stage_requests] == [("Ann", ann.peer_id)]
            update = await _stage_update(host, 1)
            assert update.peer_id == ann.peer_id and update.stage_type == room_pb2.STAGE_TYPE_REQUESTED_STAGE
            error = await refused(
                ben,
                RoomEvent.GRANT_STAGE_ACCESS,
                livestreaming_pb2.GrantStageAccessRequest(user_ids=[update.user_id]),
            )
            assert error.code == 403 and "accept_stage_requests" in error.message
            got, _ = await raw_request(
                host,
                RoomEvent.GRANT_STAGE_ACCESS,
                livestreaming_pb2.GrantStageAccessRequest(user_ids=[update.user_id]),
            )
            assert got == RoomEvent.GRANT_STAGE_ACCESS
            await ann.wait_push(RoomEvent.GRANT_STAGE_ACCESS, room_pb2.PeerStatusUpdate)
            assert (await _stage_update(ann, 2)).stage_type == room_pb2.STAGE_TYPE_APPROVED_STAGE
            got, body = await raw_request(ann, RoomEvent.JOIN_STAGE, None)
            assert got == RoomEvent.PEER_STAGE_STATUS_UPDATE  # the SDK awaits its stage update
            joined = room_pb2.PeerStatusUpdate()
            joined.ParseFromString(body)
            assert joined.peer_id == ann.peer_id and joined.stage_type == room_pb2.STAGE_TYPE_ON_STAGE
            stage = await ben.request(
                RoomEvent.GET_STAGE_PEERS, None, livestreaming_pb2.GetStagePeersResponse
            )
            assert set(stage.stage_peers) == {host.peer_id, ann.peer_id}

            # Ben asks, the host denies; Ben may not join the stage.
            await ben.send(RoomEvent.REQUEST_STAGE_ACCESS, None)
            await host.wait_push(RoomEvent.GET_STAGE_REQUESTS, livestreaming_pb2.GetStageRequestsResponse, 3)
            state = await host.request(
                RoomEvent.GET_ROOM_STAGE_STATE, None, room_pb2.GetRoomStageStateResponse
            )
            assert list(state.requested_stage_peers) == [ben.peer_id]
            await host.request(
                RoomEvent.DENY_STAGE_ACCESS,
                livestreaming_pb2.DenyStageAccessRequest(user_ids=[ben.peer_id]),
                room_pb2.PeerStatusUpdate,
            )
            await ben.wait_push(RoomEvent.DENY_STAGE_ACCESS, room_pb2.PeerStatusUpdate)
            error = await refused(ben, RoomEvent.JOIN_STAGE, None)
            assert error.code == 403
            state = await host.request(
                RoomEvent.GET_ROOM_STAGE_STATE, None, room_pb2.GetRoomStageStateResponse
            )
            assert list(state.requested_stage_peers) == [] and set(state.on_stage_peers) == {
                host.peer_id,
                ann.peer_id,
            }

            # The host takes Ann off the stage; bad input is refused clearly.
            await host.request(
                RoomEvent.LEAVE_STAGE,
                livestreaming_pb2.LeaveStageRequest(user_ids=[ann.peer_id]),
                room_pb2.PeerStatusUpdate,
            )
            off = await ann.wait_push(RoomEvent.PEER_STAGE_STATUS_UPDATE, room_pb2.PeerStatusUpdate, 5)
            assert off[-1].peer_id == ann.peer_id and off[-1].stage_type == room_pb2.STAGE_TYPE_OFF_STAGE
            error = await refused(
                ben, RoomEvent.LEAVE_STAGE, livestreaming_pb2.LeaveStageRequest(user_ids=[host.peer_id])
            )
            assert error.code == 403
            error = await refused(
                host,
                RoomEvent.GRANT_STAGE_ACCESS,
                livestreaming_pb2.GrantStageAccessRequest(user_ids=["ghost"]),
            )
            assert error.code == 404 and "ghost" in error.message
            error = await refused(host, RoomEvent.DENY_STAGE_ACCESS, b"\xff\xff")
            assert error.code == 400
            error = await refused(plain, RoomEvent.REQUEST_STAGE_ACCESS, None)
            assert error.code == 403 and "stage_enabled" in error.message
    finally:
        for peer in (host, ann, ben, plain):
            await peer.close()
