"""Livestreams, livestream analytics and org analytics."""

from __future__ import annotations

import pytest

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def test_livestream_lifecycle_and_views(emu: Emu) -> None:
    m = await emu.create_meeting(title="Show")
    seed = await emu.seed(m["id"])
    r = await emu.client.post(f"{API}/meetings/{m['id']}/livestreams", json={"name": "show-1"})
    assert r.status_code == 201
    ls = r.json()["data"]
    assert set(ls) == {"id", "status", "ingest_server", "stream_key", "playback_url"}
    assert ls["status"] == "INVOKED" and ls["ingest_server"].startswith("rtmps://")
    playlist = await emu.client.get(ls["playback_url"].split("emulator.local", 1)[1])
    assert playlist.status_code == 200 and playlist.text.startswith("#EXTM3U")
    r = await emu.client.post(f"{API}/meetings/{m['id']}/livestreams", json={})
    assert r.status_code == 409
    await emu.advance(1)
    active = (await emu.client.get(f"{API}/meetings/{m['id']}/active-livestream")).json()["data"]
    assert active["status"] == "LIVE" and active["name"] == "show-1" and active["disabled"] == "false"
    r = await emu.client.get(f"{API}/livestreams/{ls['id']}/active-livestream-session")
    session = r.json()["data"]["session"]
    await emu.advance(90)
    r = await emu.client.post(f"{API}/meetings/{m['id']}/active-livestream/stop")
    assert r.json()["data"] == {"message": "Stopped live stream successfully"}
    r = await emu.client.get(f"{API}/meetings/{m['id']}/active-livestream")
    assert r.status_code == 404
    r = await emu.client.get(f"{API}/livestreams/sessions/{session['id']}")
    assert r.json()["data"]["ingest_seconds"] == 90
    r = await emu.client.get(f"{API}/livestreams/{ls['id']}")
    data = r.json()["data"]
    assert data["livestream"]["status"] == "IDLE" and data["session"]["id"] == session["id"]
    r = await emu.client.get(f"{API}/livestreams")
    listing = r.json()["data"]
    assert listing["id"] == ls["id"] and listing["paging"]["total_count"] == 1
    assert [x["id"] for x in listing["livestreams"]] == [ls["id"]]
    r = await emu.client.get(f"{API}/meetings/{m['id']}/livestream")
    assert r.json()["data"]["livestreams"][0]["disabled"] is False
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/livestream-sessions")
    assert r.json()["data"]["livestream_sessions"][0]["id"] == session["id"]
    statuses = [e["status"] for e in emu.sink.of("livestreaming.statusUpdate")]
    assert statuses == ["LIVE", "OFFLINE"]
    r = await emu.client.get(f"{API}/analytics/livestreams/overall")
    assert r.json()["data"] == {"count": 1, "total_ingest_seconds": 90, "total_viewer_seconds": 0}
    r = await emu.client.get(
        f"{API}/analytics/livestreams/daywise", params={"start_time": 0, "end_time": 4102444800}
    )
    assert r.json()["data"] == [
        {"date": "2026-03-02", "count": 1, "total_ingest_seconds": 90, "total_viewer_seconds": 0}
    ]


async def test_stop_without_livestream_is_404(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.post(f"{API}/meetings/{m['id']}/active-livestream/stop")
    assert r.status_code == 404
    r = await emu.client.post(f"{API}/meetings/{m['id']}/livestreams", json={"name": "bad name!"})
    assert r.status_code == 400


async def test_org_analytics_counts_sessions_and_recordings(emu: Emu) -> None:
    m = await emu.create_meeting()
    await emu.seed(m["id"], participants=[{"custom_participant_id": "a"}, {"custom_participant_id": "b"}])
    rec = (await emu.client.post(f"{API}/recordings", json={"meeting_id": m["id"]})).json()["data"]
    await emu.advance(121)
    await emu.client.put(f"{API}/recordings/{rec['id']}", json={"action": "stop"})
    await emu.client.post(f"{API}/meetings/{m['id']}/active-session/kick-all")
    r = await emu.client.get(
        f"{API}/analytics/daywise", params={"start_date": "2026-03-01", "end_date": "2026-03-03"}
    )
    data = r.json()["data"]
    assert data["session_stats"]["sessions_count"] == 1
    assert data["session_stats"]["day_stats"] == [
        {"day": "2026-03-02", "total_sessions": 1, "total_session_minutes": 4.04}
    ]
    assert data["recording_stats"]["recording_count"] == 1
    assert data["recording_stats"]["day_stats"][0]["total_recording_minutes"] == 2
    r = await emu.client.get(
        f"{API}/analytics/daywise", params={"start_date": "2026-04-01", "end_date": "2026-03-01"}
    )
    assert r.status_code == 400
    r = await emu.client.get(f"{API}/analytics/daywise")
    assert r.json()["data"]["session_stats"]["sessions_count"] == 1


async def test_org_analytics_at_the_edge_of_the_calendar(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/analytics/daywise", params={"end_date": "0001-01-02"})
    assert r.status_code == 200
    assert r.json()["data"]["session_stats"]["sessions_count"] == 0
