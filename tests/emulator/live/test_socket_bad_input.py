"""Every socket request the edge serves, fed undecodable or nonsensical payloads, never fails internally.

For each event in the live plane's handler table, a joined peer sends a fixed, seeded set of bad
payloads (empty, truncated, random bytes, another message's bytes) with a request id. Whatever the
edge answers must be a normal reply or the protocol's error with a client-side code: never code
500 / ``internal_error``, never an exception logged by the emulator, and the peer stays connected.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random

import anyio
import pytest

from realtimekit_mcp.protocol import room_pb2
from realtimekit_mcp.protocol.api_pb2 import ErrorMessage
from realtimekit_mcp.protocol.events import ERROR_EVENT, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, encode_frame
from realtimekit_mcp.protocol.media_edge_pb2 import ErrorResponse

from .conftest import LiveEmu
from .rawpeer import RawPeer

pytestmark = pytest.mark.anyio

ENDS_THE_PEER = {RoomEvent.LEAVE_ROOM, RoomEvent.KICK_ALL, MediaEvent.LEAVE_ROOM}
"""Events whose empty payload is a valid request that removes the peer (or everyone): not sent."""


def bad_payloads(event: int) -> list[bytes]:
    """Seeded per event: the same bytes on every run."""
    rng = random.Random(event)
    other = room_pb2.Peer(peer_id="x" * 40, display_name="y", user_id="z").SerializeToString()
    return [
        b"",
        b"\xff",
        b"\x0a\x05ab",  # a length-delimited field cut short
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # an over-long varint
        other,  # bytes of another message
        bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))),
        bytes(rng.getrandbits(8) for _ in range(rng.randint(64, 512))),
    ]


def _is_media(event: int) -> bool:
    return event & 0xFF000000 == 0x03000000


async def _send(peer: RawPeer, event: int, payload: bytes) -> asyncio.Future[tuple[int, bytes | None]]:
    peer._counter += 1
    rid = f"{peer.peer_id}-bad-{peer._counter}"
    future: asyncio.Future[tuple[int, bytes | None]] = asyncio.get_running_loop().create_future()
    peer._pending[rid] = future
    await peer._ws.send(encode_frame(Frame(event=event, id=rid, payload=payload)))
    return future


def _internal(event: int, reply: tuple[int, bytes | None]) -> str | None:
    """The internal-error text of a reply, or None for a normal reply or a client-side error."""
    got, body = reply
    if got == ERROR_EVENT:
        error = ErrorMessage()
        error.ParseFromString(body or b"")
        return f"code {error.code}: {error.message}" if error.code >= 500 else None
    if got == MediaEvent.ERROR_RESPONSE:
        media = ErrorResponse()
        media.ParseFromString(body or b"")
        code = json.loads(media.error_message).get("errorCode")
        return media.error_message if code == "internal_error" else None
    return None


async def test_bad_payloads_on_every_socket_request_never_fail_internally(
    live: LiveEmu, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="realtimekit_mcp")
    meeting = await live.create_meeting()
    host_token = (await live.add_participant(meeting, "host", "Host"))["token"]
    peer = RawPeer(live.ws_url, meeting, host_token)
    await peer.connect()
    events = sorted(set(live.plane._handlers) - ENDS_THE_PEER)
    assert len(events) >= 40, events  # the table really is the whole surface
    sent = 0
    failures: list[str] = []
    try:
        with anyio.fail_after(120):
            await peer.join("Host")
            for event in events:
                for payload in bad_payloads(event):
                    future = await _send(peer, event, payload)
                    sent += 1
                    if _is_media(event) and event != MediaEvent.AUDIO_ACTIVITY:
                        reply = await future  # media requests always answer (reply or error)
                    else:
                        # Room-side frames are handled in order: once a later request is
                        # answered, any answer to this one has arrived too.
                        await peer.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
                        if not future.done():
                            continue  # a push-style event that answers nothing
                        reply = future.result()
                    problem = _internal(event, reply)
                    if problem is not None:
                        failures.append(f"event {event} payload {payload[:16]!r}: {problem}")
            # Still connected and still in the room.
            info = await peer.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
            assert info.room.room_id == meeting
    finally:
        await peer.close()
    assert sent >= 7 * 40
    assert failures == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("realtimekit_mcp")]
    assert logged == []
