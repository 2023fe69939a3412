"""The emulator accepts what Cloudflare's OpenAPI allows.

For every operation with a request body, each leaf field of the body schema is set, one at a time on
a valid baseline, to every value the schema explicitly allows at its edges: each enum value, both
booleans, ``minimum`` and ``maximum``, ``maxLength`` characters, ``null`` where the type allows it.
Query parameters get the same treatment on the list operations. Each variant must be answered 2xx:
a 4xx here means the emulator is stricter than Cloudflare's own contract.

Variants that cannot succeed for reasons outside the field (state transitions, uniqueness) are
listed in ``STATEFUL`` with the reason, not skipped silently.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from . import _openapi
from .conftest import ACCOUNT_ID, APP_ID, AUTH, BASE_URL, make_config
from .test_bad_input import baseline_body, body_keys, seed  # noqa: F401  (shared seeding)

STATEFUL: dict[str, str] = {
    # operation id -> why its body variants cannot all succeed in sequence
    "pause_resume_stop_recording": "action is a state transition (pause/resume/stop); the SDK test walks it",
}


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _openapi._resolve_pointer(node["$ref"].lstrip("#"))
    return node


def _merged(schema: Any) -> dict[str, Any]:
    """The schema with ``$ref`` and ``allOf`` folded in (properties and required merged)."""
    schema = _resolve(schema)
    if not isinstance(schema, dict):
        return {}
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        part = _merged(part)
        out.setdefault("properties", {}).update(part.get("properties", {}))
        out["required"] = sorted({*out.get("required", []), *part.get("required", [])})
        for key, value in part.items():
            if key not in ("properties", "required"):
                out.setdefault(key, value)
    return out


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, list):
        return set(declared)
    return {declared} if declared else set()


def minimal(schema: Any) -> Any:
    """A small value the schema accepts (for required siblings of a varied field)."""
    schema = _merged(schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    types = _types(schema)
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
    types = _types(schema)
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
    schema = _merged(schema)
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
    return _resolve(operation["requestBody"])["content"]["application/json"]["schema"]


def apply(body: dict[str, Any], root_schema: Any, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``body`` with ``path`` set to ``value``; missing parents get their required fields."""
    out = copy.deepcopy(body)
    node, schema = out, _merged(root_schema)
    for name in path[:-1]:
        sub = _merged(schema.get("properties", {}).get(name, {}))
        if not isinstance(node.get(name), dict):
            node[name] = minimal(sub) or {}
        node, schema = node[name], sub
    node[path[-1]] = value
    return out


def body_cases() -> list[tuple[str, tuple[str, ...], Any]]:
    cases = []
    for op in _openapi.operations():
        schema = request_schema(op)
        if schema is None or op.operation_id in STATEFUL:
            continue
        for path, value, _ in leaf_variants(schema):
            cases.append((op.operation_id, path, value))
    return cases


CASES = body_cases()


def concrete_path(op: _openapi.Operation, ids: dict[str, list[str]]) -> str:
    path = op.path.replace("{account_id}", ACCOUNT_ID).replace("{app_id}", APP_ID)
    for name, pool in ids.items():
        path = path.replace("{" + name + "}", pool[0])
    return "/client/v4" + path


@pytest.fixture(scope="module")
def seeded_client() -> Iterator[tuple[TestClient, dict[str, list[str]], str]]:
    from realtimekit_mcp.emulator import create_app

    app = create_app(make_config())
    with TestClient(app, base_url=BASE_URL, headers=AUTH, raise_server_exceptions=False) as client:
        ids, preset_name = seed(client)
        yield client, ids, preset_name


def test_every_body_field_has_edge_cases() -> None:
    assert len(CASES) > 150, len(CASES)


@pytest.mark.parametrize(
    ("operation_id", "path", "value"), CASES, ids=[f"{o}:{'.'.join(p)}={v!r}"[:90] for o, p, v in CASES]
)
def test_the_emulator_accepts_every_edge_value_the_openapi_allows(
    seeded_client: tuple[TestClient, dict[str, list[str]], str],
    operation_id: str,
    path: tuple[str, ...],
    value: Any,
) -> None:
    client, ids, preset_name = seeded_client
    op = next(o for o in _openapi.operations() if o.operation_id == operation_id)
    baseline = baseline_body(op, ids, preset_name)
    assert baseline is not None, f"no baseline body for {operation_id}"
    if operation_id in ("post-presets", "put-presets-preset_id"):
        baseline["name"] = f"edge_{operation_id[:4]}_{'_'.join(path)}_{value!r}"[:120]
    if operation_id in ("addWebhook",):
        baseline["name"] = f"edge {path}"
    body = apply(baseline, request_schema(op), path, value)
    if operation_id == "start-livestreaming":  # one livestream per meeting at a time
        client.post(f"{concrete_path(op, ids).rsplit('/', 1)[0]}/active-livestream/stop")
    if operation_id == "start_recording" and body.get("allow_multiple_recordings") is False:
        # one recording per meeting unless allow_multiple_recordings: stop what runs
        recordings = client.get(concrete_path(op, ids), params={"meeting_id": body["meeting_id"]}).json()[
            "data"
        ]
        for recording in recordings:
            if recording["status"] in ("INVOKED", "RECORDING", "PAUSED"):
                client.put(f"{concrete_path(op, ids)}/{recording['id']}", json={"action": "stop"})
    response = client.request(op.method, concrete_path(op, ids), json=body)
    assert response.is_success, (
        f"{op.method} {op.path} with {'.'.join(path)}={value!r}: {response.status_code} {response.text[:300]}"
    )


def query_cases() -> list[tuple[str, str, str]]:
    cases = []
    for op in _openapi.operations():
        if op.method != "GET":
            continue
        for where in (op.pointer.rsplit("/", 1)[0], op.pointer):
            for param in _openapi._resolve_pointer(where).get("parameters", []):
                param = _resolve(param)
                if param.get("in") != "query":
                    continue
                schema = _merged(param.get("schema", {}))
                values = edge_values(schema)
                if "array" in _types(schema):
                    values = edge_values(_merged(schema.get("items", {})))
                for value in values:
                    if value is None:
                        continue
                    text = str(value).lower() if isinstance(value, bool) else str(value)
                    cases.append((op.operation_id, param["name"], text))
    return cases


QUERY_CASES = query_cases()


def test_every_query_parameter_has_edge_cases() -> None:
    assert len(QUERY_CASES) > 40, len(QUERY_CASES)


@pytest.mark.parametrize(
    ("operation_id", "name", "value"), QUERY_CASES, ids=[f"{o}:{n}={v}" for o, n, v in QUERY_CASES]
)
def test_the_emulator_accepts_every_edge_query_value_the_openapi_allows(
    seeded_client: tuple[TestClient, dict[str, list[str]], str], operation_id: str, name: str, value: str
) -> None:
    client, ids, _ = seeded_client
    op = next(o for o in _openapi.operations() if o.operation_id == operation_id)
    path = concrete_path(op, ids)
    if op.path.endswith("/transcript"):  # transcripts exist once a session has ended
        path = path.replace(ids["session_id"][0], ids["session_id"][1])
    response = client.get(path, params={name: value})
    assert response.is_success, f"GET {op.path}?{name}={value}: {response.status_code} {response.text[:300]}"
