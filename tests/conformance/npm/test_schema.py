"""Our .proto declarations match the SDK bundle's own message tables field for field."""

from __future__ import annotations

from typing import Any

import pytest

from realtimekit_mcp.protocol.messages import all_message_descriptors

from ._bridge import OfficialSDK
from ._messages import normalise_field, wire_shape

OUR_MESSAGES = sorted(d.full_name for d in all_message_descriptors())


@pytest.fixture(scope="module")
def sdk_fields(official_sdk: OfficialSDK) -> dict[str, list[dict[str, Any]]]:
    ops = [{"op": "fields", "type": name} for name in OUR_MESSAGES]
    return {name: res["fields"] for name, res in zip(OUR_MESSAGES, official_sdk.run(ops), strict=True)}


def test_the_bundle_is_the_pinned_sdk_version(official_sdk: OfficialSDK) -> None:
    assert official_sdk.sdk_version == "2.0.2"


def test_every_message_we_declare_exists_in_the_bundle(official_sdk: OfficialSDK) -> None:
    (result,) = official_sdk.run([{"op": "types"}])
    missing = sorted(set(OUR_MESSAGES) - set(result["types"]))
    assert not missing


@pytest.mark.parametrize("name", OUR_MESSAGES)
def test_message_fields_match_the_sdk_declaration(
    name: str, sdk_fields: dict[str, list[dict[str, Any]]]
) -> None:
    descriptor = next(d for d in all_message_descriptors() if d.full_name == name)
    ours = sorted((normalise_field(f) for f in descriptor.fields), key=lambda f: f["no"])
    theirs = sorted((wire_shape(f) for f in sdk_fields[name]), key=lambda f: f["no"])
    assert ours == theirs
