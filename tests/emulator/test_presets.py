"""Presets: defaults, CRUD, deep-partial update and validation."""

from __future__ import annotations

import copy

import pytest

from realtimekit_mcp.emulator.presets import DEFAULT_PRESETS, default_preset_body

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def test_a_new_app_has_the_default_presets(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/presets", params={"per_page": 50})
    names = [p["name"] for p in r.json()["data"]]
    assert names == [name for name, _, _ in DEFAULT_PRESETS]
    assert set(r.json()["data"][0]) == {"id", "name", "created_at", "updated_at"}


async def test_every_default_preset_passes_create_validation(emu: Emu) -> None:
    for name, view_type, host in DEFAULT_PRESETS:
        body = default_preset_body(f"copy_{name}", view_type, host)
        r = await emu.client.post(f"{API}/presets", json=body)
        assert r.status_code == 201, r.text


async def test_create_get_patch_put_delete(emu: Emu) -> None:
    body = default_preset_body("agent", "GROUP_CALL", False)
    r = await emu.client.post(f"{API}/presets", json=body)
    assert r.status_code == 201
    preset = r.json()["data"]
    assert preset["name"] == "agent" and preset["permissions"]["hidden_participant"] is False
    url = f"{API}/presets/{preset['id']}"
    r = await emu.client.patch(url, json={"permissions": {"hidden_participant": True}})
    patched = r.json()["data"]
    assert patched["permissions"]["hidden_participant"] is True
    assert patched["permissions"]["can_record"] is False  # untouched by the deep merge
    replaced = copy.deepcopy(body)
    replaced["config"]["view_type"] = "WEBINAR"
    r = await emu.client.put(url, json=replaced)
    assert r.json()["data"]["config"]["view_type"] == "WEBINAR"
    r = await emu.client.delete(url)
    assert r.json()["data"]["id"] == preset["id"]
    assert (await emu.client.get(url)).status_code == 404


async def test_create_requires_every_section_and_names_nested_fields(emu: Emu) -> None:
    body = default_preset_body("x", "GROUP_CALL", True)
    r = await emu.client.post(f"{API}/presets", json={"name": "x"})
    assert r.json()["error"]["message"] == '"config" is required'
    broken = copy.deepcopy(body)
    del broken["permissions"]["chat"]["private"]["can_receive"]
    r = await emu.client.post(f"{API}/presets", json=broken)
    assert r.json()["error"]["message"] == '"permissions.chat.private.can_receive" is required'
    broken = copy.deepcopy(body)
    broken["config"]["media"]["video"]["frame_rate"] = 60
    r = await emu.client.post(f"{API}/presets", json=broken)
    assert r.json()["error"]["message"] == '"config.media.video.frame_rate" must be less than or equal to 30'
    broken = copy.deepcopy(body)
    broken["ui"]["design_tokens"]["theme"] = "neon"
    r = await emu.client.post(f"{API}/presets", json=broken)
    assert r.json()["error"]["message"] == '"ui.design_tokens.theme" must be one of [darkest, dark, light]'


async def test_patch_cannot_make_a_preset_invalid(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/presets")
    preset_id = r.json()["data"][0]["id"]
    r = await emu.client.patch(f"{API}/presets/{preset_id}", json={"config": {"view_type": "MOVIE"}})
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == '"config.view_type" must be one of [GROUP_CALL, WEBINAR, AUDIO_ROOM, LIVESTREAM]'
    )


async def test_duplicate_names_conflict(emu: Emu) -> None:
    body = default_preset_body("group_call_host", "GROUP_CALL", True)
    r = await emu.client.post(f"{API}/presets", json=body)
    assert r.status_code == 409


async def test_renaming_a_preset_updates_its_participants(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"], preset_name="audio_room_host")
    r = await emu.client.get(f"{API}/presets", params={"search": "audio_room_host"})
    preset_id = r.json()["data"][0]["id"]
    await emu.client.patch(f"{API}/presets/{preset_id}", json={"name": "stage_host"})
    r = await emu.client.get(f"{API}/meetings/{m['id']}/participants/{p['id']}")
    assert r.json()["data"]["preset_name"] == "stage_host"
