"""Webhook configuration CRUD and the event list (delivery is tested in test_webhooks*.py)."""

from __future__ import annotations

import pytest

from realtimekit_mcp.emulator.events import WEBHOOK_EVENTS

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def test_crud(emu: Emu) -> None:
    body = {"name": "rec", "url": "https://example.com/hook", "events": ["recording.statusUpdate"]}
    r = await emu.client.post(f"{API}/webhooks", json=body)
    assert r.status_code == 201
    hook = r.json()["data"]
    assert hook["enabled"] is True and hook["events"] == ["recording.statusUpdate"]
    url = f"{API}/webhooks/{hook['id']}"
    r = await emu.client.patch(url, json={"enabled": False})
    assert r.json()["data"]["enabled"] is False and r.json()["data"]["name"] == "rec"
    r = await emu.client.put(
        url, json={"name": "all", "url": "https://example.com/2", "events": list(WEBHOOK_EVENTS)}
    )
    assert r.json()["data"]["enabled"] is True and r.json()["data"]["name"] == "all"
    r = await emu.client.get(f"{API}/webhooks")
    assert [w["id"] for w in r.json()["data"]] == [hook["id"]]
    assert "paging" not in r.json()
    r = await emu.client.delete(url)
    assert r.json()["data"]["id"] == hook["id"]
    assert (await emu.client.get(url)).status_code == 404


async def test_validation(emu: Emu) -> None:
    r = await emu.client.post(f"{API}/webhooks", json={"url": "https://x", "events": ["meeting.started"]})
    assert r.json() == {"success": False, "error": {"code": 400, "message": '"name" is required'}}
    r = await emu.client.post(
        f"{API}/webhooks", json={"name": "x", "url": "nope", "events": ["meeting.started"]}
    )
    assert r.json()["error"]["message"] == '"url" must be a valid uri'
    r = await emu.client.post(
        f"{API}/webhooks", json={"name": "x", "url": "https://x", "events": ["meeting.exploded"]}
    )
    assert r.json()["error"]["message"].startswith('"events[0]" must be one of [meeting.started,')
    r = await emu.client.get(f"{API}/webhooks/not-a-guid")
    assert r.json()["error"]["message"] == '"webhook_id" must be a valid GUID'


async def test_event_list(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/webhooks/all")
    assert r.json() == {"success": True, "data": list(WEBHOOK_EVENTS)}
