"""Stage-gated media over raw sockets and real WebRTC: a webinar participant produces only on stage.

Off the stage a stage preset's produce is refused (media ERROR_RESPONSE ``not_on_stage``; a
screenshare with ``can_produce`` CAN_REQUEST says it needs the stage); on the stage audio, video
and a screenshare are accepted; leaving the stage (or a host taking the peer off it) closes the
peer's producers for everyone, and the peer's own later closeProducer is answered normally.
Bad input gets a client-side error, never an internal one.
"""

from __future__ import annotations

import json

import anyio
import pytest
from aiortc import RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamTrack

from realtimekit_mcp.protocol import livestreaming_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent, RoomEvent

from .conftest import LiveEmu
from .hostkit import connect, media_refused, raw_request, room_join
from .rawpeer import RawPeer, ToneTrack

pytestmark = pytest.mark.anyio


async def _create_request(
    peer: RawPeer, track: MediaStreamTrack, *, screen_share: bool = False
) -> tuple[media_edge_pb2.ProducerCreateRequest, str]:
    """A produce request with a real offer for ``track``; returns it and the track's mid."""
    transceiver = peer.send_pc.addTransceiver(track, direction="sendonly")
    sdp = await peer.offer(peer.send_pc)
    request = media_edge_pb2.ProducerCreateRequest(
        kind=track.kind,
        screen_share=screen_share,
        description=media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="offer", sdp=sdp),
        app_data=json.dumps({"screenShare": screen_share, "mid": transceiver.mid}),
        producing_transport_id=peer.send_transport_id,
    )
    return request, str(transceiver.mid)


async def _produce(peer: RawPeer, track: MediaStreamTrack, *, screen_share: bool = False) -> tuple[str, str]:
    """Produce ``track`` (applying the answer); returns the producer id and the mid."""
    request, mid = await _create_request(peer, track, screen_share=screen_share)
    response = await peer.request(MediaEvent.PRODUCE, request, media_edge_pb2.ProducerCreateResponse)
    await peer.send_pc.setRemoteDescription(
        RTCSessionDescription(sdp=response.description.sdp, type="answer")
    )
    return response.producer_id, mid


async def _close(peer: RawPeer, producer_id: str, mid: str) -> media_edge_pb2.ProducerClosingResponse:
    """The client's closeProducer: inactive transceiver, new offer, apply the server's answer."""
    transceiver = next(t for t in peer.send_pc.getTransceivers() if t.mid == mid)
    transceiver.direction = "inactive"
    sdp = await peer.offer(peer.send_pc)
    response = await peer.request(
        MediaEvent.CLOSE_PRODUCER,
        media_edge_pb2.ProducerCloseRequest(
            producer_id=producer_id,
            description=media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="offer", sdp=sdp),
            producing_transport_id=peer.send_transport_id,
        ),
        media_edge_pb2.ProducerClosingResponse,
    )
    await peer.send_pc.setRemoteDescription(
        RTCSessionDescription(sdp=response.description.sdp, type="answer")
    )
    return response


async def _onto_stage(host: RawPeer, peer: RawPeer) -> None:
    """The peer asks, the host grants, the peer joins the stage."""
    await peer.request(RoomEvent.REQUEST_STAGE_ACCESS, None, livestreaming_pb2.GetStageRequestsResponse)
    info = await peer.request(
        RoomEvent.GET_PEER_INFO, room_pb2.GetPeerInfoRequest(), room_pb2.PeerInfoResponse
    )
    await host.request(
        RoomEvent.GRANT_STAGE_ACCESS,
        livestreaming_pb2.GrantStageAccessRequest(user_ids=[info.peer.user_id]),
        room_pb2.PeerStatusUpdate,
    )
    got, body = await raw_request(peer, RoomEvent.JOIN_STAGE, None)
    assert got == RoomEvent.PEER_STAGE_STATUS_UPDATE
    update = room_pb2.PeerStatusUpdate()
    update.ParseFromString(body)
    assert update.stage_type == room_pb2.STAGE_TYPE_ON_STAGE


def _closed_ids(peer: RawPeer) -> list[str]:
    out = []
    for payload in peer.pushes[MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST]:
        push = media_edge_pb2.PeerProducerCloseBroadcastResponse()
        push.ParseFromString(payload or b"")
        out.append(push.producer_state.producer_id)
    return out


async def _wait_closed(peer: RawPeer, count: int) -> list[str]:
    await peer.wait_push(
        MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, media_edge_pb2.PeerProducerCloseBroadcastResponse, count
    )
    return _closed_ids(peer)


async def test_a_webinar_participant_produces_only_on_the_stage_and_its_media_closes_when_it_leaves(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    host = await connect(live, meeting, "host", "webinar_host")
    viewer = await connect(live, meeting, "viewer", "webinar_participant")
    ann = await connect(live, meeting, "ann", "webinar_participant")
    sfu = live.plane.sfu
    try:
        with anyio.fail_after(30):
            for peer, name in ((host, "Host"), (viewer, "Viewer"), (ann, "Ann")):
                await peer.join(name)
            # Off the stage: audio and video are refused with not_on_stage, a screenshare names
            # its CAN_REQUEST permission; nothing reaches the SFU or the host.
            for track in (ToneTrack(), VideoStreamTrack()):
                request, _ = await _create_request(viewer, track)
                error = json.loads(await media_refused(viewer, MediaEvent.PRODUCE, request))
                assert error["errorCode"] == "not_on_stage", error
                assert "OFF_STAGE" in error["errorDescription"] and "joinStage" in error["errorDescription"]
            request, _ = await _create_request(viewer, VideoStreamTrack(), screen_share=True)
            error = json.loads(await media_refused(viewer, MediaEvent.PRODUCE, request))
            assert error["errorCode"] == "not_allowed"
            assert "CAN_REQUEST, which allows it on the stage only" in error["errorDescription"]
            assert sfu.producers_of(viewer.peer_id) == []
            assert host.pushes[MediaEvent.PEER_PRODUCER_CREATE_BROADCAST] == []

            # On the stage (a peer whose offers were all accepted): audio and a screenshare.
            await _onto_stage(host, ann)
            audio_id, audio_mid = await _produce(ann, ToneTrack())
            share_id, share_mid = await _produce(ann, VideoStreamTrack(), screen_share=True)
            created = await host.wait_push(
                MediaEvent.PEER_PRODUCER_CREATE_BROADCAST,
                media_edge_pb2.PeerProducerCreateBroadcastResponse,
                2,
            )
            assert {(c.producer_state.producer_id, c.producer_state.screen_share) for c in created} == {
                (audio_id, False),
                (share_id, True),
            }

            # Ann leaves the stage: the server closes both producers and tells the host.
            got, _ = await raw_request(
                ann, RoomEvent.LEAVE_STAGE, livestreaming_pb2.LeaveStageRequest(user_ids=[])
            )
            assert got == RoomEvent.PEER_STAGE_STATUS_UPDATE
            assert sorted(await _wait_closed(host, 2)) == sorted([audio_id, share_id])
            assert sfu.producers_of(ann.peer_id) == []
            # The SDK cleans up its media itself after leaveStage: a pause is acknowledged and a
            # close answered, not an error, and nothing new reaches the host.
            await ann.request(
                MediaEvent.TOGGLE_PRODUCER,
                media_edge_pb2.ProducerToggleRequest(producer_id=audio_id, pause=True),
                media_edge_pb2.ProducerToggleResponse,
            )
            response = await _close(ann, audio_id, audio_mid)
            assert response.description.type == "answer" and "m=audio" in response.description.sdp
            await _close(ann, share_id, share_mid)
            # Closing it again, or closing what never existed: a clear not-found, not a 5xx.
            for producer_id in (audio_id, "no-such-producer"):
                error = json.loads(
                    await media_refused(
                        ann,
                        MediaEvent.CLOSE_PRODUCER,
                        media_edge_pb2.ProducerCloseRequest(producer_id=producer_id),
                    )
                )
                assert error["errorCode"] == "not_found_track_error", error
            assert len(_closed_ids(host)) == 2
            assert host.pushes[MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST] == []
            # Off the stage again: refused again.
            request, _ = await _create_request(ann, ToneTrack())
            assert "not_on_stage" in await media_refused(ann, MediaEvent.PRODUCE, request)
    finally:
        for peer in (host, viewer, ann):
            await peer.close()


async def test_a_host_taking_a_peer_off_the_stage_closes_its_producers_for_everyone(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    host = await connect(live, meeting, "host", "webinar_host")
    ann = await connect(live, meeting, "ann", "webinar_participant")
    ben = await connect(live, meeting, "ben", "webinar_participant")
    try:
        with anyio.fail_after(30):
            for peer, name in ((host, "Host"), (ann, "Ann"), (ben, "Ben")):
                await peer.join(name)
            await _onto_stage(host, ann)
            producer_id, mid = await _produce(ann, ToneTrack())
            host_producer = await host.publish(ToneTrack(660))  # ALLOWED: on the stage from the start
            info = await ann.request(
                RoomEvent.GET_PEER_INFO, room_pb2.GetPeerInfoRequest(), room_pb2.PeerInfoResponse
            )
            await host.request(
                RoomEvent.LEAVE_STAGE,
                livestreaming_pb2.LeaveStageRequest(user_ids=[info.peer.user_id]),
                room_pb2.PeerStatusUpdate,
            )
            for other in (host, ben):
                assert await _wait_closed(other, 1) == [producer_id]
            # Ann's own updates: requested, approved (the join was a reply), then off.
            updates = await ann.wait_push(RoomEvent.PEER_STAGE_STATUS_UPDATE, room_pb2.PeerStatusUpdate, 3)
            assert (updates[-1].peer_id, updates[-1].stage_type) == (
                ann.peer_id,
                room_pb2.STAGE_TYPE_OFF_STAGE,
            )
            await _close(ann, producer_id, mid)  # the client's own cleanup still gets its answer
            assert [p.id for p in live.plane.sfu.producers_of(host.peer_id)] == [host_producer]
            assert live.plane.sfu.producers_of(ann.peer_id) == []
            # Ben, never on the stage, is refused; a bad payload is a decoding error.
            request, _ = await _create_request(ben, ToneTrack())
            assert "not_on_stage" in await media_refused(ben, MediaEvent.PRODUCE, request)
            assert "decoding_error" in await media_refused(ben, MediaEvent.PRODUCE, b"\xff\xff\xff")
    finally:
        for peer in (host, ann, ben):
            await peer.close()


async def test_a_stage_preset_cannot_produce_before_its_room_join_and_group_calls_are_unaffected(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    early = await connect(live, meeting, "early", "webinar_host")
    plain = await connect(live, meeting, "plain", "group_call_participant")
    try:
        with anyio.fail_after(30):
            await plain.join("Plain")
            assert await plain.publish(ToneTrack())  # no stage in a group call: produce as before
            await early.request(
                MediaEvent.JOIN_ROOM,
                media_edge_pb2.PeerJoinRequest(room_uuid=meeting, display_name="Early"),
                media_edge_pb2.PeerJoinResponse,
            )
            request = media_edge_pb2.ProducerCreateRequest(
                kind="audio",
                description=media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="offer", sdp="v=0"),
            )
            error = json.loads(await media_refused(early, MediaEvent.PRODUCE, request))
            assert error["errorCode"] == "not_on_stage" and "not in the room yet" in error["errorDescription"]
            peer = await room_join(early, "Early")
            assert peer.stage_type == room_pb2.STAGE_TYPE_ON_STAGE  # stage_access ALLOWED: on at once
    finally:
        for p in (early, plain):
            await p.close()
