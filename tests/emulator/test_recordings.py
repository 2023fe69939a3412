"""Recordings: lifecycle, reasons, pause/resume, downloads, record_on_start, track recordings, filters."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest

from .conftest import API, Emu

pytestmark = pytest.mark.anyio


async def live_meeting(emu: Emu, **meeting: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    m = await emu.create_meeting(title="Rec", **meeting)
    seed = await emu.seed(m["id"], participants=[{"custom_participant_id": "host"}])
    return m, seed


async def start(emu: Emu, meeting_id: str, **extra: Any) -> dict[str, Any]:
    r = await emu.client.post(f"{API}/recordings", json={"meeting_id": meeting_id, **extra})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def action(emu: Emu, rec_id: str, name: str) -> Any:
    return await emu.client.put(f"{API}/recordings/{rec_id}", json={"action": name})


async def test_full_lifecycle_with_reasons_and_events(emu: Emu) -> None:
    m, seed = await live_meeting(emu)
    rec = await start(emu, m["id"])
    assert rec["status"] == "INVOKED" and rec["started_time"] is None and rec["download_url"] is None
    assert rec["start_reason"] == {
        "reason": "API_CALL",
        "caller": {"name": "emulator", "type": "ORGANIZATION"},
    }
    assert rec["session_id"] == seed["session"]["id"]
    await emu.advance(1)
    r = await emu.client.get(f"{API}/recordings/{rec['id']}")
    assert r.json()["data"]["status"] == "RECORDING"
    await emu.advance(30)
    paused = (await action(emu, rec["id"], "pause")).json()["data"]
    assert paused["status"] == "PAUSED"
    await emu.advance(100)  # paused time does not count
    assert (await action(emu, rec["id"], "resume")).json()["data"]["status"] == "RECORDING"
    await emu.advance(12)
    stopped = (await action(emu, rec["id"], "stop")).json()["data"]
    assert stopped["status"] == "UPLOADING"
    assert stopped["stop_reason"]["reason"] == "API_CALL"
    assert stopped["recording_duration"] == 42
    assert stopped["download_url"] is None
    await emu.advance(2)
    done = (await emu.client.get(f"{API}/recordings/{rec['id']}")).json()["data"]
    assert done["status"] == "UPLOADED"
    assert done["download_url"].startswith("http://emulator.local/_emulator/files/recording/")
    assert done["audio_download_url"] is not None and done["download_url_expiry"] is not None
    statuses = [e["recording"]["status"] for e in emu.sink.of("recording.statusUpdate")]
    assert statuses == ["RECORDING", "RECORDING", "UPLOADING", "UPLOADED"]
    uploaded = emu.sink.of("recording.statusUpdate")[-1]["recording"]
    assert uploaded["recordingId"] == rec["id"] and uploaded["roomUUID"] == seed["session"]["id"]
    assert uploaded["downloadUrl"] == done["download_url"] and uploaded["recordingDuration"] == 42

    media = await emu.client.get(done["download_url"].split("emulator.local", 1)[1])
    assert media.status_code == 200 and media.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(media.content)) as w:
        assert w.getnchannels() == 1 and w.getframerate() == 8000
        assert w.getnframes() == 8000 * 10  # capped at 10 s
    assert done["file_size"] == len(media.content)


async def test_invalid_actions_are_400(emu: Emu) -> None:
    m, _ = await live_meeting(emu)
    rec = await start(emu, m["id"])
    r = await action(emu, rec["id"], "pause")
    assert r.status_code == 400 and "INVOKED" in r.json()["error"]["message"]
    r = await action(emu, rec["id"], "resume")
    assert r.status_code == 400
    r = await action(emu, rec["id"], "rewind")
    assert r.json()["error"]["message"] == '"action" must be one of [stop, pause, resume]'
    await action(emu, rec["id"], "stop")
    r = await action(emu, rec["id"], "stop")
    assert r.status_code == 400


async def test_second_recording_needs_allow_multiple(emu: Emu) -> None:
    m, _ = await live_meeting(emu)
    first = await start(emu, m["id"])
    r = await emu.client.post(f"{API}/recordings", json={"meeting_id": m["id"]})
    assert r.status_code == 409
    second = await start(emu, m["id"], allow_multiple_recordings=True)
    assert second["id"] != first["id"]
    r = await emu.client.get(f"{API}/recordings/active-recording/{m['id']}")
    assert r.json()["data"]["id"] == second["id"]


async def test_active_recording_404_and_validation(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.get(f"{API}/recordings/active-recording/{m['id']}")
    assert r.status_code == 404
    r = await emu.client.post(f"{API}/recordings", json={})
    assert r.json()["error"]["message"] == '"meeting_id" is required'
    r = await emu.client.post(f"{API}/recordings", json={"meeting_id": "x"})
    assert r.json()["error"]["message"] == '"meeting_id" must be a valid GUID'
    r = await emu.client.post(f"{API}/recordings", json={"meeting_id": m["id"], "max_seconds": 5})
    assert r.json()["error"]["message"] == '"max_seconds" must be greater than or equal to 60'


async def test_recording_without_participants_stops_after_60s(emu: Emu) -> None:
    m = await emu.create_meeting()
    rec = await start(emu, m["id"])
    assert rec["session_id"] is None
    await emu.advance(61)
    data = (await emu.client.get(f"{API}/recordings/{rec['id']}")).json()["data"]
    assert data["status"] == "UPLOADING" and data["stop_reason"] == {"reason": "ALL_PEERS_LEFT"}


async def test_a_recording_started_before_anyone_joined_records_the_next_session(emu: Emu) -> None:
    m = await emu.create_meeting()
    rec = await start(emu, m["id"])
    await emu.advance(30)
    seed = await emu.seed(m["id"])
    await emu.advance(60)  # someone is present: no ALL_PEERS_LEFT stop
    data = (await emu.client.get(f"{API}/recordings/{rec['id']}")).json()["data"]
    assert data["status"] == "RECORDING" and data["session_id"] == seed["session"]["id"]


async def test_max_seconds_stops_the_recording(emu: Emu) -> None:
    m, _ = await live_meeting(emu)
    rec = await start(emu, m["id"], max_seconds=60)
    await emu.advance(70)
    data = (await emu.client.get(f"{API}/recordings/{rec['id']}")).json()["data"]
    assert data["status"] == "UPLOADED" and data["recording_duration"] == 60


async def test_record_on_start_starts_with_the_session(emu: Emu) -> None:
    m, seed = await live_meeting(emu, record_on_start=True)
    r = await emu.client.get(f"{API}/recordings/active-recording/{m['id']}")
    rec = r.json()["data"]
    r = await emu.client.get(f"{API}/recordings/{rec['id']}")
    assert r.json()["data"]["start_reason"] == {"reason": "RECORD_ON_START"}
    assert r.json()["data"]["session_id"] == seed["session"]["id"]


async def test_disabled_bucket_gives_no_download_url(emu: Emu) -> None:
    m, _ = await live_meeting(emu)
    rec = await start(emu, m["id"], realtimekit_bucket_config={"enabled": False})
    await emu.advance(5)
    await action(emu, rec["id"], "stop")
    await emu.advance(5)
    data = (await emu.client.get(f"{API}/recordings/{rec['id']}")).json()["data"]
    assert (
        data["status"] == "UPLOADED" and data["download_url"] is None and data["download_url_expiry"] is None
    )


async def test_track_recording_needs_a_live_session(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.post(f"{API}/recordings/track", json={"meeting_id": m["id"]})
    assert r.status_code == 400
    await emu.seed(m["id"])
    r = await emu.client.post(
        f"{API}/recordings/track",
        json={"meeting_id": m["id"], "layers": {"default": {"file_name_prefix": "t"}}},
    )
    assert r.status_code == 200
    assert r.json()["data"]["recording"]["status"] == "INVOKED"
    r = await emu.client.post(f"{API}/recordings/track", json={"meeting_id": m["id"], "user_ids": []})
    assert r.json()["error"]["message"] == '"user_ids" must contain at least 1 items'


async def test_list_filters_accept_both_array_encodings(emu: Emu) -> None:
    m, _ = await live_meeting(emu)
    a = await start(emu, m["id"])
    b = await start(emu, m["id"], allow_multiple_recordings=True)
    await emu.advance(2)
    await action(emu, a["id"], "stop")
    await emu.advance(5)
    r = await emu.client.get(f"{API}/recordings", params=[("status", "UPLOADED"), ("status", "RECORDING")])
    assert {x["id"] for x in r.json()["data"]} == {a["id"], b["id"]}
    r = await emu.client.get(f"{API}/recordings", params={"status": "UPLOADED,ERRORED"})
    assert [x["id"] for x in r.json()["data"]] == [a["id"]]
    r = await emu.client.get(f"{API}/recordings", params={"status": "RECORDING", "meeting_id": m["id"]})
    item = r.json()["data"][0]
    assert item["id"] == b["id"] and item["meeting"]["id"] == m["id"]
    r = await emu.client.get(f"{API}/recordings", params={"sort_order": "ASC"})
    assert [x["id"] for x in r.json()["data"]] == [a["id"], b["id"]]
