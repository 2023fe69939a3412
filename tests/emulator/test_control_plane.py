"""The /_emulator control plane, signed downloads and persistence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from realtimekit_mcp.emulator import EmulatorBackend, EmulatorConfig, create_app

from .conftest import ACCOUNT, API, APP, TOKEN, Emu, make_config

pytestmark = pytest.mark.anyio


async def test_info_never_returns_the_token(emu: Emu) -> None:
    r = await emu.client.get("/_emulator/info", headers={"Authorization": ""})
    data = r.json()["data"]
    assert data["account_id"] == ACCOUNT and data["app_id"] == APP
    assert data["api_base_url"] == "http://emulator.local/client/v4"
    assert TOKEN not in r.text


async def test_state_reset_and_advance(emu: Emu) -> None:
    m = await emu.create_meeting()
    state = (await emu.client.get("/_emulator/state")).json()["data"]
    assert state["counts"]["meeting"] == 1 and state["ids"]["meeting"] == [m["id"]]
    assert state["counts"]["preset"] == 8
    r = await emu.client.post("/_emulator/clock/advance", json={"seconds": 90})
    assert r.json()["data"]["now"] == "2026-03-02T09:01:30.000Z"
    r = await emu.client.post("/_emulator/clock/advance", json={"seconds": -1})
    assert r.status_code == 400
    r = await emu.client.post("/_emulator/clock/advance", json={})
    assert r.json()["error"]["message"] == '"seconds" is required'
    await emu.client.post("/_emulator/reset")
    state = (await emu.client.get("/_emulator/state")).json()["data"]
    assert "meeting" not in state["counts"] and state["counts"]["preset"] == 8
    assert (await emu.client.get(f"{API}/meetings/{m['id']}")).status_code == 404


async def test_end_session_through_the_control_plane(emu: Emu) -> None:
    m = await emu.create_meeting()
    seed = await emu.seed(m["id"])
    r = await emu.client.post(f"/_emulator/sessions/{seed['session']['id']}/end", json={})
    assert r.json()["data"]["status"] == "ENDED"
    r = await emu.client.post("/_emulator/sessions/00000000-0000-4000-8000-000000000000/end")
    assert r.status_code == 404


async def test_seed_validation_and_existing_participants(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"], "known")
    seed = await emu.seed(m["id"], participants=[{"participant_id": p["id"]}])
    assert seed["peers"][0]["participant_id"] == p["id"]
    r = await emu.client.post(
        "/_emulator/sessions", json={"meeting_id": m["id"], "chat": [{"participant": "ghost", "text": "x"}]}
    )
    assert r.status_code == 400
    assert emu.sink.names().count("meeting.started") == 1  # the rejected seed emitted nothing
    r = await emu.client.post("/_emulator/sessions", json={})
    assert r.json()["error"]["message"] == '"meeting_id" is required'


async def test_control_plane_needs_the_token_off_loopback() -> None:
    app = create_app(make_config())
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:
        r = await client.post("/_emulator/reset")
        assert r.status_code == 401
        r = await client.post("/_emulator/reset", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200


async def chat_url(emu: Emu) -> str:
    m = await emu.create_meeting()
    seed = await emu.seed(m["id"], chat=[{"text": "hello"}], end=True)
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/chat")
    url: str = r.json()["data"]["chat_download_url"]
    return url.split("emulator.local", 1)[1]


async def test_download_urls_are_signed_and_expire(emu: Emu) -> None:
    path = await chat_url(emu)
    anonymous: dict[str, Any] = {"Authorization": ""}
    assert (await emu.client.get(path, headers=anonymous)).status_code == 200
    tampered = path.replace("/chat/", "/transcript-csv/")
    r = await emu.client.get(tampered)
    assert r.status_code == 403 and r.json()["error"]["message"] == "Invalid download signature"
    r = await emu.client.get(path.split("?")[0])
    assert r.status_code == 403
    await emu.advance(7 * 86400 + 1)
    r = await emu.client.get(path)
    assert r.status_code == 403 and r.json()["error"]["message"] == "Download URL has expired"


async def test_identity_and_data_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "emu.sqlite3")
    first = EmulatorBackend(EmulatorConfig(db_path=db))
    meeting = first.create_meeting(first.app_id, {"title": "kept"})
    identity = (first.account_id, first.app_id, first.api_token)
    first.store.close()
    second = EmulatorBackend(EmulatorConfig(db_path=db))
    assert (second.account_id, second.app_id, second.api_token) == identity
    assert second.get_meeting(second.app_id, meeting["id"])["title"] == "kept"
    assert second.store.get_meta("schema_version") == "1"
    journal = second.store._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


async def test_generated_token_is_registered_for_redaction() -> None:
    from realtimekit_mcp._redact import redact

    backend = EmulatorBackend(EmulatorConfig())
    assert backend.api_token not in redact(f"token={backend.api_token}")
