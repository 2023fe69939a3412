"""Python-side views of our message types: schema in the driver's shape, and generated sample values."""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

# Repeated fields of these types are packed by default in proto3 (we never set [packed = false]).
_PACKABLE = {
    FieldDescriptor.TYPE_DOUBLE,
    FieldDescriptor.TYPE_FLOAT,
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_FIXED32,
    FieldDescriptor.TYPE_BOOL,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_ENUM,
    FieldDescriptor.TYPE_SFIXED32,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SINT64,
}


def is_repeated(field: FieldDescriptor) -> bool:
    attr = getattr(field, "is_repeated", None)  # protobuf >= 6.31; `label` is deprecated there
    if attr is not None:
        return bool(attr)
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)


def is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def real_oneof(field: FieldDescriptor) -> str | None:
    """The oneof a field belongs to, ignoring the synthetic oneof of a proto3 `optional` field."""
    oneof = field.containing_oneof
    if oneof is None:
        return None
    synthetic = oneof.name == f"_{field.name}" and len(oneof.fields) == 1
    return None if synthetic else oneof.name


def _ref(field: FieldDescriptor) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        return {"name": enum.full_name, "values": [[v.name, v.number] for v in enum.values]}
    return {"name": field.message_type.full_name}


# protobuf-ts scalar type numbers equal descriptor.proto's; these never pack on the wire.
_UNPACKABLE_SCALARS = {FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES}


def wire_shape(sdk_field: dict[str, Any]) -> dict[str, Any]:
    """An SDK field info with its repeat mode reduced to what reaches the wire.

    protobuf-ts records PACKED (1) or UNPACKED (2) on every repeated field, but only scalar numbers
    and enums can be packed; for messages, strings and bytes both modes write the same bytes.
    """
    out = dict(sdk_field)
    if out["repeat"] and (out["kind"] == "message" or out.get("scalar") in _UNPACKABLE_SCALARS):
        out["repeat"] = "repeated"
    return out


def normalise_field(field: FieldDescriptor) -> dict[str, Any]:
    """A field in the shape encode.mjs reports for the SDK's protobuf-ts field infos (see wire_shape)."""
    if is_map(field):
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        out: dict[str, Any] = {"kind": "map", "repeat": 0, "opt": False, "key": key.type}
        if value.type == FieldDescriptor.TYPE_MESSAGE:
            out["value"] = {"kind": "message", "ref": _ref(value)}
        elif value.type == FieldDescriptor.TYPE_ENUM:
            out["value"] = {"kind": "enum", "ref": _ref(value)}
        else:
            out["value"] = {"scalar": value.type}
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        out = {"kind": "message", "ref": _ref(field)}
    elif field.type == FieldDescriptor.TYPE_ENUM:
        out = {"kind": "enum", "ref": _ref(field)}
    else:
        out = {"kind": "scalar", "scalar": field.type}
    if not is_map(field):
        repeated = is_repeated(field)
        out["repeat"] = (1 if field.type in _PACKABLE else "repeated") if repeated else 0
        out["opt"] = bool(field.has_presence and not repeated and real_oneof(field) is None)
    out.update(no=field.number, name=field.name, oneof=real_oneof(field))
    return out


def _scalar_sample(field: FieldDescriptor, index: int) -> Any:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return f"{field.name}-{index}-é✓"
    if t == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(bytes([0, 255, index]) + field.name.encode()).decode()
    if t == FieldDescriptor.TYPE_BOOL:
        return True
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return -7 - index  # negative int32: ten-byte varint on the wire
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return 4_000_000_000 + index
    if t in (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return str(1_764_000_000_123 + index)  # below 2**53: the SDK keeps these as JS numbers
    if t in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return -2.25 + index
    raise AssertionError(f"no sample for field type {t} ({field.full_name})")


def _value_sample(field: FieldDescriptor, index: int, depth: int) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return filled_json(field.message_type, depth + 1)
    if field.type == FieldDescriptor.TYPE_ENUM:
        values = field.enum_type.values
        return values[(len(values) - 1 - index) % len(values)].name
    return _scalar_sample(field, index)


def filled_json(descriptor: Descriptor, depth: int = 0) -> dict[str, Any]:
    """Canonical proto3 JSON setting every field (first member of a oneof) to a non-default value.

    Repeated fields and maps get two entries (map keys in ascending order, which is both the order
    protobuf-ts writes them in from JSON and the order deterministic Python serialization uses).
    """
    out: dict[str, Any] = {}
    if depth > 4:
        return out
    seen_oneofs: set[str] = set()
    for field in descriptor.fields:
        oneof = real_oneof(field)
        if oneof is not None:
            if oneof in seen_oneofs:
                continue
            seen_oneofs.add(oneof)
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            out[field.json_name] = {f"key-{i}": _value_sample(value_field, i, depth) for i in range(2)}
        elif is_repeated(field):
            out[field.json_name] = [_value_sample(field, i, depth) for i in range(2)]
        else:
            out[field.json_name] = _value_sample(field, 0, depth)
    return out


def zero_json(descriptor: Descriptor) -> dict[str, Any]:
    """Canonical proto3 JSON setting every field that tracks presence to its zero value.

    Such fields must still be written (explicit presence), and both encoders must agree on that.
    """
    out: dict[str, Any] = {}
    for field in descriptor.fields:
        if is_repeated(field) or not field.has_presence or real_oneof(field) is not None:
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            out[field.json_name] = {}
        elif field.type == FieldDescriptor.TYPE_ENUM:
            out[field.json_name] = field.enum_type.values_by_number[0].name
        elif field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
            out[field.json_name] = ""
        elif field.type == FieldDescriptor.TYPE_BOOL:
            out[field.json_name] = False
        elif field.type in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
            out[field.json_name] = 0.0
        elif field.cpp_type in (FieldDescriptor.CPPTYPE_INT64, FieldDescriptor.CPPTYPE_UINT64):
            out[field.json_name] = "0"
        else:
            out[field.json_name] = 0
    return out
