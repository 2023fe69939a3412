"""The emulator against Cloudflare's OpenAPI for RealtimeKit (tests/conformance/openapi/).

1. Coverage: every (method, path) of the definition has an emulator route, or is listed in
   LIMITATIONS.md with the reason.
2. Responses: a tour calls every served operation at least once successfully and at least once
   with an error (unknown id or invalid input), and every answer, success or error, must validate
   against the response schema the definition gives for that status (errors without a documented
   schema: the definition's ``realtimekit_GenericErrorResponse``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from . import _control, _openapi
from ._data import MEETING_AI_CONFIG, MEETING_RECORDING_CONFIG, WEBHOOK_EVENTS, preset_body
from ._exchange import Exchange, Recorder, openapi_problems
from ._routes import UNKNOWN, concrete, has_route
from .conftest import ACCOUNT_PREFIX, API_PREFIX, APP_ID

REPO_ROOT = Path(__file__).resolve().parents[2]
LIMITATIONS = REPO_ROOT / "LIMITATIONS.md"


def _normalise(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


def limitation_lines() -> list[str]:
    """Lines of LIMITATIONS.md (empty if the file does not exist yet)."""
    if not LIMITATIONS.exists():
        return []
    return LIMITATIONS.read_text(encoding="utf-8").splitlines()


def documented_as_limitation(op: _openapi.Operation, lines: list[str] | None = None) -> str | None:
    """The LIMITATIONS.md line naming ``op`` (``METHOD path``, path from ``/accounts`` or after
    ``/realtime/kit``, parameter names free), if it also gives a reason (more text on the line)."""
    short = op.path[len(_openapi.PREFIX) :]
    wanted = {_normalise(op.path), _normalise(short)}
    for line in limitation_lines() if lines is None else lines:
        for match in re.finditer(r"\b(GET|POST|PUT|PATCH|DELETE)\s+`?(/[^\s`]+)`?", line):
            if match.group(1) == op.method and _normalise(match.group(2)) in wanted:
                rest = line.replace(match.group(0), "").strip(" -|:`*")
                return line if len(rest) >= 10 else None
    return None


@pytest.mark.anyio
async def test_every_openapi_operation_has_a_route_or_a_documented_limitation(emulator_app: Any) -> None:
    missing = []
    served = 0
    for op in _openapi.operations():
        if has_route(emulator_app, op.method, concrete(op)):
            served += 1
        elif documented_as_limitation(op) is None:
            missing.append(f"{op.method} {op.path} ({op.operation_id})")
    assert not missing, f"no route and not in LIMITATIONS.md: {missing}"
    assert served >= 55, served


def test_a_limitation_counts_only_with_its_method_path_and_a_reason() -> None:
    op = next(o for o in _openapi.operations() if o.operation_id == "get_app")
    assert documented_as_limitation(op, ["- `GET /apps/{id}`: not emulated, apps are fixed at start"])
    assert documented_as_limitation(op, ["- GET /accounts/{a}/realtime/kit/apps/{b} is missing: no source"])
    assert documented_as_limitation(op, ["- `GET /apps/{app_id}`"]) is None  # no reason
    assert documented_as_limitation(op, ["- `POST /apps/{app_id}`: wrong method"]) is None
    assert documented_as_limitation(op, ["- `GET /apps`: another path entirely"]) is None


# --- the tour ------------------------------------------------------------------------------------


async def _json(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.method} {response.request.url.path}: {response.text}"
    return response.json()["data"]


async def tour(http: httpx.AsyncClient) -> None:
    """Call every operation: successes first, then the errors (unknown ids, invalid input)."""
    a, p = ACCOUNT_PREFIX, API_PREFIX

    # apps
    await http.get(f"{a}/apps", params={"page_no": 1, "per_page": 10, "sort_order": "DESC"})
    await http.post(f"{a}/apps", json={"name": "tour-app"})
    await http.get(f"{a}/apps/{APP_ID}")
    await http.post(f"{a}/apps", json={})
    await http.get(f"{a}/apps", params={"per_page": "many"})
    await http.get(f"{a}/apps/{UNKNOWN}")

    # presets
    presets = await _json(await http.get(f"{p}/presets", params={"page_no": 1, "per_page": 50}))
    preset_name = presets[0]["name"]
    preset = await _json(await http.post(f"{p}/presets", json=preset_body("tour_preset")))
    await http.get(f"{p}/presets/{preset['id']}")
    await http.patch(
        f"{p}/presets/{preset['id']}", json={"name": "tour_preset_2", "config": {"max_screenshare_count": 2}}
    )
    await http.put(f"{p}/presets/{preset['id']}", json=preset_body("tour_preset_3"))
    await http.delete(f"{p}/presets/{preset['id']}")
    await http.get(f"{p}/presets", params={"page_no": -1})
    await http.post(f"{p}/presets", json={"name": "incomplete"})
    await http.get(f"{p}/presets/{UNKNOWN}")
    await http.patch(f"{p}/presets/{UNKNOWN}", json={"name": "x"})
    await http.put(f"{p}/presets/{UNKNOWN}", json=preset_body("nope"))
    await http.delete(f"{p}/presets/{UNKNOWN}")

    # meetings
    meeting = await _json(
        await http.post(
            f"{p}/meetings",
            json={
                "title": "Tour",
                "persist_chat": True,
                "transcribe_on_end": True,
                "summarize_on_end": True,
                "ai_config": MEETING_AI_CONFIG,
                "recording_config": MEETING_RECORDING_CONFIG,
            },
        )
    )
    mid = meeting["id"]
    await http.get(
        f"{p}/meetings", params={"page_no": 1, "per_page": 5, "search": "Tour", "status": "ACTIVE"}
    )
    await http.get(f"{p}/meetings/{mid}")
    await http.patch(f"{p}/meetings/{mid}", json={"title": "Tour 2", "status": "ACTIVE"})
    await http.put(
        f"{p}/meetings/{mid}", json={"title": "Tour 3", "persist_chat": True, "transcribe_on_end": True}
    )
    await http.post(f"{p}/meetings", json={"session_keep_alive_time_in_secs": 5})
    await http.get(f"{p}/meetings", params={"status": "SOMETIMES"})
    await http.get(f"{p}/meetings/{UNKNOWN}")
    await http.patch(f"{p}/meetings/{UNKNOWN}", json={"title": "x"})
    await http.put(f"{p}/meetings/{UNKNOWN}", json={"title": "x"})

    # participants
    people = [
        await _json(
            await http.post(
                f"{p}/meetings/{mid}/participants",
                json={"custom_participant_id": f"tour-{n}", "preset_name": preset_name, "name": f"T{n}"},
            )
        )
        for n in range(4)
    ]
    pid = people[0]["id"]
    await http.get(f"{p}/meetings/{mid}/participants", params={"page_no": 1, "per_page": 2})
    await http.get(f"{p}/meetings/{mid}/participants/{pid}")
    await http.patch(f"{p}/meetings/{mid}/participants/{pid}", json={"name": "T0'"})
    await http.put(
        f"{p}/meetings/{mid}/participants/{pid}",
        json={"custom_participant_id": "tour-0", "preset_name": preset_name, "name": "T0''"},
    )
    await http.post(f"{p}/meetings/{mid}/participants/{pid}/token")
    await http.delete(f"{p}/meetings/{mid}/participants/{people[3]['id']}")
    await http.post(f"{p}/meetings/{mid}/participants", json={"preset_name": preset_name})
    await http.post(
        f"{p}/meetings/{mid}/participants",
        json={"custom_participant_id": "x", "preset_name": "no_such_preset"},
    )
    await http.get(f"{p}/meetings/{UNKNOWN}/participants")
    await http.get(f"{p}/meetings/{mid}/participants/{UNKNOWN}")
    await http.patch(f"{p}/meetings/{mid}/participants/{UNKNOWN}", json={"name": "x"})
    await http.put(
        f"{p}/meetings/{mid}/participants/{UNKNOWN}",
        json={"custom_participant_id": "x", "preset_name": preset_name},
    )
    await http.post(f"{p}/meetings/{mid}/participants/{UNKNOWN}/token")
    await http.delete(f"{p}/meetings/{mid}/participants/{UNKNOWN}")

    # active session (errors before the session exists)
    await http.get(f"{p}/meetings/{mid}/active-session")
    await http.post(f"{p}/meetings/{mid}/active-session/kick", json={"participant_ids": [pid]})
    await http.post(f"{p}/meetings/{mid}/active-session/kick-all")
    await http.post(f"{p}/meetings/{mid}/active-session/mute", json={"participant_ids": [pid]})
    await http.post(f"{p}/meetings/{mid}/active-session/mute-all", json={"allow_unmute": True})
    await http.post(f"{p}/meetings/{mid}/active-session/poll", json={"question": "q?"})
    await http.get(f"{p}/recordings/active-recording/{mid}")
    await http.get(f"{p}/meetings/{mid}/active-livestream")

    seeded = await _control.start_session(
        http,
        mid,
        [q["id"] for q in people[:3]],
        chat=[(pid, "hello"), (people[1]["id"], "hi")],
        transcript=[(pid, "we begin"), (people[1]["id"], "yes")],
    )
    sid = seeded.session_id
    await http.get(f"{p}/meetings/{mid}/active-session")
    await http.post(f"{p}/meetings/{mid}/active-session/mute", json={"participant_ids": [pid]})
    await http.post(f"{p}/meetings/{mid}/active-session/mute-all", json={"allow_unmute": False})
    await http.post(
        f"{p}/meetings/{mid}/active-session/poll", json={"question": "Lunch?", "options": ["yes", "no"]}
    )
    await http.post(f"{p}/meetings/{mid}/active-session/kick", json={"participant_ids": [people[2]["id"]]})
    await http.post(f"{p}/meetings/{mid}/active-session/kick", json={"participant_ids": [UNKNOWN]})
    await http.post(f"{p}/meetings/{mid}/active-session/poll", json={"question": "q?", "options": "yes"})

    other = await _json(await http.post(f"{p}/meetings", json={"title": "Tour kick-all"}))
    await _control.start_session(http, other["id"], [])
    await http.post(f"{p}/meetings/{other['id']}/active-session/kick-all")

    # recordings
    recording = await _json(
        await http.post(
            f"{p}/recordings",
            json={
                "meeting_id": mid,
                "file_name_prefix": "tour",
                "realtimekit_bucket_config": {"enabled": True},
            },
        )
    )
    rid = recording["id"]
    await http.post(
        f"{p}/recordings/track", json={"meeting_id": mid, "layers": {"default": {"media_kind": "audio"}}}
    )
    await _control.advance(http, seconds=5)
    await http.get(f"{p}/recordings/active-recording/{mid}")
    await http.get(f"{p}/recordings/{rid}")
    await http.put(f"{p}/recordings/{rid}", json={"action": "pause"})
    await http.put(f"{p}/recordings/{rid}", json={"action": "resume"})
    await http.put(f"{p}/recordings/{rid}", json={"action": "stop"})
    await http.post(f"{p}/recordings", json={})
    await http.post(f"{p}/recordings", json={"meeting_id": UNKNOWN})
    await http.post(f"{p}/recordings/track", json={"meeting_id": UNKNOWN})
    await http.get(f"{p}/recordings/{UNKNOWN}")
    await http.put(f"{p}/recordings/{rid}", json={"action": "rewind"})
    await http.put(f"{p}/recordings/{UNKNOWN}", json={"action": "stop"})

    # livestreams
    livestream = await _json(
        await http.post(
            f"{p}/meetings/{mid}/livestreams",
            json={"name": "tour-stream", "video_config": {"width": 1280, "height": 720}},
        )
    )
    lid = livestream["id"]
    await _control.advance(http, seconds=5)
    await http.get(f"{p}/meetings/{mid}/active-livestream")
    await http.get(f"{p}/meetings/{mid}/livestream", params={"page_no": 1, "per_page": 10})
    await http.get(f"{p}/livestreams", params={"page_no": 1, "per_page": 10, "sort_order": "DSC"})
    await http.get(f"{p}/livestreams/{lid}", params={"page_no": 1, "per_page": 10})
    active_ls = await http.get(f"{p}/livestreams/{lid}/active-livestream-session")
    if active_ls.is_success:
        ls_session = active_ls.json()["data"].get("session") or {}
        if ls_session.get("id"):
            await http.get(f"{p}/livestreams/sessions/{ls_session['id']}")
    await http.post(f"{p}/meetings/{mid}/active-livestream/stop")
    await http.post(f"{p}/meetings/{UNKNOWN}/livestreams", json={})
    await http.post(f"{p}/meetings/{mid}/livestreams", json={"video_config": {"width": "wide"}})
    await http.post(f"{p}/meetings/{UNKNOWN}/active-livestream/stop")
    await http.get(f"{p}/meetings/{UNKNOWN}/livestream")
    await http.get(f"{p}/livestreams", params={"status": "WOBBLY"})
    await http.get(f"{p}/livestreams/{UNKNOWN}")
    await http.get(f"{p}/livestreams/{UNKNOWN}/active-livestream-session")
    await http.get(f"{p}/livestreams/sessions/{UNKNOWN}")

    await _control.end_session(http, sid)
    await _control.advance(http, seconds=10)
    await http.get(
        f"{p}/recordings",
        params={"meeting_id": mid, "page_no": 1, "per_page": 10, "status": "UPLOADED,ERRORED"},
    )
    await http.get(f"{p}/recordings", params={"sort_by": "size"})

    # sessions
    await http.get(
        f"{p}/sessions", params={"page_no": 1, "per_page": 10, "associated_id": mid, "sort_by": "createdAt"}
    )
    await http.get(f"{p}/sessions/{sid}", params={"include_breakout_rooms": "true"})
    participants = await _json(
        await http.get(f"{p}/sessions/{sid}/participants", params={"include_peer_events": "true"})
    )
    spid = participants["participants"][0]["id"]
    await http.get(f"{p}/sessions/{sid}/participants/{spid}", params={"include_peer_events": "true"})
    await http.get(f"{p}/sessions/peer-report/{seeded.peer_ids[pid]}", params={"filters": "device_info"})
    await http.get(f"{p}/sessions/{sid}/chat")
    await http.get(f"{p}/sessions/{sid}/transcript")
    await http.post(f"{p}/sessions/{sid}/summary")
    await http.get(f"{p}/sessions/{sid}/summary")
    await http.get(f"{p}/sessions/{sid}/livestream-sessions", params={"page_no": 1, "per_page": 10})
    await http.get(f"{p}/sessions", params={"status": "PAUSED"})
    await http.get(f"{p}/sessions/{UNKNOWN}")
    await http.get(f"{p}/sessions/{UNKNOWN}/participants")
    await http.get(f"{p}/sessions/{sid}/participants/{UNKNOWN}")
    await http.get(f"{p}/sessions/peer-report/{UNKNOWN}")
    await http.get(f"{p}/sessions/{UNKNOWN}/chat")
    await http.get(f"{p}/sessions/{UNKNOWN}/transcript")
    await http.get(f"{p}/sessions/{UNKNOWN}/summary")
    await http.post(f"{p}/sessions/{UNKNOWN}/summary")
    await http.get(f"{p}/sessions/{UNKNOWN}/livestream-sessions")

    # analytics
    await http.get(f"{p}/analytics/daywise", params={"start_date": "2026-01-01", "end_date": "2026-12-31"})
    await http.get(
        f"{p}/analytics/livestreams/overall", params={"start_time": 1767225600, "end_time": 1798761600}
    )
    await http.get(
        f"{p}/analytics/livestreams/daywise", params={"start_time": 1767225600, "end_time": 1798761600}
    )
    await http.get(f"{p}/analytics/daywise", params={"start_date": "yesterday"})
    await http.get(f"{p}/analytics/livestreams/overall", params={"start_time": "soon"})
    await http.get(f"{p}/analytics/livestreams/daywise", params={"end_time": "later"})

    # webhooks
    hook = await _json(
        await http.post(
            f"{p}/webhooks",
            json={"name": "tour", "url": "https://hooks.example.com/t", "events": WEBHOOK_EVENTS},
        )
    )
    wid = hook["id"]
    await http.get(f"{p}/webhooks")
    await http.get(f"{p}/webhooks/all")
    await http.get(f"{p}/webhooks/{wid}")
    await http.patch(f"{p}/webhooks/{wid}", json={"enabled": False})
    await http.put(
        f"{p}/webhooks/{wid}",
        json={"name": "tour2", "url": "https://hooks.example.com/u", "events": ["meeting.started"]},
    )
    await http.delete(f"{p}/webhooks/{wid}")
    await http.post(f"{p}/webhooks", json={"url": "https://hooks.example.com/t", "events": []})
    await http.get(f"{p}/webhooks/{UNKNOWN}")
    await http.get(f"{p}/webhooks/not-a-guid")
    await http.patch(f"{p}/webhooks/{UNKNOWN}", json={"enabled": True})
    await http.put(
        f"{p}/webhooks/{UNKNOWN}",
        json={"name": "x", "url": "https://hooks.example.com/x", "events": ["meeting.ended"]},
    )
    await http.delete(f"{p}/webhooks/{UNKNOWN}")
    # error for the list operations that take no input: a wrong account
    await http.get(f"/client/v4/accounts/{'f' * 32}/realtime/kit/{APP_ID}/webhooks")
    await http.get(f"/client/v4/accounts/{'f' * 32}/realtime/kit/{APP_ID}/webhooks/all")


def by_operation(exchanges: list[Exchange]) -> dict[str, list[Exchange]]:
    grouped: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        op = _openapi.find_operation(exchange.method, exchange.path)
        grouped[op.operation_id if op else f"(none) {exchange.method} {exchange.path}"].append(exchange)
    return grouped


@pytest.mark.anyio
async def test_every_response_of_every_operation_validates_against_the_openapi(
    http: httpx.AsyncClient, recorder: Recorder, emulator_app: Any
) -> None:
    await tour(http)
    problems = [problem for exchange in recorder.exchanges for problem in openapi_problems(exchange)]
    grouped = by_operation(recorder.exchanges)
    not_exercised = []
    for op in _openapi.operations():
        if not has_route(emulator_app, op.method, concrete(op)):
            continue  # a documented limitation (checked by the coverage test)
        statuses = sorted({e.status for e in grouped.get(op.operation_id, [])})
        if not any(200 <= s < 300 for s in statuses) or not any(400 <= s < 500 for s in statuses):
            not_exercised.append(f"{op.operation_id}: statuses {statuses}")
    assert not problems, "\n".join(problems)
    assert not not_exercised, "each served operation needs a 2xx and a 4xx answer:\n" + "\n".join(
        not_exercised
    )
    unused = set(_openapi.SPEC_EXCEPTIONS) - _openapi.USED_EXCEPTIONS
    assert not unused, f"stale SPEC_EXCEPTIONS entries: {unused}"


@pytest.mark.anyio
async def test_authentication_failures_use_cloudflares_gateway_envelope(http: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong-token"}):
        response = await http.get(f"{API_PREFIX}/meetings", headers=headers)
        assert response.status_code in (401, 403)
        body = response.json()
        assert body["success"] is False
        assert body["errors"][0]["code"] == 10000
        assert "wrong-token" not in response.text


def test_the_validator_catches_broken_bodies() -> None:
    """Guards against a vacuous validator (an unresolved ``$ref`` would accept anything)."""
    get_meeting = next(op for op in _openapi.operations() if op.operation_id == "get_meeting")
    good = {
        "success": True,
        "data": {
            "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08",
            "created_at": "2026-11-24T10:00:00.000Z",
            "updated_at": "2026-11-24T10:00:00.000Z",
        },
    }
    assert _openapi.schema_errors(get_meeting, 200, good) == []
    broken = {"success": "yes", "data": {"id": "497f6eca", "created_at": "yesterday", "status": "PAUSED"}}
    problems = "\n".join(_openapi.schema_errors(get_meeting, 200, broken))
    for expected in ("/success", "/data/id", "/data/created_at", "/data/status", "updated_at"):
        assert expected in problems, problems
    assert _openapi.schema_errors(get_meeting, 404, {"success": False, "error": {"code": "404"}})
    assert _openapi.schema_errors(get_meeting, 201, good), "an undocumented success status is a problem"
