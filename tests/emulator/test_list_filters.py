"""List filters and sort orders that the lifecycle tests do not touch."""

from __future__ import annotations

import pytest

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def test_meeting_time_window(emu: Emu) -> None:
    early = await emu.create_meeting(title="early")
    await emu.advance(3600)
    late = await emu.create_meeting(title="late")
    r = await emu.client.get(f"{API}/meetings", params={"start_time": "2026-03-02T09:30:00Z"})
    assert [m["id"] for m in r.json()["data"]] == [late["id"]]
    r = await emu.client.get(f"{API}/meetings", params={"end_time": "2026-03-02T09:30:00.000Z"})
    assert [m["id"] for m in r.json()["data"]] == [early["id"]]


async def test_session_sorting_and_participant_views(emu: Emu) -> None:
    m = await emu.create_meeting(title="Sorted")
    short = await emu.seed(m["id"], participants=[{"custom_participant_id": "a"}], end=True)
    await emu.advance(10)
    long = await emu.seed(
        m["id"],
        participants=[{"custom_participant_id": "a"}, {"custom_participant_id": "b", "name": "Beatrix"}],
    )
    await emu.advance(600)
    r = await emu.client.get(f"{API}/sessions", params={"sort_by": "minutesConsumed", "sort_order": "DESC"})
    assert [s["id"] for s in r.json()["data"]["sessions"]] == [long["session"]["id"], short["session"]["id"]]
    r = await emu.client.get(f"{API}/sessions", params={"sort_by": "createdAt", "sort_order": "ASC"})
    assert r.json()["data"]["sessions"][0]["id"] == short["session"]["id"]

    sid = long["session"]["id"]
    # "a" leaves and rejoins: two peers, one participant
    emu.backend.leave(long["peers"][0]["peer_id"])
    emu.backend.join(emu.backend.app_id, m["id"], long["peers"][0]["participant_id"])
    r = await emu.client.get(f"{API}/sessions/{sid}/participants")
    assert len(r.json()["data"]["participants"]) == 3
    r = await emu.client.get(f"{API}/sessions/{sid}/participants", params={"view": "consolidated"})
    assert len(r.json()["data"]["participants"]) == 2
    r = await emu.client.get(f"{API}/sessions/{sid}/participants", params={"search": "beatrix"})
    assert [p["custom_participant_id"] for p in r.json()["data"]["participants"]] == ["b"]
    r = await emu.client.get(
        f"{API}/sessions/{sid}/participants",
        params={"sort_by": "duration", "sort_order": "DESC", "per_page": 1},
    )
    body = r.json()
    assert body["paging"] == {"total_count": 3, "start_offset": 1, "end_offset": 1}
    assert body["data"]["participants"][0]["duration"] == 10.0


async def test_recording_search_and_expired(emu: Emu) -> None:
    m = await emu.create_meeting(title="Quarterly review")
    other = await emu.create_meeting(title="Other")
    await emu.seed(m["id"])
    rec = (await emu.client.post(f"{API}/recordings", json={"meeting_id": m["id"]})).json()["data"]
    await emu.client.post(f"{API}/recordings", json={"meeting_id": other["id"]})
    r = await emu.client.get(f"{API}/recordings", params={"search": "quarterly"})
    assert [x["id"] for x in r.json()["data"]] == [rec["id"]]
    await emu.advance(5)
    await emu.client.put(f"{API}/recordings/{rec['id']}", json={"action": "stop"})
    await emu.advance(5)
    r = await emu.client.get(f"{API}/recordings", params={"expired": "true"})
    assert r.json()["data"] == []
    await emu.advance(8 * 86400)
    r = await emu.client.get(f"{API}/recordings", params={"expired": "true", "meeting_id": m["id"]})
    assert [x["id"] for x in r.json()["data"]] == [rec["id"]]
    r = await emu.client.get(f"{API}/recordings", params={"expired": "maybe"})
    assert r.json()["error"]["message"] == '"expired" must be a boolean'


async def test_livestream_list_filters(emu: Emu) -> None:
    m = await emu.create_meeting()
    ls = (await emu.client.post(f"{API}/meetings/{m['id']}/livestreams", json={})).json()["data"]
    r = await emu.client.get(f"{API}/livestreams", params={"status": "INVOKED"})
    assert r.json()["data"]["livestreams"][0]["id"] == ls["id"]
    r = await emu.client.get(f"{API}/livestreams", params={"status": "LIVE"})
    assert r.json()["data"] == {
        "paging": {"total_count": 0, "start_offset": 1, "end_offset": 0},
        "livestreams": [],
    }
    r = await emu.client.get(f"{API}/livestreams", params={"exclude_meetings": "true"})
    assert r.json()["data"]["livestreams"] == []
    r = await emu.client.get(f"{API}/livestreams/{ls['id']}/active-livestream-session")
    assert r.json()["data"]["session"]["ingest_seconds"] == "0"


async def test_unknown_peer_and_session_participant_are_404(emu: Emu) -> None:
    m = await emu.create_meeting()
    seed = await emu.seed(m["id"])
    missing = "5f0c6f1e-8d9b-4a51-9a43-1c2d3e4f5a6b"
    r = await emu.client.get(f"{API}/sessions/peer-report/{missing}")
    assert r.status_code == 404
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/participants/{missing}")
    assert r.status_code == 404
