"""Helpers for the waiting-room and host-feature tests: raw requests, refusals, presets, held joins."""

from __future__ import annotations

import asyncio

from google.protobuf.message import Message

from realtimekit_mcp.protocol import media_edge_pb2, room_pb2
from realtimekit_mcp.protocol.api_pb2 import ErrorMessage
from realtimekit_mcp.protocol.events import ERROR_EVENT, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, encode_frame, encode_message

from .conftest import LiveEmu
from .rawpeer import RawPeer


async def raw_request(peer: RawPeer, event: int, payload: Message | bytes | None) -> tuple[int, bytes]:
    """Send a request with an id (a message, raw bytes or none); the reply's event and payload."""
    peer._counter += 1
    rid = f"{peer.peer_id}-{peer._counter}"
    future: asyncio.Future[tuple[int, bytes | None]] = asyncio.get_running_loop().create_future()
    peer._pending[rid] = future
    if isinstance(payload, bytes):
        data = encode_frame(Frame(event=event, id=rid, payload=payload))
    else:
        data = encode_message(event, payload, id=rid)
    await peer._ws.send(data)
    got, body = await future
    return got, body or b""


async def refused(peer: RawPeer, event: int, payload: Message | bytes | None) -> ErrorMessage:
    """The protocol error (65535 ErrorMessage) a room-namespace request gets."""
    got, body = await raw_request(peer, event, payload)
    assert got == ERROR_EVENT, f"expected an error, got event {got}"
    error = ErrorMessage()
    error.ParseFromString(body)
    return error


async def media_refused(peer: RawPeer, event: int, payload: Message | bytes | None) -> str:
    """The media error description (ERROR_RESPONSE) a media request gets."""
    got, body = await raw_request(peer, event, payload)
    assert got == MediaEvent.ERROR_RESPONSE, f"expected a media error, got event {got}"
    error = media_edge_pb2.ErrorResponse()
    error.ParseFromString(body)
    return error.error_message


async def connect(live: LiveEmu, meeting: str, cpid: str, preset: str) -> RawPeer:
    """A connected (not joined) raw peer of a new participant with ``preset``."""
    token = (await live.add_participant(meeting, cpid, cpid.title(), preset=preset))["token"]
    peer = RawPeer(live.ws_url, meeting, token)
    await peer.connect()
    return peer


async def room_join(peer: RawPeer, name: str) -> room_pb2.Peer:
    """Only the room joinRoom (the SDK's first step); returns the peer in the reply."""
    reply = await peer.request(
        RoomEvent.JOIN_ROOM,
        room_pb2.JoinRoomRequest(peer=room_pb2.Peer(peer_id=peer.peer_id, display_name=name)),
        room_pb2.PeerInfoResponse,
    )
    return reply.peer


def waitlist_of(message: room_pb2.GetWaitingRoomRequests) -> list[str]:
    """Display names in a waitlist push."""
    return [r.display_name for r in message.requests]
