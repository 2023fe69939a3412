"""Real WebRTC through the emulator's SFU on loopback: a published tone reaches a subscriber."""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.protocol import media_edge_pb2
from realtimekit_mcp.protocol.events import MediaEvent

from .conftest import LiveEmu
from .rawpeer import RawPeer, ToneTrack, goertzel_power, mono_samples

pytestmark = pytest.mark.anyio


async def test_a_published_tone_reaches_a_subscriber_as_440_hz_audio(live: LiveEmu) -> None:
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
            track = await bob.subscribe(alice.peer_id, producer_id)
            samples: list[float] = []
            rate = 48000
            while len(samples) < rate // 2:  # half a second of decoded audio
                frame = await track.recv()
                rate = frame.sample_rate
                samples.extend(mono_samples(frame))
        tail = samples[len(samples) // 2 :]  # skip the codec's start-up
        tone = goertzel_power(tail, rate, 440.0)
        assert tone > 100 * goertzel_power(tail, rate, 1000.0)
        assert tone > 100 * goertzel_power(tail, rate, 300.0)
    finally:
        await alice.close()
        await bob.close()
