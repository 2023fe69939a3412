"""Meetings: create, defaults, update, replace, list, paging and validation."""

from __future__ import annotations

import pytest

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def test_create_returns_201_with_documented_defaults(emu: Emu) -> None:
    m = await emu.create_meeting(title="Standup")
    assert m["status"] == "ACTIVE"
    assert m["title"] == "Standup"
    assert m["record_on_start"] is False and m["persist_chat"] is False
    assert m["session_keep_alive_time_in_secs"] == 60
    assert m["ai_config"]["summarization"]["text_format"] == "markdown"
    assert m["created_at"] == "2026-03-02T09:00:00.000Z"


async def test_empty_body_creates_a_meeting(emu: Emu) -> None:
    r = await emu.client.post(f"{API}/meetings", content=b"")
    assert r.status_code == 201
    assert "title" not in r.json()["data"]


async def test_validation_messages_name_the_field(emu: Emu) -> None:
    cases = [
        ({"title": 5}, '"title" must be a string'),
        ({"record_on_start": "yes"}, '"record_on_start" must be a boolean'),
        (
            {"session_keep_alive_time_in_secs": 30},
            '"session_keep_alive_time_in_secs" must be greater than or equal to 60',
        ),
        (
            {"session_keep_alive_time_in_secs": 601},
            '"session_keep_alive_time_in_secs" must be less than or equal to 600',
        ),
        (
            {"recording_config": {"max_seconds": 10}},
            '"recording_config.max_seconds" must be greater than or equal to 60',
        ),
        (
            {"recording_config": {"video_config": {"codec": "AV1"}}},
            '"recording_config.video_config.codec" must be one of [H264, VP8, VP9]',
        ),
        (
            {"recording_config": {"realtimekit_bucket_config": {}}},
            '"recording_config.realtimekit_bucket_config.enabled" is required',
        ),
        (
            {"ai_config": {"summarization": {"word_limit": 5}}},
            '"ai_config.summarization.word_limit" must be greater than or equal to 150',
        ),
    ]
    for body, message in cases:
        r = await emu.client.post(f"{API}/meetings", json=body)
        assert r.status_code == 400, body
        assert r.json() == {"success": False, "error": {"code": 400, "message": message}}


async def test_patch_changes_status_and_keeps_other_fields(emu: Emu) -> None:
    m = await emu.create_meeting(title="A", persist_chat=True)
    r = await emu.client.patch(f"{API}/meetings/{m['id']}", json={"status": "INACTIVE"})
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["status"] == "INACTIVE" and data["title"] == "A" and data["persist_chat"] is True
    r = await emu.client.patch(f"{API}/meetings/{m['id']}", json={"status": "CLOSED"})
    assert r.json()["error"]["message"] == '"status" must be one of [ACTIVE, INACTIVE]'


async def test_inactive_meeting_refuses_new_sessions(emu: Emu) -> None:
    m = await emu.create_meeting()
    await emu.client.patch(f"{API}/meetings/{m['id']}", json={"status": "INACTIVE"})
    r = await emu.client.post("/_emulator/sessions", json={"meeting_id": m["id"]})
    assert r.status_code == 400
    assert "INACTIVE" in r.json()["error"]["message"]


async def test_put_replaces_settings_with_defaults(emu: Emu) -> None:
    m = await emu.create_meeting(title="A", persist_chat=True, record_on_start=True)
    r = await emu.client.put(f"{API}/meetings/{m['id']}", json={"title": "B"})
    data = r.json()["data"]
    assert data["title"] == "B" and data["persist_chat"] is False and data["record_on_start"] is False
    assert data["created_at"] == m["created_at"]


async def test_storage_secrets_are_never_returned(emu: Emu) -> None:
    config = {
        "storage_config": {
            "type": "aws",
            "bucket": "b",
            "region": "us-east-1",
            "access_key": "AK",
            "secret": "S3CR3T",
        }
    }
    m = await emu.create_meeting(recording_config=config)
    stored = m["recording_config"]["storage_config"]
    assert stored == {"type": "aws", "bucket": "b", "region": "us-east-1"}


async def test_list_pages_with_one_based_inclusive_offsets(emu: Emu) -> None:
    ids = [(await emu.create_meeting(title=f"m{i}"))["id"] for i in range(5)]
    r = await emu.client.get(f"{API}/meetings", params={"page_no": 2, "per_page": 2})
    body = r.json()
    assert body["paging"] == {"total_count": 5, "start_offset": 3, "end_offset": 4}
    assert [m["id"] for m in body["data"]] == list(reversed(ids))[2:4]
    assert all("ai_config" not in m for m in body["data"])
    r = await emu.client.get(f"{API}/meetings", params={"page_no": 9, "per_page": 2})
    assert r.json()["data"] == []
    r = await emu.client.get(f"{API}/meetings", params={"per_page": 101})
    assert r.status_code == 400


async def test_list_filters_by_search_and_status(emu: Emu) -> None:
    a = await emu.create_meeting(title="Weekly sync")
    await emu.create_meeting(title="Retro")
    await emu.client.patch(f"{API}/meetings/{a['id']}", json={"status": "INACTIVE"})
    r = await emu.client.get(f"{API}/meetings", params={"search": "weekly"})
    assert [m["id"] for m in r.json()["data"]] == [a["id"]]
    r = await emu.client.get(f"{API}/meetings", params={"status": "ACTIVE"})
    assert [m["title"] for m in r.json()["data"]] == ["Retro"]


async def test_seeded_ids_are_deterministic() -> None:
    from realtimekit_mcp.emulator import EmulatorBackend

    from .conftest import make_config

    first = EmulatorBackend(make_config(app_id=None, seed=42))
    second = EmulatorBackend(make_config(app_id=None, seed=42))
    assert first.app_id == second.app_id
    m1 = first.create_meeting(first.app_id, {"title": "x"})
    m2 = second.create_meeting(second.app_id, {"title": "x"})
    assert m1["id"] == m2["id"]
    third = EmulatorBackend(make_config(app_id=None, seed=43))
    assert third.app_id != first.app_id


async def test_patch_rejects_null_where_only_create_allows_it(emu: Emu) -> None:
    m = await emu.create_meeting(title=None, record_on_start=None)
    assert m["record_on_start"] is False
    for field, message in (
        ("title", '"title" must be a string'),
        ("record_on_start", '"record_on_start" must be a boolean'),
        ("live_stream_on_start", '"live_stream_on_start" must be a boolean'),
    ):
        r = await emu.client.patch(f"{API}/meetings/{m['id']}", json={field: None})
        assert r.status_code == 400 and r.json()["error"]["message"] == message
