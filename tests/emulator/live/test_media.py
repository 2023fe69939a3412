"""Real WebRTC through the emulator's SFU on loopback: a published tone reaches a subscriber."""

from __future__ import annotations

import asyncio

import anyio
import pytest
from aiortc import RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack
from av import AudioFrame, VideoFrame

from realtimekit_mcp.protocol import media_edge_pb2, media_pb2
from realtimekit_mcp.protocol.events import MediaEvent

from .conftest import LiveEmu
from .rawpeer import RawPeer, ToneTrack, goertzel_power, mono_samples

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("forward_opus", [True, False], ids=["opus-pass-through", "transcoded"])
async def test_a_published_tone_reaches_a_subscriber_as_440_hz_audio(
    live: LiveEmu, forward_opus: bool
) -> None:
    live.plane.sfu.forward_opus = forward_opus
    meeting = await live.create_meeting()
    alice = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "alice"))["token"])
    bob = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "bob"))["token"])
    try:
        with anyio.fail_after(20):
            await alice.connect()
            await bob.connect()
            await alice.join("Alice")
            await bob.join("Bob")
            producer_id = await alice.publish(ToneTrack(440.0))
            (announced,) = await bob.wait_push(
                MediaEvent.PEER_PRODUCER_CREATE_BROADCAST, media_edge_pb2.PeerProducerCreateBroadcastResponse
            )
            assert announced.participant_id == alice.peer_id
            assert announced.producer_state.producer_id == producer_id
            assert announced.producer_state.kind == 0  # AUDIO
            assert (live.plane.sfu.producers[producer_id].forwarder is not None) is forward_opus
            track = await bob.subscribe(alice.peer_id, producer_id)
            samples: list[float] = []
            rate = 48000
            while len(samples) < rate // 2:  # half a second of decoded audio
                frame = await track.recv()
                assert isinstance(frame, AudioFrame)
                rate = frame.sample_rate
                samples.extend(mono_samples(frame))
        tail = samples[len(samples) // 2 :]  # skip the codec's start-up
        tone = goertzel_power(tail, rate, 440.0)
        assert tone > 100 * goertzel_power(tail, rate, 1000.0)
        assert tone > 100 * goertzel_power(tail, rate, 300.0)
    finally:
        await alice.close()
        await bob.close()


async def test_two_consumes_on_one_transport_are_serialized_and_both_deliver_audio(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "alice"))["token"])
    bob = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "bob"))["token"])
    carol = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "carol"))["token"])
    try:
        with anyio.fail_after(20):
            for peer in (alice, bob, carol):
                await peer.connect()
                await peer.join()
            low = await alice.publish(ToneTrack(440.0))
            high = await bob.publish(ToneTrack(880.0))
            first = asyncio.ensure_future(carol.subscribe(alice.peer_id, low))
            second = asyncio.ensure_future(carol.subscribe(bob.peer_id, high))
            low_track, high_track = await asyncio.gather(first, second)
            assert low_track is not high_track
            for track in (low_track, high_track):
                frame = await track.recv()
                assert isinstance(frame, AudioFrame) and frame.sample_rate == 48000
        assert live.plane.sfu.stats() == {"transports": 6, "producers": 2, "consumers": 2}
    finally:
        for peer in (alice, bob, carol):
            await peer.close()


async def test_closing_a_producer_tells_subscribers_and_drops_their_consumers(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "alice"))["token"])
    bob = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "bob"))["token"])
    try:
        with anyio.fail_after(20):
            await alice.connect()
            await bob.connect()
            await alice.join()
            await bob.join()
            producer_id = await alice.publish(ToneTrack())
            await bob.subscribe(alice.peer_id, producer_id)
            transceiver = alice.send_pc.getTransceivers()[-1]
            transceiver.direction = "inactive"
            closing = await alice.request(
                MediaEvent.CLOSE_PRODUCER,
                media_edge_pb2.ProducerCloseRequest(
                    producer_id=producer_id,
                    description=media_pb2.SessionDescription(
                        target=media_pb2.PUBLISHER, type="offer", sdp=await alice.offer(alice.send_pc)
                    ),
                    producing_transport_id=alice.send_transport_id,
                ),
                media_edge_pb2.ProducerClosingResponse,
            )
            assert closing.description.type == "answer"
            (closed,) = await bob.wait_push(
                MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, media_edge_pb2.PeerProducerCloseBroadcastResponse
            )
            assert closed.participant_id == alice.peer_id
            assert closed.producer_state.producer_id == producer_id
            missing = await bob.request(
                MediaEvent.CONSUME,
                media_edge_pb2.ConsumePeersRequest(
                    requests=[
                        media_edge_pb2.ConsumePeerRequest(
                            producing_peer_id=alice.peer_id, producer_id=producer_id
                        )
                    ],
                    consuming_transport_id=bob.recv_transport_id,
                ),
                media_edge_pb2.ConsumePeerResponse,
            )
        assert missing.consumer_ids_map.map[producer_id].error_code == "not_found_track_error"
        assert not missing.status
        assert live.plane.sfu.stats()["consumers"] == 0
    finally:
        await alice.close()
        await bob.close()


async def test_a_video_track_is_forwarded_too(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "alice"))["token"])
    bob = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "bob"))["token"])
    try:
        with anyio.fail_after(20):
            await alice.connect()
            await bob.connect()
            await alice.join()
            await bob.join()
            producer_id = await alice.publish(VideoStreamTrack())
            track = await bob.subscribe(alice.peer_id, producer_id)
            frame = await track.recv()
        assert track.kind == "video"
        assert isinstance(frame, VideoFrame)
        assert (frame.width, frame.height) == (640, 480)
    finally:
        await alice.close()
        await bob.close()


async def test_closing_a_consumer_renegotiates_and_frees_it(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "alice"))["token"])
    bob = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "bob"))["token"])
    try:
        with anyio.fail_after(20):
            await alice.connect()
            await bob.connect()
            await alice.join()
            await bob.join()
            producer_id = await alice.publish(ToneTrack())
            track = await bob.subscribe(alice.peer_id, producer_id)
            mid = next(m for m, t in bob.tracks_by_mid.items() if t is track)
            transceiver = next(t for t in bob.recv_pc.getTransceivers() if t.mid == mid)
            transceiver.direction = "inactive"
            closing = await bob.request(
                MediaEvent.CLOSE_CONSUMER,
                media_edge_pb2.ConsumerCloseRequest(
                    consumer_ids=[mid],
                    description=media_pb2.SessionDescription(
                        target=media_pb2.SUBSCRIBER, type="offer", sdp=await bob.offer(bob.recv_pc)
                    ),
                    consuming_transport_id=bob.recv_transport_id,
                ),
                media_edge_pb2.ConsumerClosingResponse,
            )
            await bob.recv_pc.setRemoteDescription(
                RTCSessionDescription(sdp=closing.description.sdp, type="answer")
            )
        assert closing.description.type == "answer"
        assert f"a=mid:{mid}" in closing.description.sdp
        assert live.plane.sfu.stats()["consumers"] == 0
        assert live.plane.sfu.producers[producer_id].forwarder is not None
        assert not live.plane.sfu.producers[producer_id].forwarder.subscribers
    finally:
        await alice.close()
        await bob.close()


def _sender_tasks() -> int:
    return sum(
        1
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") in ("RTCRtpSender._run_rtcp", "RTCRtpSender._run_rtp")
    )


async def test_a_publisher_coming_and_going_leaves_no_sender_tasks_at_the_sfu(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    listener = RawPeer(live.ws_url, meeting, (await live.add_participant(meeting, "listener"))["token"])
    token = (await live.add_participant(meeting, "talker"))["token"]

    async def cycle() -> None:
        talker = RawPeer(live.ws_url, meeting, token)
        try:
            with anyio.fail_after(20):
                await talker.connect()
                await talker.join()
                producer_id = await talker.publish(ToneTrack())
                track = await listener.subscribe(talker.peer_id, producer_id)
                await track.recv()
        finally:
            await talker.close()
        # Tearing a peer down closes two aiortc connections (each may wait out a 2 s settle grace
        # and a 2 s sender stop); 10 s was too tight with the suite running on both cores.
        with anyio.fail_after(20):
            while live.plane.sfu.stats()["transports"] > 2:
                await anyio.wait_all_tasks_blocked()

    try:
        with anyio.fail_after(10):
            await listener.connect()
            await listener.join()
        await cycle()  # the listener's own placeholder senders start during the first cycle
        baseline = _sender_tasks()
        for _ in range(3):
            await cycle()
        assert live.plane.sfu.stats() == {"transports": 2, "producers": 0, "consumers": 0}
        assert _sender_tasks() == baseline
    finally:
        await listener.close()
