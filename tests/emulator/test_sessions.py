"""Sessions: seeding, live moderation, keep-alive, history, exports and events."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from .conftest import API, APP, Emu

pytestmark = pytest.mark.anyio

PEOPLE = [
    {"custom_participant_id": "alice", "name": "Alice"},
    {"custom_participant_id": "bob", "name": "Bob", "preset_name": "group_call_participant"},
]
LINES = [
    {"participant": "alice", "text": "Let us review the launch plan for the emulator."},
    {"participant": "bob", "text": "The launch plan needs a recording demo."},
    {"participant": 0, "text": "Agreed, the recording demo ships with the launch."},
]


async def seeded(emu: Emu, *, end: bool = False, **meeting: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    m = await emu.create_meeting(title="Launch", **meeting)
    seed = await emu.seed(
        m["id"],
        participants=PEOPLE,
        chat=[{"participant": "bob", "text": "hi, all"}],
        transcript=LINES,
        end=end,
    )
    return m, seed


async def path_of(url: str) -> str:
    return url.split("emulator.local", 1)[1]


async def test_no_active_session_message(emu: Emu) -> None:
    m = await emu.create_meeting()
    r = await emu.client.get(f"{API}/meetings/{m['id']}/active-session")
    assert r.status_code == 404
    assert r.json()["error"]["message"] == f"No active session found for meeting_id {m['id']}"


async def test_seeded_session_is_live_with_its_participants(emu: Emu) -> None:
    m, seed = await seeded(emu)
    r = await emu.client.get(f"{API}/meetings/{m['id']}/active-session")
    s = r.json()["data"]
    assert s["status"] == "LIVE" and s["live_participants"] == 2 and s["associated_id"] == m["id"]
    assert s["organization_id"] == APP and s["meeting_display_name"] == "Launch"
    assert "ended_at" not in s
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/participants")
    parts = r.json()["data"]["participants"]
    assert [p["display_name"] for p in parts] == ["Alice", "Bob"]
    assert parts[1]["preset_name"] == "group_call_participant"
    assert "left_at" not in parts[0]


async def test_last_leave_ends_the_session_after_keep_alive(emu: Emu) -> None:
    m = await emu.create_meeting(session_keep_alive_time_in_secs=120)
    seed = await emu.seed(m["id"], participants=[{"custom_participant_id": "a", "leave": True}])
    sid = seed["session"]["id"]
    await emu.advance(119)
    assert (await emu.client.get(f"{API}/sessions/{sid}")).json()["data"]["status"] == "LIVE"
    await emu.advance(1)
    s = (await emu.client.get(f"{API}/sessions/{sid}")).json()["data"]
    assert s["status"] == "ENDED" and s["ended_at"] == "2026-03-02T09:02:00.000Z"
    ended = emu.sink.of("meeting.ended")
    assert ended[0]["reason"] == "ALL_PARTICIPANTS_LEFT"


async def test_rejoin_within_keep_alive_keeps_the_session(emu: Emu) -> None:
    m = await emu.create_meeting()
    seed = await emu.seed(m["id"], participants=[{"custom_participant_id": "a", "leave": True}])
    await emu.advance(30)
    again = await emu.seed(m["id"], participants=[{"custom_participant_id": "a"}])
    assert again["session"]["id"] == seed["session"]["id"]
    await emu.advance(120)
    assert again["session"]["status"] == "LIVE"
    r = await emu.client.get(f"{API}/meetings/{m['id']}/active-session")
    assert r.json()["data"]["id"] == seed["session"]["id"]


async def test_kick_by_either_id_and_unknown_user_404(emu: Emu) -> None:
    m, seed = await seeded(emu)
    url = f"{API}/meetings/{m['id']}/active-session/kick"
    r = await emu.client.post(url, json={"custom_participant_ids": ["bob"]})
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["action"] == "kick" and data["participants"][0]["name"] == "Bob"
    r = await emu.client.post(url, json={"participant_ids": [seed["peers"][1]["participant_id"]]})
    assert r.status_code == 404 and r.json()["error"]["message"].startswith("No user found with id")
    r = await emu.client.post(url, json={})
    assert r.status_code == 400
    r = await emu.client.post(url, json={"participant_ids": []})
    assert r.json()["error"]["message"] == '"participant_ids" must contain at least 1 items'


async def test_kick_all_ends_the_session_and_stops_recordings(emu: Emu) -> None:
    m, seed = await seeded(emu)
    rec = (await emu.client.post(f"{API}/recordings", json={"meeting_id": m["id"]})).json()["data"]
    r = await emu.client.post(f"{API}/meetings/{m['id']}/active-session/kick-all")
    assert r.json()["data"] == {"action": "kick-all", "kicked_participants_count": 2}
    s = (await emu.client.get(f"{API}/sessions/{seed['session']['id']}")).json()["data"]
    assert s["status"] == "ENDED" and s["live_participants"] == 0
    r = await emu.client.get(f"{API}/recordings/{rec['id']}")
    assert r.json()["data"]["status"] == "UPLOADING"
    assert emu.sink.of("meeting.ended")[0]["reason"] == "HOST_ENDED_MEETING"


async def test_mute_mute_all_and_poll(emu: Emu) -> None:
    m, _ = await seeded(emu)
    base = f"{API}/meetings/{m['id']}/active-session"
    r = await emu.client.post(base + "/mute", json={"custom_participant_ids": ["alice"]})
    assert r.json()["data"]["action"] == "mute"
    r = await emu.client.post(base + "/mute-all", json={"allow_unmute": True})
    assert r.json()["data"] == {"action": "mute-all", "muted_participants_count": 2}
    r = await emu.client.post(base + "/poll", json={"question": "Ship?", "options": ["yes", "no"]})
    assert r.status_code == 201
    poll = r.json()["data"]["poll"]
    assert poll["question"] == "Ship?" and poll["options"][0] == {"text": "yes", "count": 0, "votes": []}
    r = await emu.client.post(base + "/poll", json={"options": ["a"]})
    assert r.json()["error"]["message"] == '"question" is required'


async def test_chat_and_transcript_exports(emu: Emu) -> None:
    _m, seed = await seeded(emu, end=True)
    sid = seed["session"]["id"]
    r = await emu.client.get(f"{API}/sessions/{sid}/chat")
    chat = r.json()["data"]
    assert set(chat) == {"chat_download_url", "chat_download_url_expiry"}
    rows = list(
        csv.reader(io.StringIO((await emu.client.get(await path_of(chat["chat_download_url"]))).text))
    )
    assert rows[0][0] == "id" and rows[1][4] == "Bob" and rows[1][6] == "hi, all"

    r = await emu.client.get(f"{API}/sessions/{sid}/transcript")
    t = r.json()["data"]
    assert t["sessionId"] == sid and set(t) == {
        "sessionId",
        "transcript_download_url",
        "transcript_download_url_expiry",
    }
    download = await emu.client.get(await path_of(t["transcript_download_url"]))
    assert download.headers["content-type"].startswith("text/csv")
    first = download.text.splitlines()[0]
    alice = seed["peers"][0]
    assert first == (
        f'"0","{alice["peer_id"]}","{alice["participant_id"]}","alice","Alice",'
        '"Let us review the launch plan for the emulator."'
    )
    for fmt, check in (
        ("JSON", lambda text: json.loads(text)[1]["peerData"]["displayName"] == "Bob"),
        ("SRT", lambda text: text.startswith("1\n00:00:00,000 --> ") and "Alice: Let us" in text),
        ("VTT", lambda text: text.startswith("WEBVTT") and "Bob: The launch plan" in text),
    ):
        r = await emu.client.get(f"{API}/sessions/{sid}/transcript", params={"format": fmt})
        text = (await emu.client.get(await path_of(r.json()["data"]["transcript_download_url"]))).text
        assert check(text), fmt


async def test_transcript_is_404_while_live(emu: Emu) -> None:
    _, seed = await seeded(emu)
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/transcript")
    assert r.status_code == 404


async def test_summary_on_end_is_deterministic_markdown(emu: Emu) -> None:
    _, seed = await seeded(emu, end=True, summarize_on_end=True, transcribe_on_end=True)
    sid = seed["session"]["id"]
    r = await emu.client.get(f"{API}/sessions/{sid}/summary")
    data = r.json()["data"]
    assert set(data) == {"sessionId", "summaryDownloadUrl", "summaryDownloadUrlExpiry"}
    text = (await emu.client.get(await path_of(data["summaryDownloadUrl"]))).text
    assert text.startswith("# Summary of Launch")
    assert "**Participants:** Alice, Bob" in text and "launch" in text
    names = emu.sink.names()
    assert (
        names.index("meeting.ended") < names.index("meeting.chatSynced") < names.index("meeting.transcript")
    )
    assert names.index("meeting.transcript") < names.index("meeting.summary")


async def test_generate_summary_needs_a_transcript(emu: Emu) -> None:
    m = await emu.create_meeting(ai_config={"summarization": {"text_format": "plain_text"}})
    empty = await emu.seed(m["id"], end=True)
    r = await emu.client.post(f"{API}/sessions/{empty['session']['id']}/summary")
    assert r.status_code == 400
    r = await emu.client.get(f"{API}/sessions/{empty['session']['id']}/summary")
    assert r.status_code == 404
    full = await emu.seed(m["id"], participants=PEOPLE, transcript=LINES, end=True)
    r = await emu.client.post(f"{API}/sessions/{full['session']['id']}/summary")
    assert r.json()["data"] == {"session_id": full["session"]["id"], "status": "COMPLETED"}
    r = await emu.client.get(f"{API}/sessions/{full['session']['id']}/summary")
    text = (await emu.client.get(await path_of(r.json()["data"]["summaryDownloadUrl"]))).text
    assert text.startswith("Summary of") and "# " not in text


async def test_session_list_filters_and_paging(emu: Emu) -> None:
    m1, s1 = await seeded(emu, end=True)
    m2 = await emu.create_meeting(title="Other")
    s2 = await emu.seed(m2["id"])
    r = await emu.client.get(f"{API}/sessions")
    body = r.json()
    assert body["paging"]["total_count"] == 2
    assert [s["id"] for s in body["data"]["sessions"]] == [s2["session"]["id"], s1["session"]["id"]]
    r = await emu.client.get(f"{API}/sessions", params={"status": "LIVE"})
    assert [s["id"] for s in r.json()["data"]["sessions"]] == [s2["session"]["id"]]
    r = await emu.client.get(f"{API}/sessions", params={"associated_id": m1["id"]})
    assert [s["id"] for s in r.json()["data"]["sessions"]] == [s1["session"]["id"]]
    r = await emu.client.get(f"{API}/sessions", params={"search": "other"})
    assert len(r.json()["data"]["sessions"]) == 1
    r = await emu.client.get(f"{API}/sessions", params={"participants": "2:5"})
    assert [s["id"] for s in r.json()["data"]["sessions"]] == [s1["session"]["id"]]


async def test_session_participant_details_peer_events_and_peer_report(emu: Emu) -> None:
    _, seed = await seeded(emu, end=True)
    sid = seed["session"]["id"]
    alice = seed["peers"][0]
    r = await emu.client.get(
        f"{API}/sessions/{sid}/participants/{alice['peer_id']}", params={"include_peer_events": "true"}
    )
    p = r.json()["data"]["participant"]
    assert p["user_id"] == alice["participant_id"]
    assert [e["event_name"] for e in p["peer_events"]] == ["PEER_CREATED", "PEER_JOINING", "PEER_LEAVING"]
    r = await emu.client.get(f"{API}/sessions/{sid}/participants/{alice['participant_id']}")
    assert r.json()["data"]["participant"]["id"] == alice["peer_id"]
    r = await emu.client.get(f"{API}/sessions/peer-report/{alice['peer_id']}")
    report = r.json()["data"]["participant"]
    assert report["session_id"] == sid and report["role"] == "group_call_host"
    assert set(report["peer_report"]) == {"metadata", "quality"}


async def test_event_payloads_use_camel_case_meeting_objects(emu: Emu) -> None:
    m, seed = await seeded(emu, end=True)
    started = emu.sink.of("meeting.started")[0]
    assert started["event"] == "meeting.started"
    meeting = started["meeting"]
    assert meeting["id"] == m["id"] and meeting["sessionId"] == seed["session"]["id"]
    assert meeting["roomName"] == m["id"] and meeting["status"] == "LIVE"
    assert meeting["organizedBy"] == {"id": APP, "name": "emulator"}
    joined = emu.sink.of("meeting.participantJoined")[0]["participant"]
    assert joined["customParticipantId"] == "alice" and joined["clientSpecificId"] == "alice"
    left = emu.sink.of("meeting.participantLeft")[0]["participant"]
    assert "leftAt" in left
    ended = emu.sink.of("meeting.ended")[0]
    assert ended["meeting"]["status"] == "LIVE" and "endedAt" in ended["meeting"]
    synced = emu.sink.of("meeting.chatSynced")[0]
    assert (
        synced["meetingId"] == m["id"]
        and "meeting" not in synced
        and synced["chatDownloadUrl"].startswith("http")
    )


async def test_webhooks_for_event_returns_enabled_subscribers_of_the_app(emu: Emu) -> None:
    hook = {"name": "h", "url": "http://127.0.0.1:9/hook", "events": ["meeting.started"]}
    a = (await emu.client.post(f"{API}/webhooks", json=hook)).json()["data"]
    (await emu.client.post(f"{API}/webhooks", json={**hook, "enabled": False})).json()
    (await emu.client.post(f"{API}/webhooks", json={**hook, "events": ["meeting.ended"]})).json()
    await seeded(emu)
    payload = emu.sink.of("meeting.started")[0]
    assert [w["id"] for w in emu.backend.webhooks_for_event("meeting.started", payload)] == [a["id"]]
    other_app = {"meeting": {"organizedBy": {"id": "someone-else"}}}
    assert emu.backend.webhooks_for_event("meeting.started", other_app) == []
