"""A seeded emulator (one of everything) and valid request bodies, shared by the input tests."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from . import _control, _openapi
from ._data import MEETING_AI_CONFIG, MEETING_RECORDING_CONFIG, WEBHOOK_EVENTS, preset_body
from .conftest import ACCOUNT_ID, API_PREFIX, APP_ID

Ids = dict[str, list[str]]
"""Real ids by path-parameter name (``meeting_id``, ``participant_id``, ...)."""


def baseline_body(
    op: _openapi.Operation, ids: dict[str, list[str]], preset_name: str
) -> dict[str, Any] | None:
    """A valid body for ``op`` (None when the operation takes no body)."""
    meeting_id = ids["meeting_id"][0]
    participant_id = ids["participant_id"][0]
    bodies: dict[str, dict[str, Any]] = {
        "create_app": {"name": "fuzz-app"},
        "create_meeting": {
            "title": "fuzz",
            "ai_config": MEETING_AI_CONFIG,
            "recording_config": MEETING_RECORDING_CONFIG,
        },
        "update_meeting": {"title": "fuzz", "status": "ACTIVE", "session_keep_alive_time_in_secs": 90},
        "replace_meeting": {"title": "fuzz", "persist_chat": True},
        "add_participant": {"custom_participant_id": "fz", "preset_name": preset_name, "name": "F"},
        "edit_participant": {"name": "F2", "preset_name": preset_name},
        "replace_participant": {"custom_participant_id": "fz", "preset_name": preset_name, "name": "F3"},
        "KickPartcipants": {"participant_ids": [participant_id]},
        "MuteParticipants": {"participant_ids": [participant_id]},
        "MuteAllParticipants": {"allow_unmute": True},
        "CreatePoll": {"question": "q?", "options": ["a", "b"], "anonymous": False, "hide_votes": False},
        "start-livestreaming": {"name": "fuzz", "video_config": {"width": 1280, "height": 720}},
        "post-presets": preset_body("fuzz_preset"),
        "patch-presets-preset_id": {"name": "fuzz_preset_2", "config": {"max_screenshare_count": 2}},
        "put-presets-preset_id": preset_body("fuzz_preset_3"),
        "start_recording": {"meeting_id": meeting_id, "allow_multiple_recordings": True, "max_seconds": 120},
        "startTrackRecordingForAMeeting": {
            "meeting_id": meeting_id,
            "layers": {"default": {"media_kind": "audio"}},
        },
        "pause_resume_stop_recording": {"action": "pause"},
        "addWebhook": {"name": "fz", "url": "https://hooks.example.com/f", "events": WEBHOOK_EVENTS[:2]},
        "editWebhook": {"enabled": False},
        "replaceWebhook": {"name": "fz", "url": "https://hooks.example.com/g", "events": WEBHOOK_EVENTS},
    }
    return bodies.get(op.operation_id)


def data(response: Any) -> Any:
    assert response.is_success, f"seed {response.request.method} {response.request.url.path}: {response.text}"
    return response.json()["data"]


def seed(client: TestClient) -> tuple[dict[str, list[str]], str]:
    """Create one of everything; return the ids by path-parameter name, and a preset name.

    ``ids["meeting_id"][0]`` is a meeting with a LIVE session.
    """
    p = API_PREFIX

    preset_name = data(client.get(f"{p}/presets"))[0]["name"]
    preset = data(client.post(f"{p}/presets", json=preset_body("fuzz_seed")))
    live = data(client.post(f"{p}/meetings", json={"title": "live", "persist_chat": True}))
    idle = data(client.post(f"{p}/meetings", json={"title": "idle"}))
    people = [
        data(
            client.post(
                f"{p}/meetings/{live['id']}/participants",
                json={"custom_participant_id": f"s{n}", "preset_name": preset_name},
            )
        )
        for n in range(3)
    ]
    ended = _control.start_session_sync(client, idle["id"], [], chat=(), transcript=())
    client.post(  # a finished session with a transcript (exports exist only after the end)
        "/_emulator/sessions",
        json={
            "meeting_id": idle["id"],
            "transcript": [{"text": "done"}],
            "chat": [{"text": "bye"}],
            "end": True,
        },
    )
    _control.end_session_sync(client, ended.session_id)
    seeded = _control.start_session_sync(
        client,
        live["id"],
        [q["id"] for q in people],
        chat=[(people[0]["id"], "hi")],
        transcript=[(people[0]["id"], "yo")],
    )
    recording = data(client.post(f"{p}/recordings", json={"meeting_id": live["id"]}))
    livestream = data(client.post(f"{p}/meetings/{live['id']}/livestreams", json={}))
    hook = data(
        client.post(
            f"{p}/webhooks",
            json={"name": "s", "url": "https://hooks.example.com/s", "events": WEBHOOK_EVENTS},
        )
    )
    session_participants = data(client.get(f"{p}/sessions/{seeded.session_id}/participants"))["participants"]
    ids = {
        "meeting_id": [live["id"], idle["id"]],
        "participant_id": [q["id"] for q in people] + [sp["id"] for sp in session_participants],
        "preset_id": [preset["id"]] + [q["id"] for q in data(client.get(f"{p}/presets"))],
        "session_id": [seeded.session_id, ended.session_id],
        "peer_id": list(seeded.peer_ids.values()),
        "recording_id": [recording["id"]],
        "livestream_id": [livestream["id"]],
        "webhook_id": [hook["id"]],
    }
    active = client.get(f"{p}/livestreams/{livestream['id']}/active-livestream-session")
    if active.is_success and (active.json()["data"].get("session") or {}).get("id"):
        ids["livestream-session-id"] = [active.json()["data"]["session"]["id"]]
    return ids, preset_name


def concrete_path(op: _openapi.Operation, ids: dict[str, list[str]]) -> str:
    path = op.path.replace("{account_id}", ACCOUNT_ID).replace("{app_id}", APP_ID)
    for name, pool in ids.items():
        path = path.replace("{" + name + "}", pool[0])
    return "/client/v4" + path
