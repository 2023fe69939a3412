"""SocketMessage framing: exact bytes, presence of payload and metadata, and malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, media_pb2
from realtimekit_mcp.protocol.events import ChatEvent, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import (
    EMPTY_METADATA,
    PING,
    PONG,
    Frame,
    FrameError,
    decode_frame,
    encode_frame,
    encode_message,
    parse_payload,
    request_id,
    serialize,
    trace_metadata,
)


def test_frame_bytes_are_the_protobuf_encoding_by_hand() -> None:
    # field 1 varint 3; field 2 "p-1"; field 3 b"\x08\x01"; field 4 "{}"
    expected = b"\x08\x03" + b"\x12\x03p-1" + b"\x1a\x02\x08\x01" + b"\x22\x02{}"
    assert encode_frame(Frame(event=3, id="p-1", payload=b"\x08\x01", metadata=b"{}")) == expected


def test_media_event_number_is_a_multi_byte_varint() -> None:
    frame = encode_frame(Frame(event=MediaEvent.CREATE_WEBRTC_TRANSPORT))
    assert frame == b"\x08\x81\x80\x80\x18"  # 50331649 = 0x03000001


def test_absent_parts_are_omitted_and_empty_parts_are_written() -> None:
    assert encode_frame(Frame(event=RoomEvent.GET_ROOM_INFO)) == b"\x08\x05"
    assert encode_frame(Frame(event=RoomEvent.GET_ROOM_INFO, payload=b"")) == b"\x08\x05\x1a\x00"
    assert decode_frame(b"\x08\x05").payload is None
    assert decode_frame(b"\x08\x05\x1a\x00").payload == b""


def test_encode_message_frames_an_empty_message_as_a_present_empty_payload() -> None:
    data = encode_message(MediaEvent.SELF_JOIN_COMPLETE, media_edge_pb2.PeerJoinCompleteRequest(), id="p-2")
    frame = decode_frame(data)
    assert frame == Frame(event=MediaEvent.SELF_JOIN_COMPLETE, id="p-2", payload=b"", metadata=EMPTY_METADATA)


def test_encode_message_without_message_or_metadata() -> None:
    frame = decode_frame(encode_message(ChatEvent.GET_MESSAGES, id="p-3", metadata=None))
    assert frame == Frame(event=ChatEvent.GET_MESSAGES, id="p-3")


def test_round_trip_of_a_request_payload() -> None:
    request = chat_pb2.SendChatMessageToRoomRequest(payload_type=0, payload="hello")
    frame = decode_frame(encode_message(ChatEvent.SEND_MESSAGE_TO_ROOM, request, id="peer-xyz"))
    assert frame.event == ChatEvent.SEND_MESSAGE_TO_ROOM
    assert frame.id == "peer-xyz"
    assert parse_payload(frame, chat_pb2.SendChatMessageToRoomRequest) == request


def test_absent_payload_parses_as_the_empty_message() -> None:
    assert parse_payload(Frame(event=4), media_edge_pb2.PeerLeaveRequest) == media_edge_pb2.PeerLeaveRequest()


def test_serialize_orders_map_entries_by_key() -> None:
    states = media_pb2.ProducerIdToConsumerMap()
    states.map["b"].consumer_id = "2"
    states.map["a"].consumer_id = "1"
    data = serialize(states)
    assert data.index(b"\n\x01a") < data.index(b"\n\x01b")


@pytest.mark.parametrize("garbage", [b"\xff", b"\x08", b"\x12\x05ab", b"\x0b"])
def test_malformed_frame_raises_frame_error(garbage: bytes) -> None:
    with pytest.raises(FrameError, match="not a SocketMessage"):
        decode_frame(garbage)


def test_malformed_payload_raises_frame_error_naming_the_type() -> None:
    with pytest.raises(FrameError, match=r"media\.CreateTransportResponse"):
        parse_payload(
            Frame(event=MediaEvent.CREATE_WEBRTC_TRANSPORT, payload=b"\x0a\x09abc"),
            media_pb2.CreateTransportResponse,
        )


@pytest.mark.parametrize("event", [-1, 2**32])
def test_event_outside_uint32_is_refused(event: int) -> None:
    with pytest.raises(FrameError, match="uint32"):
        encode_frame(Frame(event=event))


def test_repr_shows_event_name_and_size_not_payload() -> None:
    text = repr(Frame(event=ChatEvent.SEND_MESSAGE_TO_ROOM, id="p-1", payload=b"secret-ish text"))
    assert "ChatEvent.SEND_MESSAGE_TO_ROOM" in text
    assert "payload_bytes=15" in text
    assert "secret" not in text


def test_trace_metadata_is_the_sdk_compact_json() -> None:
    metadata = trace_metadata("6b3d2a52-4f0e-4a8e-9d57-0c1f9b1e7a21", "3f9c2b7a1e4d8c05")
    assert metadata == b'{"TRACEPARENT":"00-6b3d2a524f0e4a8e9d570c1f9b1e7a21-3f9c2b7a1e4d8c05-01"}'


def test_keepalive_and_request_id_shapes() -> None:
    assert (PING, PONG) == ("2", "3")
    assert request_id("6b3d2a52", "k3x9q") == "6b3d2a52-k3x9q"


@given(
    event=st.integers(min_value=0, max_value=2**32 - 1),
    id_=st.none() | st.text(max_size=40),
    payload=st.none() | st.binary(max_size=200),
    metadata=st.none() | st.binary(max_size=50),
)
def test_any_frame_round_trips(
    event: int, id_: str | None, payload: bytes | None, metadata: bytes | None
) -> None:
    frame = Frame(event=event, id=id_, payload=payload, metadata=metadata)
    assert decode_frame(encode_frame(frame)) == frame
