"""Participants and their tokens."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from realtimekit_mcp.emulator.backend import InvalidToken

from .conftest import API, APP, Emu

pytestmark = pytest.mark.anyio


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


async def test_add_returns_201_with_a_jwt_carrying_the_documented_claims(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"], "alice", name="Alice")
    assert p["preset_name"] == "group_call_host" and p["name"] == "Alice"
    token = p["token"]
    assert token.startswith("eyJ")
    c = claims(token)
    assert c["meetingId"] == m["id"] and c["orgId"] == APP and c["participantId"] == p["id"]
    assert isinstance(c["presetId"], str)
    assert int(c["exp"]) - int(c["iat"]) == 100 * 86400  # type: ignore[call-overload]


async def test_token_payload_segment_is_atob_safe(emu: Emu) -> None:
    m = await emu.create_meeting()
    for i in range(25):
        p = await emu.add_participant(m["id"], f"user-{i}_x")
        payload = p["token"].split(".")[1]
        assert "-" not in payload and "_" not in payload


async def test_unknown_preset_name_is_400_naming_the_field(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.post(
        f"{API}/meetings/{m['id']}/participants", json={"custom_participant_id": "a", "preset_name": "boss"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith('"preset_name" must name an existing preset')


async def test_required_fields_are_named(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.post(
        f"{API}/meetings/{m['id']}/participants", json={"preset_name": "group_call_host"}
    )
    assert r.json()["error"]["message"] == '"custom_participant_id" is required'
    r = await emu.client.post(f"{API}/meetings/{m['id']}/participants", json={"custom_participant_id": "a"})
    assert r.json()["error"]["message"] == '"preset_name" is required'
    r = await emu.client.post(
        f"{API}/meetings/{m['id']}/participants",
        json={"custom_participant_id": "a", "preset_name": "group_call_host", "picture": "not a url"},
    )
    assert r.json()["error"]["message"] == '"picture" must be a valid uri'


async def test_get_and_list_never_return_tokens(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    r = await emu.client.get(f"{API}/meetings/{m['id']}/participants/{p['id']}")
    assert "token" not in r.json()["data"]
    r = await emu.client.get(f"{API}/meetings/{m['id']}/participants")
    assert r.json()["paging"]["total_count"] == 1
    assert "token" not in r.json()["data"][0]


async def test_participant_of_another_meeting_is_404(emu: Emu) -> None:
    m1 = await emu.create_meeting()
    m2 = await emu.create_meeting()
    p = await emu.add_participant(m1["id"])
    r = await emu.client.get(f"{API}/meetings/{m2['id']}/participants/{p['id']}")
    assert r.status_code == 404


async def test_edit_changes_preset_and_returns_a_new_token(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    r = await emu.client.patch(
        f"{API}/meetings/{m['id']}/participants/{p['id']}",
        json={"preset_name": "webinar_participant", "name": "B"},
    )
    data = r.json()["data"]
    assert data["preset_name"] == "webinar_participant" and data["name"] == "B"
    assert data["token"] != p["token"]
    assert claims(data["token"])["participantId"] == p["id"]


async def test_replace_requires_the_full_body(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    url = f"{API}/meetings/{m['id']}/participants/{p['id']}"
    r = await emu.client.put(url, json={"name": "x"})
    assert r.status_code == 400
    r = await emu.client.put(url, json={"custom_participant_id": "new", "preset_name": "livestream_viewer"})
    assert r.json()["data"]["custom_participant_id"] == "new"
    assert r.json()["data"]["name"] is None


async def test_refresh_issues_a_new_token_for_the_same_participant(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    r = await emu.client.post(f"{API}/meetings/{m['id']}/participants/{p['id']}/token")
    assert r.status_code == 200
    token = r.json()["data"]["token"]
    assert token != p["token"]
    assert claims(token)["participantId"] == p["id"]
    assert emu.backend.verify_participant_token(token)["participant"]["id"] == p["id"]


async def test_delete_returns_preset_id_and_revokes_tokens(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    verified = emu.backend.verify_participant_token(p["token"])
    assert verified["meeting"]["id"] == m["id"]
    r = await emu.client.delete(f"{API}/meetings/{m['id']}/participants/{p['id']}")
    data = r.json()["data"]
    assert set(data) == {"created_at", "custom_participant_id", "preset_id", "updated_at"}
    assert data["preset_id"] == claims(p["token"])["presetId"]
    with pytest.raises(InvalidToken, match="revoked"):
        emu.backend.verify_participant_token(p["token"])
    r = await emu.client.get(f"{API}/meetings/{m['id']}/participants/{p['id']}")
    assert r.status_code == 404


async def test_forged_and_expired_tokens_are_rejected(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    forged = jwt.encode(claims(p["token"]), "not-the-secret-but-long-enough-for-hs256!", algorithm="HS256")
    with pytest.raises(InvalidToken):
        emu.backend.verify_participant_token(forged)
    with pytest.raises(InvalidToken):
        emu.backend.verify_participant_token("garbage")
    await emu.advance(100 * 86400 + 1)
    with pytest.raises(InvalidToken, match="expired"):
        emu.backend.verify_participant_token(p["token"])


async def test_a_token_minted_after_the_clock_ran_ahead_of_the_wall_clock_is_accepted(emu: Emu) -> None:
    # The emulator's clock, not the wall clock, judges a token's times: once the clock is advanced
    # past the real time, new tokens carry an "iat" in the wall clock's future and must still work.
    m = await emu.create_meeting()
    first = await emu.add_participant(m["id"])
    emulator_now = int(str(claims(first["token"])["iat"]))
    await emu.advance(max(0, time.time() - emulator_now) + 2 * 86400)
    later = await emu.add_participant(m["id"], "p2")
    assert int(str(claims(later["token"])["iat"])) > time.time() + 86400
    details = emu.backend.verify_participant_token(later["token"])
    assert details["participant"]["id"] == later["id"]
