"""The Opus pass-through in isolation: timestamps, drops, pause, live edge."""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.emulator.sfu import OpusForwarder, payload_types

pytestmark = pytest.mark.anyio


async def test_forwarded_packets_keep_their_bytes_and_a_monotonic_pts_across_timestamp_wrap() -> None:
    forwarder = OpusForwarder({111})
    track = forwarder.subscribe()
    with anyio.fail_after(2):
        forwarder.feed(111, b"first", 0xFFFFFC40)  # 960 before the wrap
        first = await track.recv()
        forwarder.feed(111, b"second", 0)
        second = await track.recv()
    assert (bytes(first), first.pts) == (b"first", 0)
    assert (bytes(second), second.pts) == (b"second", 960)
    assert second.time_base.denominator == 48000


async def test_other_payload_types_reordered_packets_and_paused_producers_send_nothing() -> None:
    forwarder = OpusForwarder({111})
    track = forwarder.subscribe()
    forwarder.feed(111, b"a", 1000)
    forwarder.feed(13, b"comfort-noise", 1960)
    forwarder.feed(111, b"late", 40)
    forwarder.paused = True
    forwarder.feed(111, b"muted", 1960)
    forwarder.paused = False
    forwarder.feed(111, b"b", 2920)
    with anyio.fail_after(2):
        got = bytes(await track.recv())
    # the first recv starts at the live edge: only the newest queued packet is kept
    assert got == b"b"
    track.stop()
    assert not forwarder.subscribers


async def test_a_slow_subscriber_keeps_only_the_newest_packets() -> None:
    forwarder = OpusForwarder({111}, depth=3)
    track = forwarder.subscribe()
    forwarder.feed(111, b"0", 0)
    with anyio.fail_after(2):
        assert bytes(await track.recv()) == b"0"
        for i in range(1, 8):
            forwarder.feed(111, str(i).encode(), 960 * i)
        got = [bytes(await track.recv()) for _ in range(3)]
    assert got == [b"5", b"6", b"7"]


def test_payload_types_are_read_from_the_m_line_of_the_mid() -> None:
    sdp = "\r\n".join(
        [
            "v=0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 96 0",
            "a=mid:0",
            "a=rtpmap:96 opus/48000/2",
            "a=rtpmap:0 PCMU/8000",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "a=mid:3",
            "a=rtpmap:111 OPUS/48000/2",
        ]
    )
    assert payload_types(sdp, "0", "opus") == {96}
    assert payload_types(sdp, "3", "opus") == {111}
    assert payload_types(sdp, "9", "opus") == set()
