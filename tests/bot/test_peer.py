"""SDP helpers (pure) and the send/receive transports against a bare aiortc peer playing the SFU."""

from __future__ import annotations

import asyncio

import anyio
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from realtimekit_mcp.bot.peer import (
    ConsumeOffer,
    ProduceOffer,
    RecvTransport,
    SendTransport,
    last_section_of_kind,
    local_capabilities,
    media_sections,
    msid_of_mid,
)
from realtimekit_mcp.bot.tracks import AudioSource, PcmAudioTrack, ToneGenerator

pytestmark = pytest.mark.anyio

SDP = """v=0
o=- 1 1 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1 2
m=audio 9 UDP/TLS/RTP/SAVPF 96
a=mid:0
a=sendonly
a=msid:s0 t0
m=video 9 UDP/TLS/RTP/SAVPF 97
a=mid:1
a=sendonly
a=msid:s1 t1
m=audio 0 UDP/TLS/RTP/SAVPF 96
a=mid:2
a=inactive
a=msid:s2 t2
"""


def test_media_sections_are_read_in_order_with_mid_direction_msid_and_port() -> None:
    sections = media_sections(SDP)
    assert [(s.kind, s.mid, s.direction, s.msid, s.port) for s in sections] == [
        ("audio", "0", "sendonly", "s0 t0", 9),
        ("video", "1", "sendonly", "s1 t1", 9),
        ("audio", "2", "inactive", "s2 t2", 0),
    ]
    assert msid_of_mid(SDP, "1") == "s1 t1" and msid_of_mid(SDP, "9") is None
    last = last_section_of_kind(SDP, "audio")
    assert last is not None and last.mid == "2"
    assert last_section_of_kind(SDP, "application") is None


def test_local_capabilities_offer_opus_and_only_vp8_video() -> None:
    caps = local_capabilities()
    audio = {c["mime_type"].lower() for c in caps["sender"]["audio"]["codecs"]}
    video = {c["mime_type"].lower() for c in caps["receiver"]["video"]["codecs"]}
    assert "audio/opus" in audio and video == {"video/vp8"}
    assert caps["sender"]["audio"]["header_extensions"]


class FakeSfu:
    """One aiortc connection per transport, answering offers and offering subscriptions."""

    def __init__(self) -> None:
        self.pcs: list[RTCPeerConnection] = []

    async def answer(self, pc: RTCPeerConnection, offer: str) -> str:
        await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    def new_pc(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        return pc

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


async def test_publish_then_subscribe_through_a_bare_aiortc_sfu() -> None:
    sfu = FakeSfu()
    send, recv = SendTransport(), RecvTransport()
    up, down = sfu.new_pc(), sfu.new_pc()
    try:
        with anyio.fail_after(20):
            offer = await send.connect(lambda sdp: sfu.answer(up, sdp))
            assert [s.direction for s in media_sections(offer)] == ["sendonly", "sendonly"]
            await recv.connect(lambda sdp: sfu.answer(down, sdp))
            await asyncio.gather(send.wait_connected(), recv.wait_connected())

            seen: list[ProduceOffer] = []

            async def produce_exchange(offer: ProduceOffer) -> str:
                seen.append(offer)
                return await sfu.answer(up, offer.sdp)

            mid = await send.produce(
                PcmAudioTrack(AudioSource(generator=ToneGenerator(440.0))), produce_exchange
            )
            assert seen[0].kind == "audio" and seen[0].mid == mid == "2"
            assert seen[0].msid and seen[0].msid == msid_of_mid(seen[0].sdp, mid)
            # the placeholders' receivers get nothing; the produced track is the one on the new mid
            published = next(t.receiver.track for t in up.getTransceivers() if t.mid == mid)

            # the "SFU" forwards the track to the receive connection and offers it, as consume does
            down.addTransceiver(published, direction="sendonly")
            await down.setLocalDescription(await down.createOffer())
            new_mid = down.getTransceivers()[-1].mid
            assert new_mid is not None

            async def consume_request() -> ConsumeOffer:
                return ConsumeOffer(sdp=down.localDescription.sdp, mids=[new_mid])

            async def renegotiate(answer: str) -> str:
                await down.setRemoteDescription(RTCSessionDescription(answer, "answer"))
                return ""

            tracks = await recv.consume(consume_request, renegotiate)
            assert list(tracks) == [new_mid]
            frame = await tracks[new_mid].recv()
            assert frame.sample_rate == 48_000  # type: ignore[union-attr]

            async def close_exchange(offer: str) -> str:
                return await sfu.answer(down, offer)

            await recv.close_consumers([new_mid], close_exchange)
            assert recv.forget(new_mid) is None
            await send.close_producer(mid, lambda sdp: sfu.answer(up, sdp))
            assert media_sections(send.pc.localDescription.sdp)[-1].direction == "inactive"
    finally:
        await send.close()
        await recv.close()
        await sfu.close()


async def test_an_empty_consume_reply_changes_nothing() -> None:
    recv = RecvTransport()

    async def nothing() -> ConsumeOffer:
        return ConsumeOffer(sdp="", mids=[])

    async def never(answer: str) -> str:
        raise AssertionError("no renegotiation without an offer")

    assert await recv.consume(nothing, never) == {}
    await recv.close()
