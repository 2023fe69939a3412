"""Walking the OpenAPI's request schemas: resolve ``$ref``/``allOf``, edge values, field paths."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from . import _openapi


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _openapi._resolve_pointer(node["$ref"].lstrip("#"))
    return node


def merged(schema: Any) -> dict[str, Any]:
    """The schema with ``$ref`` and ``allOf`` folded in (properties and required merged)."""
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return {}
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        part = merged(part)
        out.setdefault("properties", {}).update(part.get("properties", {}))
        out["required"] = sorted({*out.get("required", []), *part.get("required", [])})
        for key, value in part.items():
            if key not in ("properties", "required"):
                out.setdefault(key, value)
    return out


def types_of(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, list):
        return set(declared)
    return {declared} if declared else set()


def minimal(schema: Any) -> Any:
    """A small value the schema accepts (for required siblings of a varied field)."""
    schema = merged(schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    types = types_of(schema)
    if "object" in types or "properties" in schema:
        return {
            name: minimal(sub)
            for name, sub in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if "array" in types:
        return []
    if "boolean" in types:
        return False
    if "integer" in types or "number" in types:
        return schema.get("minimum", 1)
    if schema.get("format") == "uri":
        return "https://example.com/x"
    if "string" in types:
        return "x" * max(1, schema.get("minLength", 1))
    return None


def edge_values(schema: dict[str, Any]) -> list[Any]:
    """Values at the edges of what the schema allows."""
    values: list[Any] = []
    types = types_of(schema)
    if "enum" in schema:
        values.extend(schema["enum"])
    elif "boolean" in types:
        values.extend([True, False])
    elif types & {"integer", "number"}:
        values.extend(schema[k] for k in ("minimum", "maximum") if k in schema)
    elif (
        "string" in types and "maxLength" in schema and not schema.get("format") and not schema.get("pattern")
    ):
        values.append("y" * schema["maxLength"])
    if "null" in types:
        values.append(None)
    return values


def leaf_variants(
    schema: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any, dict[str, Any]]]:
    """(path, value, parent schemas by depth) for every edge value of every leaf."""
    schema = merged(schema)
    if "oneOf" in schema or "anyOf" in schema:
        return  # alternatives (storage_config...) need whole-object variants; out of scope here
    properties = schema.get("properties", {})
    if not properties:
        for value in edge_values(schema):
            yield path, value, schema
        return
    for name, sub in properties.items():
        yield from leaf_variants(sub, (*path, name))


def request_schema(op: _openapi.Operation) -> Any:
    operation = _openapi._resolve_pointer(op.pointer)
    if "requestBody" not in operation:
        return None
    return resolve(operation["requestBody"])["content"]["application/json"]["schema"]


def apply(body: dict[str, Any], root_schema: Any, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``body`` with ``path`` set to ``value``; missing parents get their required fields."""
    out = copy.deepcopy(body)
    node, schema = out, merged(root_schema)
    for name in path[:-1]:
        sub = merged(schema.get("properties", {}).get(name, {}))
        if not isinstance(node.get(name), dict):
            node[name] = minimal(sub) or {}
        node, schema = node[name], sub
    node[path[-1]] = value
    return out


def _schema_at(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _openapi._resolve_pointer(node["$ref"].lstrip("#"))
    return node


def body_keys(op: _openapi.Operation) -> list[str]:
    """Property names of the operation's request body schema (top level and one level down)."""
    operation = _openapi._resolve_pointer(op.pointer)
    if "requestBody" not in operation:
        return []
    request_body = _schema_at(operation["requestBody"])
    schema = _schema_at(request_body.get("content", {}).get("application/json", {}).get("schema", {}))
    keys: list[str] = []
    for name, sub in schema.get("properties", {}).items():
        keys.append(name)
        for nested in _schema_at(sub).get("properties", {}) if isinstance(_schema_at(sub), dict) else {}:
            keys.append(f"{name}.{nested}")
    return keys


def query_names(op: _openapi.Operation) -> list[str]:
    names = []
    for where in (op.pointer.rsplit("/", 1)[0], op.pointer):
        for param in _openapi._resolve_pointer(where).get("parameters", []):
            param = _schema_at(param)
            if param.get("in") == "query":
                names.append(param["name"])
    return names
