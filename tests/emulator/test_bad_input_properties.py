"""Property test: arbitrary JSON bodies and query strings never produce a 5xx."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from realtimekit_mcp.emulator import create_app

from .conftest import API, TOKEN, make_config

_app = create_app(make_config())
_client = TestClient(_app, headers={"Authorization": f"Bearer {TOKEN}"})
_meeting = _client.post(f"{API}/meetings", json={"title": "fuzz"}).json()["data"]["id"]
_client.post("/_emulator/sessions", json={"meeting_id": _meeting})
_participant = _client.post(
    f"{API}/meetings/{_meeting}/participants",
    json={"custom_participant_id": "f", "preset_name": "group_call_host"},
).json()["data"]["id"]
_preset = _client.get(f"{API}/presets").json()["data"][0]["id"]

TARGETS = [
    ("POST", "/meetings"),
    ("PATCH", f"/meetings/{_meeting}"),
    ("PUT", f"/meetings/{_meeting}"),
    ("POST", f"/meetings/{_meeting}/participants"),
    ("PATCH", f"/meetings/{_meeting}/participants/{_participant}"),
    ("PUT", f"/meetings/{_meeting}/participants/{_participant}"),
    ("POST", f"/meetings/{_meeting}/active-session/kick"),
    ("POST", f"/meetings/{_meeting}/active-session/mute"),
    ("POST", f"/meetings/{_meeting}/active-session/mute-all"),
    ("POST", f"/meetings/{_meeting}/active-session/poll"),
    ("POST", "/presets"),
    ("PATCH", f"/presets/{_preset}"),
    ("POST", "/recordings"),
    ("POST", "/recordings/track"),
    ("POST", f"/meetings/{_meeting}/livestreams"),
    ("POST", "/webhooks"),
]
QUERY_TARGETS = ["/meetings", "/sessions", "/recordings", "/livestreams", "/presets", "/analytics/daywise"]
QUERY_NAMES = [
    "page_no",
    "per_page",
    "status",
    "start_time",
    "end_time",
    "search",
    "sort_order",
    "sort_by",
    "participants",
    "expired",
    "start_date",
    "end_date",
    "meeting_id",
    "exclude_meetings",
]

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
keys = st.sampled_from(
    [
        "title",
        "name",
        "url",
        "events",
        "preset_name",
        "custom_participant_id",
        "picture",
        "meeting_id",
        "status",
        "question",
        "options",
        "participant_ids",
        "custom_participant_ids",
        "config",
        "permissions",
        "ui",
        "recording_config",
        "ai_config",
        "max_seconds",
        "layers",
        "user_ids",
        "allow_unmute",
        "video_config",
        "session_keep_alive_time_in_secs",
        "storage_config",
        "action",
    ]
) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), body=json_values)
def test_random_json_bodies_get_a_4xx_or_2xx_envelope(target: tuple[str, str], body: Any) -> None:
    method, path = target
    r = _client.request(
        method, API + path, content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert r.status_code < 500, (method, path, body, r.text)
    assert "success" in r.json()


@settings(max_examples=300, deadline=None)
@given(
    path=st.sampled_from(QUERY_TARGETS),
    params=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), st.text(max_size=12)), max_size=4),
)
def test_random_query_strings_never_get_a_5xx(path: str, params: list[tuple[str, str]]) -> None:
    r = _client.get(API + path, params=[(k, v.encode("utf-8", "replace").decode()) for k, v in params])
    assert r.status_code < 500, (path, params, r.text)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=64), segment=st.text(min_size=1, max_size=40))
def test_raw_bodies_and_odd_ids_never_get_a_5xx(raw: bytes, segment: str) -> None:
    r = _client.post(f"{API}/meetings", content=raw)
    assert r.status_code < 500
    safe = quote(segment.encode("utf-8", "replace"), safe="")
    for path in (f"/meetings/{safe}", f"/livestreams/{safe}", f"/sessions/{safe}/participants"):
        r = _client.get(API + path)
        assert r.status_code < 500, (path, r.text)
