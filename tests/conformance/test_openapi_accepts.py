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

from typing import Any

import pytest
from starlette.testclient import TestClient

from . import _openapi
from ._schema import apply, edge_values, leaf_variants, merged, request_schema, resolve, types_of
from ._seed import baseline_body, concrete_path

STATEFUL: dict[str, str] = {
    # operation id -> why its body variants cannot all succeed in sequence
    "pause_resume_stop_recording": "action is a state transition (pause/resume/stop); the SDK test walks it",
}


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
                param = resolve(param)
                if param.get("in") != "query":
                    continue
                schema = merged(param.get("schema", {}))
                values = edge_values(schema)
                if "array" in types_of(schema):
                    values = edge_values(merged(schema.get("items", {})))
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
