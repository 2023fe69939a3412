"""Every message type we declare: our bytes equal the SDK's bytes, and each side reads the other's.

Two samples per type, generated from our descriptors: every field set to a non-default value
(repeated and map fields with two entries, negative int32s, 64-bit values, floats, bytes, enums,
the first member of each oneof), and every presence-tracking field set to its zero value (which
must still be written).
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from realtimekit_mcp.protocol.framing import serialize
from realtimekit_mcp.protocol.messages import all_message_descriptors, message_class

from ._bridge import OfficialSDK
from ._messages import filled_json, zero_json

SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {}
for _descriptor in all_message_descriptors():
    SAMPLES[f"{_descriptor.full_name}:filled"] = (_descriptor.full_name, filled_json(_descriptor))
    SAMPLES[f"{_descriptor.full_name}:zeros"] = (_descriptor.full_name, zero_json(_descriptor))
SAMPLE_IDS = sorted(SAMPLES)


def ours(type_name: str, json: dict[str, Any]) -> Message:
    return json_format.ParseDict(json, message_class(type_name)())


@pytest.fixture(scope="module")
def sdk_results(official_sdk: OfficialSDK) -> dict[str, dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    for sample_id in SAMPLE_IDS:
        type_name, json = SAMPLES[sample_id]
        ops.append({"op": "encode", "type": type_name, "json": json})
        ops.append(
            {"op": "decode", "type": type_name, "json": json, "hex": serialize(ours(type_name, json)).hex()}
        )
    results = official_sdk.run(ops)
    return {
        sample_id: {"encoded": results[2 * i]["hex"], "decoded": results[2 * i + 1]}
        for i, sample_id in enumerate(SAMPLE_IDS)
    }


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_our_encoding_equals_the_sdk_encoding(sample_id: str, sdk_results: dict[str, dict[str, Any]]) -> None:
    type_name, json = SAMPLES[sample_id]
    assert serialize(ours(type_name, json)).hex() == sdk_results[sample_id]["encoded"]


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_the_sdk_decodes_our_bytes_to_the_same_message(
    sample_id: str, sdk_results: dict[str, dict[str, Any]]
) -> None:
    decoded = sdk_results[sample_id]["decoded"]
    assert decoded["equal"], decoded["json"]


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_we_decode_the_sdk_bytes_to_the_same_message(
    sample_id: str, sdk_results: dict[str, dict[str, Any]]
) -> None:
    type_name, json = SAMPLES[sample_id]
    decoded = message_class(type_name)()
    decoded.ParseFromString(bytes.fromhex(sdk_results[sample_id]["encoded"]))
    assert decoded == ours(type_name, json)


def test_samples_are_not_trivial() -> None:
    """The filled samples really set fields (a generator bug would make every check vacuous)."""
    empty = [s for s in SAMPLE_IDS if s.endswith(":filled") and not SAMPLES[s][1]]
    empty_types = {SAMPLES[s][0] for s in empty}
    field_less = {d.full_name for d in all_message_descriptors() if not d.fields}
    assert empty_types == field_less
    assert len(field_less) < len(SAMPLE_IDS) // 4
