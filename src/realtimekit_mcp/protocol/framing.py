"""Encode and decode the socket edge's frames (``message.v1.SocketMessage``). Pure functions.

A binary WebSocket message is one SocketMessage: ``event`` (see :mod:`.events`), an optional
request ``id``, an optional ``payload`` (the serialized inner message) and optional ``metadata``
(UTF-8 JSON tracing context). Text messages are the keep-alive: :data:`PING` (``"2"``) and
:data:`PONG` (``"3"``).

What SDK 2.0.2 sends: every client frame carries an id ``"<peerId>-<suffix>"`` (fire-and-forget
ones too) and the metadata ``{"TRACEPARENT":"00-<peerId without dashes>-<16 hex>-01"}``
(:func:`trace_metadata`); ``{}`` (:data:`EMPTY_METADATA`) is accepted as well.

``payload=None`` omits the field; ``payload=b""`` writes an empty one. The web SDK does both:
requests without a protobuf (getRoomInfo, getMessages) omit it, and an empty message (such as
``PeerJoinCompleteRequest``) is written as a present, empty field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final, TypeVar

from google.protobuf.message import DecodeError, Message

from realtimekit_mcp.protocol.events import event_name
from realtimekit_mcp.protocol.socket_message_pb2 import SocketMessage

__all__ = [
    "EMPTY_METADATA",
    "PING",
    "PONG",
    "Frame",
    "FrameError",
    "decode_frame",
    "encode_frame",
    "encode_message",
    "parse_payload",
    "request_id",
    "serialize",
    "trace_metadata",
]

PING: Final = "2"
"""Text frame: keep-alive ping (answer with :data:`PONG`)."""
PONG: Final = "3"
"""Text frame: keep-alive pong."""
EMPTY_METADATA: Final = b"{}"
"""Metadata without tracing context."""

_UINT32_MAX: Final = 0xFFFFFFFF

M = TypeVar("M", bound=Message)


class FrameError(ValueError):
    """A frame or payload could not be encoded or decoded."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded SocketMessage.

    Attributes:
        event: the event number.
        id: the request id (``"<peerId>-<suffix>"``); a reply repeats it; None for pushes.
        payload: the serialized inner message; None when the field is absent.
        metadata: UTF-8 JSON tracing context; None when absent.
    """

    event: int
    id: str | None = None
    payload: bytes | None = None
    metadata: bytes | None = None

    def __repr__(self) -> str:
        size = "-" if self.payload is None else str(len(self.payload))
        return f"Frame(event={event_name(self.event)}, id={self.id!r}, payload_bytes={size})"


def serialize(message: Message) -> bytes:
    """Serialize a message deterministically (map entries in key order)."""
    return message.SerializeToString(deterministic=True)


def encode_frame(frame: Frame) -> bytes:
    """The bytes of ``frame`` as a SocketMessage.

    Raises:
        FrameError: if the event does not fit the uint32 field.
    """
    if not 0 <= frame.event <= _UINT32_MAX:
        raise FrameError(f"event {frame.event} is outside uint32")
    message = SocketMessage(event=frame.event)
    if frame.id is not None:
        message.id = frame.id
    if frame.payload is not None:
        message.payload = frame.payload
    if frame.metadata is not None:
        message.metadata = frame.metadata
    return serialize(message)


def encode_message(
    event: int,
    message: Message | None = None,
    *,
    id: str | None = None,
    metadata: bytes | None = EMPTY_METADATA,
) -> bytes:
    """Frame ``message`` (serialized; None for no payload) under ``event``, as the web SDK does.

    ``metadata`` defaults to ``{}`` like the SDK's requests; pass None to omit it.
    """
    payload = None if message is None else serialize(message)
    return encode_frame(Frame(event=event, id=id, payload=payload, metadata=metadata))


def decode_frame(data: bytes) -> Frame:
    """Decode the bytes of one binary WebSocket message.

    Raises:
        FrameError: if ``data`` is not a valid SocketMessage.
    """
    message = SocketMessage()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise FrameError(f"not a SocketMessage ({len(data)} bytes)") from exc
    return Frame(
        event=message.event,
        id=message.id if message.HasField("id") else None,
        payload=message.payload if message.HasField("payload") else None,
        metadata=message.metadata if message.HasField("metadata") else None,
    )


def parse_payload(frame: Frame, message_type: type[M]) -> M:
    """Parse the frame's payload as ``message_type`` (an absent payload parses as the empty message).

    Raises:
        FrameError: if the payload is not a valid ``message_type``.
    """
    message = message_type()
    try:
        message.ParseFromString(frame.payload or b"")
    except DecodeError as exc:
        name = message_type.DESCRIPTOR.full_name
        raise FrameError(f"payload of {event_name(frame.event)} is not a valid {name}") from exc
    return message


def request_id(peer_id: str, suffix: str) -> str:
    """A request id in the web SDK's shape, ``"<peerId>-<suffix>"`` (suffix unique per connection)."""
    return f"{peer_id}-{suffix}"


def trace_metadata(peer_id: str, span_id: str) -> bytes:
    """Frame metadata exactly as the web SDK writes it.

    ``{"TRACEPARENT":"00-<peer id without dashes>-<span id>-01"}`` as compact JSON; the SDK draws
    ``span_id`` (16 hex characters) from a fresh UUID for every frame.
    """
    traceparent = f"00-{peer_id.replace('-', '')}-{span_id}-01"
    return json.dumps({"TRACEPARENT": traceparent}, separators=(",", ":")).encode()
