"""Representative socket-edge frames (fixtures/frames.json), byte for byte against the official SDK.

Each case is a whole binary WebSocket message: a SocketMessage with the event, the request id
(absent for pushes), the payload and metadata ("{}", or the SDK's TRACEPARENT JSON where a case gives it). The SDK side builds it the
way its SocketService.send() does and reads it the way its receive path does (encode.mjs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from realtimekit_mcp.protocol.events import EVENT_PAYLOADS, event_name
from realtimekit_mcp.protocol.framing import (
    EMPTY_METADATA,
    decode_frame,
    encode_message,
    parse_payload,
    serialize,
    trace_metadata,
)
from realtimekit_mcp.protocol.messages import message_class

from ._bridge import OfficialSDK

FIXTURES = json.loads(Path(__file__).with_name("fixtures").joinpath("frames.json").read_text("utf-8"))
CASES: dict[str, dict[str, Any]] = {case["name"]: case for case in FIXTURES["cases"]}
NAMES = list(CASES)
METADATA = EMPTY_METADATA.decode()


def our_message(case: dict[str, Any]) -> Message | None:
    if case["type"] is None:
        return None
    return json_format.ParseDict(case["json"], message_class(case["type"])())


def metadata(case: dict[str, Any]) -> str:
    return str(case.get("metadata", METADATA))


def our_frame(case: dict[str, Any]) -> bytes:
    return encode_message(
        case["event"], our_message(case), id=case.get("id"), metadata=metadata(case).encode()
    )


def _payload_fields(case: dict[str, Any]) -> dict[str, Any]:
    return {} if case["type"] is None else {"type": case["type"], "json": case["json"]}


@pytest.fixture(scope="module")
def sdk(official_sdk: OfficialSDK) -> dict[str, dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    for name in NAMES:
        case = CASES[name]
        frame_op = {
            "op": "frame",
            "event": case["event"],
            "metadata": metadata(case),
            **_payload_fields(case),
        }
        if "id" in case:
            frame_op["id"] = case["id"]
        ops.append(frame_op)
        ops.append({"op": "unframe", "hex": our_frame(case).hex(), **_payload_fields(case)})
    results = official_sdk.run(ops)
    return {name: {"frame": results[2 * i], "unframe": results[2 * i + 1]} for i, name in enumerate(NAMES)}


@pytest.mark.parametrize("name", NAMES)
def test_our_frame_bytes_equal_the_sdk_frame(name: str, sdk: dict[str, dict[str, Any]]) -> None:
    assert our_frame(CASES[name]).hex() == sdk[name]["frame"]["hex"]


@pytest.mark.parametrize("name", NAMES)
def test_the_sdk_reads_our_frame(name: str, sdk: dict[str, dict[str, Any]]) -> None:
    case, seen = CASES[name], sdk[name]["unframe"]
    message = our_message(case)
    assert seen["event"] == case["event"]
    assert seen["id"] == case.get("id")
    assert seen["metadata"] == metadata(case)
    assert seen["payload"] == (None if message is None else serialize(message).hex())
    if message is not None:
        assert seen["equal"] is True


@pytest.mark.parametrize("name", NAMES)
def test_we_read_the_sdk_frame(name: str, sdk: dict[str, dict[str, Any]]) -> None:
    case = CASES[name]
    frame = decode_frame(bytes.fromhex(sdk[name]["frame"]["hex"]))
    assert frame.event == case["event"]
    assert frame.id == case.get("id")
    assert frame.metadata == metadata(case).encode()
    expected = our_message(case)
    if expected is None:
        assert frame.payload is None
    else:
        assert frame.payload is not None  # present even when the message is empty
        assert parse_payload(frame, type(expected)) == expected


def test_fixtures_cover_every_payload_of_the_event_table() -> None:
    """Each (event, message) pair we send or receive has at least one representative frame."""
    covered = {(c["event"], c["type"], c["direction"]) for c in CASES.values()}
    missing = []
    for event, payloads in EVENT_PAYLOADS.items():
        if payloads.request is not None and (event, payloads.request, "send") not in covered:
            missing.append(f"{event_name(event)} request {payloads.request}")
        if payloads.response is not None and (event, payloads.response, "receive") not in covered:
            missing.append(f"{event_name(event)} response {payloads.response}")
    assert not missing


def test_fixture_events_and_types_agree_with_the_event_table() -> None:
    """A fixture never pairs an event with a message the table does not name for it."""
    wrong = []
    for case in CASES.values():
        payloads = EVENT_PAYLOADS.get(case["event"])
        assert payloads is not None, f"{case['name']}: event {case['event']} is not in EVENT_PAYLOADS"
        if case["type"] is None:
            # The SDK omits the payload of some requests (getRoomInfo, getMessages, and getRoomPeersInfo
            # when it wants every peer); an absent payload reads as the empty message.
            assert case["direction"] == "send", case["name"]
            continue
        expected = payloads.request if case["direction"] == "send" else payloads.response
        if case["type"] != expected:
            wrong.append((case["name"], case["type"], expected))
    assert not wrong


def test_fixture_trace_metadata_is_what_trace_metadata_writes() -> None:
    with_trace = [c for c in CASES.values() if "metadata" in c]
    assert with_trace
    for case in with_trace:
        span = json.loads(case["metadata"])["TRACEPARENT"].split("-")[2]
        assert trace_metadata(case["id"].rsplit("-", 1)[0], span).decode() == case["metadata"]
