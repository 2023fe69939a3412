"""Every operation: the right method and path, the body and query we send, the quirks we unwrap.

``OPERATIONS`` lists one row per REST operation (§2 of the reference plus the OpenAPI's extra
routes). ``test_every_openapi_operation_has_a_client_method`` checks the table against Cloudflare's
OpenAPI copy in ``tests/conformance/openapi/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from realtimekit_mcp.client import (
    LivestreamAnalyticsTotals,
    Page,
    RealtimeKitClient,
    errors,
)
from tests.client._helpers import ACCOUNT, P, ok

pytestmark = pytest.mark.anyio

MID = "11111111-1111-4111-8111-111111111111"
PID = "22222222-2222-4222-8222-222222222222"
SID = "33333333-3333-4333-8333-333333333333"
RID = "44444444-4444-4444-8444-444444444444"
WID = "55555555-5555-4555-8555-555555555555"
PRID = "66666666-6666-4666-8666-666666666666"
LID = "77777777-7777-4777-8777-777777777777"
A = f"/accounts/{ACCOUNT}/realtime/kit"

MEETING = {"id": MID, "title": "Stand-up", "status": "ACTIVE", "created_at": "2025-01-01T00:00:00.000Z"}
PARTICIPANT = {"id": PID, "custom_participant_id": "alice", "preset_name": "host", "token": "eyJhbGciOi.x.y"}
SESSION = {"id": SID, "associated_id": MID, "status": "LIVE", "type": "meeting"}
RECORDING = {"id": RID, "status": "INVOKED", "invoked_time": "2025-01-01T00:00:00Z", "output_file_name": "f"}
WEBHOOK = {
    "id": WID,
    "name": "hook",
    "url": "https://example.com/h",
    "events": ["meeting.ended"],
    "enabled": True,
}
PRESET = {"id": PRID, "name": "host", "config": {}, "permissions": {}, "ui": {}}
LIVESTREAM = {
    "id": LID,
    "status": "INVOKED",
    "ingest_server": "rtmps://x/",
    "stream_key": "k",
    "playback_url": "https://p",
}
LS_SESSION = {"id": "ls-1", "livestream_id": LID, "ingest_seconds": 60, "viewer_seconds": 61.5}
PAGING = {"total_count": 1, "start_offset": 1, "end_offset": 1}
FULL_PRESET_ARGS: dict[str, Any] = {
    "name": "bot",
    "config": {"view_type": "GROUP_CALL", "media": {"video": {"quality": "hd", "frame_rate": 30}}},
    "permissions": {"hidden_participant": True, "media": {"audio": {"can_produce": "ALLOWED"}}},
    "ui": {"design_tokens": {"theme": "dark", "colors": {"brand": {"500": "#b56927"}}}},
}


@dataclass
class Op:
    """One REST operation and how the client is expected to call it and read its answer."""

    id: str
    method: str
    path: str
    call: Callable[[RealtimeKitClient], Awaitable[Any]]
    response: dict[str, Any]
    check: Callable[[Any], bool]
    body: dict[str, Any] | None = None
    params: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200


def env(data: Any, **extra: Any) -> dict[str, Any]:
    return {"success": True, "data": data, **extra}


OPERATIONS: list[Op] = [
    # -- apps
    Op(
        "A1",
        "GET",
        f"{A}/apps",
        lambda c: c.apps.list(page_no=1, per_page=5, sort_order="ASC"),
        env([{"id": "app-1", "name": "a"}], paging=PAGING),
        lambda r: r.items[0].id == "app-1",
        params={"page_no": ["1"], "per_page": ["5"], "sort_order": ["ASC"]},
    ),
    Op(
        "A2",
        "POST",
        f"{A}/apps",
        lambda c: c.apps.create("new"),
        env({"app": {"id": "app-2", "name": "new"}}),
        lambda r: r.id == "app-2" and r.name == "new",
        body={"name": "new"},
    ),
    Op(
        "A3",
        "GET",
        f"{A}/apps/app-4567",
        lambda c: c.apps.get(),
        env({"id": "app-4567", "name": "mine"}),
        lambda r: r.name == "mine",
    ),
    # -- meetings
    Op(
        "M1",
        "GET",
        f"{P}/meetings",
        lambda c: c.meetings.list(search="x", status="ACTIVE"),
        env([MEETING], paging=PAGING),
        lambda r: r.items[0].title == "Stand-up",
        params={"search": ["x"], "status": ["ACTIVE"]},
    ),
    Op(
        "M2",
        "POST",
        f"{P}/meetings",
        lambda c: c.meetings.create(
            title="t", record_on_start=True, ai_config={"transcription": {"language": "en"}}
        ),
        env(MEETING),
        lambda r: r.id == MID,
        status=201,
        body={"title": "t", "record_on_start": True, "ai_config": {"transcription": {"language": "en"}}},
    ),
    Op(
        "M3", "GET", f"{P}/meetings/{MID}", lambda c: c.meetings.get(MID), env(MEETING), lambda r: r.id == MID
    ),
    Op(
        "M4",
        "PATCH",
        f"{P}/meetings/{MID}",
        lambda c: c.meetings.update(MID, status="INACTIVE"),
        env({**MEETING, "status": "INACTIVE"}),
        lambda r: r.status == "INACTIVE",
        body={"status": "INACTIVE"},
    ),
    Op(
        "M5",
        "PUT",
        f"{P}/meetings/{MID}",
        lambda c: c.meetings.replace(MID, title="r", persist_chat=False),
        env(MEETING),
        lambda r: r.id == MID,
        body={"title": "r", "persist_chat": False},
    ),
    # -- participants
    Op(
        "M6",
        "GET",
        f"{P}/meetings/{MID}/participants",
        lambda c: c.participants.list(MID, per_page=2),
        env([{k: v for k, v in PARTICIPANT.items() if k != "token"}], paging=PAGING),
        lambda r: r.items[0].token is None,
        params={"per_page": ["2"]},
    ),
    Op(
        "M7",
        "POST",
        f"{P}/meetings/{MID}/participants",
        lambda c: c.participants.add(MID, "alice", "host", name="Alice"),
        env(PARTICIPANT),
        lambda r: r.token == PARTICIPANT["token"],
        status=201,
        body={"custom_participant_id": "alice", "preset_name": "host", "name": "Alice"},
    ),
    Op(
        "M8",
        "GET",
        f"{P}/meetings/{MID}/participants/{PID}",
        lambda c: c.participants.get(MID, PID),
        env(PARTICIPANT),
        lambda r: r.custom_participant_id == "alice",
    ),
    Op(
        "M9",
        "PATCH",
        f"{P}/meetings/{MID}/participants/{PID}",
        lambda c: c.participants.edit(MID, PID, preset_name="viewer"),
        env(PARTICIPANT),
        lambda r: r.token is not None,
        body={"preset_name": "viewer"},
    ),
    Op(
        "M10",
        "PUT",
        f"{P}/meetings/{MID}/participants/{PID}",
        lambda c: c.participants.replace(MID, PID, "alice2", "host"),
        env(PARTICIPANT),
        lambda r: r.id == PID,
        body={"custom_participant_id": "alice2", "preset_name": "host"},
    ),
    Op(
        "M11",
        "DELETE",
        f"{P}/meetings/{MID}/participants/{PID}",
        lambda c: c.participants.delete(MID, PID),
        env({"custom_participant_id": "alice", "preset_id": PRID, "created_at": "c", "updated_at": "u"}),
        lambda r: r.preset_id == PRID,
    ),
    Op(
        "M12",
        "POST",
        f"{P}/meetings/{MID}/participants/{PID}/token",
        lambda c: c.participants.refresh_token(MID, PID),
        env({"token": "eyJnew.token.sig"}),
        lambda r: r == "eyJnew.token.sig",
    ),
    # -- active session
    Op(
        "S1",
        "GET",
        f"{P}/meetings/{MID}/active-session",
        lambda c: c.active_session.get(MID),
        env(SESSION),
        lambda r: r.status == "LIVE",
    ),
    Op(
        "S2",
        "POST",
        f"{P}/meetings/{MID}/active-session/kick",
        lambda c: c.active_session.kick(MID, participant_ids=[PID]),
        env({"action": "kick", "participants": [{"id": PID, "name": "Alice"}]}),
        lambda r: r.participants[0].id == PID,
        body={"participant_ids": [PID]},
    ),
    Op(
        "S3",
        "POST",
        f"{P}/meetings/{MID}/active-session/kick-all",
        lambda c: c.active_session.kick_all(MID),
        env({"action": "kick-all", "kicked_participants_count": 3}),
        lambda r: r.kicked_participants_count == 3,
    ),
    Op(
        "S4",
        "POST",
        f"{P}/meetings/{MID}/active-session/mute",
        lambda c: c.active_session.mute(MID, custom_participant_ids=["alice"]),
        env({"action": "mute", "participants": []}),
        lambda r: r.action == "mute",
        body={"custom_participant_ids": ["alice"]},
    ),
    Op(
        "S5",
        "POST",
        f"{P}/meetings/{MID}/active-session/mute-all",
        lambda c: c.active_session.mute_all(MID),
        env({"action": "mute-all", "muted_participants_count": 2}),
        lambda r: r.muted_participants_count == 2,
        body={"allow_unmute": False},
    ),
    Op(
        "S6",
        "POST",
        f"{P}/meetings/{MID}/active-session/poll",
        lambda c: c.active_session.create_poll(MID, "Lunch?", ["yes", "no"], anonymous=True),
        env(
            {
                "action": "create-poll",
                "poll": {
                    "id": "poll-1",
                    "question": "Lunch?",
                    "options": [{"text": "yes", "count": 0, "votes": []}],
                },
            }
        ),
        lambda r: r.poll.options[0].text == "yes",
        status=201,
        body={"question": "Lunch?", "options": ["yes", "no"], "anonymous": True},
    ),
    # -- presets
    Op(
        "PR1",
        "GET",
        f"{P}/presets",
        lambda c: c.presets.list(search="host"),
        env([{"id": PRID, "name": "host"}], paging=PAGING),
        lambda r: r.items[0].name == "host",
        params={"search": ["host"]},
    ),
    Op(
        "PR2",
        "POST",
        f"{P}/presets",
        lambda c: c.presets.create(**FULL_PRESET_ARGS),
        env(PRESET),
        lambda r: r.id == PRID,
        body=FULL_PRESET_ARGS,
        status=201,
    ),
    Op(
        "PR3",
        "GET",
        f"{P}/presets/{PRID}",
        lambda c: c.presets.get(PRID),
        env(PRESET),
        lambda r: r.name == "host",
    ),
    Op(
        "PR4",
        "PATCH",
        f"{P}/presets/{PRID}",
        lambda c: c.presets.update(PRID, permissions={"hidden_participant": True}),
        env(PRESET),
        lambda r: r.id == PRID,
        body={"permissions": {"hidden_participant": True}},
    ),
    Op(
        "PR5",
        "PUT",
        f"{P}/presets/{PRID}",
        lambda c: c.presets.replace(PRID, **FULL_PRESET_ARGS),
        env(PRESET),
        lambda r: r.id == PRID,
        body=FULL_PRESET_ARGS,
    ),
    Op(
        "PR6",
        "DELETE",
        f"{P}/presets/{PRID}",
        lambda c: c.presets.delete(PRID),
        env(PRESET),
        lambda r: r.id == PRID,
    ),
    # -- sessions
    Op(
        "SE1",
        "GET",
        f"{P}/sessions",
        lambda c: c.sessions.list(status="ENDED", sort_by="createdAt", associated_id=MID),
        env({"sessions": [SESSION]}, paging=PAGING),
        lambda r: r.items[0].id == SID and r.paging.total_count == 1,
        params={"status": ["ENDED"], "sort_by": ["createdAt"], "associated_id": [MID]},
    ),
    Op(
        "SE2",
        "GET",
        f"{P}/sessions/{SID}",
        lambda c: c.sessions.get(SID, include_breakout_rooms=True),
        env({**SESSION, "breakout_rooms": [SESSION]}),
        lambda r: r.breakout_rooms[0].id == SID,
        params={"include_breakout_rooms": ["true"]},
    ),
    Op(
        "SE3",
        "GET",
        f"{P}/sessions/{SID}/participants",
        lambda c: c.sessions.participants(SID, include_peer_events=True, per_page=200),
        env(
            {
                "participants": [
                    {"id": "peer-1", "user_id": PID, "peer_events": [{"event_name": "PEER_JOINING"}]}
                ],
                "paging": PAGING,
            }
        ),
        lambda r: r.items[0].peer_events[0].event_name == "PEER_JOINING" and r.paging.total_count == 1,
        params={"include_peer_events": ["true"], "per_page": ["200"]},
    ),
    Op(
        "SE4",
        "GET",
        f"{P}/sessions/{SID}/participants/{PID}",
        lambda c: c.sessions.participant(SID, PID),
        env({"participant": {"id": "peer-1", "display_name": "Alice"}}),
        lambda r: r.display_name == "Alice",
    ),
    Op(
        "SE5",
        "GET",
        f"{P}/sessions/peer-report/peer-1",
        lambda c: c.sessions.peer_report("peer-1", filters="device_info"),
        env({"participant": {"id": "peer-1", "peer_report": {"metadata": {}, "quality": {}}}}),
        lambda r: r.peer_report == {"metadata": {}, "quality": {}},
        params={"filters": ["device_info"]},
    ),
    Op(
        "SE6",
        "GET",
        f"{P}/sessions/{SID}/chat",
        lambda c: c.sessions.chat(SID),
        env({"chat_download_url": "https://dl/chat.csv", "chat_download_url_expiry": "e"}),
        lambda r: r.chat_download_url == "https://dl/chat.csv",
    ),
    Op(
        "SE7",
        "GET",
        f"{P}/sessions/{SID}/transcript",
        lambda c: c.sessions.transcript(SID, format="VTT"),
        env(
            {
                "sessionId": SID,
                "transcript_download_url": "https://dl/t.vtt",
                "transcript_download_url_expiry": "e",
            }
        ),
        lambda r: r.session_id == SID and r.transcript_download_url == "https://dl/t.vtt",
        params={"format": ["VTT"]},
    ),
    Op(
        "SE8",
        "GET",
        f"{P}/sessions/{SID}/summary",
        lambda c: c.sessions.summary(SID),
        env({"sessionId": SID, "summaryDownloadUrl": "https://dl/s.md", "summaryDownloadUrlExpiry": "e"}),
        lambda r: (
            r.session_id == SID
            and r.summary_download_url == "https://dl/s.md"
            and r.summary_download_url_expiry == "e"
        ),
    ),
    Op(
        "SE9",
        "POST",
        f"{P}/sessions/{SID}/summary",
        lambda c: c.sessions.generate_summary(SID),
        env({"session_id": SID, "status": "PENDING"}),
        lambda r: r.status == "PENDING",
    ),
    # -- recordings
    Op(
        "R1",
        "GET",
        f"{P}/recordings",
        lambda c: c.recordings.list(meeting_id=MID, status="UPLOADED"),
        env([{**RECORDING, "meeting": MEETING}], paging=PAGING),
        lambda r: r.items[0].meeting["id"] == MID,
        params={"meeting_id": [MID], "status": ["UPLOADED"]},
    ),
    Op(
        "R2",
        "POST",
        f"{P}/recordings",
        lambda c: c.recordings.start(MID, max_seconds=120, video_config={"codec": "VP8", "width": 640}),
        env(RECORDING),
        lambda r: r.status == "INVOKED",
        body={"meeting_id": MID, "max_seconds": 120, "video_config": {"codec": "VP8", "width": 640}},
    ),
    Op(
        "R3",
        "GET",
        f"{P}/recordings/active-recording/{MID}",
        lambda c: c.recordings.get_active(MID),
        env({**RECORDING, "status": "RECORDING"}),
        lambda r: r.status == "RECORDING",
    ),
    Op(
        "R4",
        "GET",
        f"{P}/recordings/{RID}",
        lambda c: c.recordings.get(RID),
        env({**RECORDING, "start_reason": {"reason": "API_CALL", "caller": {"user_Id": "u"}}}),
        lambda r: r.start_reason.caller == {"user_Id": "u"},
    ),
    Op(
        "R5",
        "PUT",
        f"{P}/recordings/{RID}",
        lambda c: c.recordings.stop(RID),
        env({**RECORDING, "status": "UPLOADING"}),
        lambda r: r.status == "UPLOADING",
        body={"action": "stop"},
    ),
    Op(
        "R6",
        "POST",
        f"{P}/recordings/track",
        lambda c: c.recordings.start_track(MID, layers={"default": {"file_name_prefix": "call-1"}}),
        env({"recording": {**RECORDING, "download_url": [{"layer_name": "default", "download_urls": {}}]}}),
        lambda r: isinstance(r.download_url, list) and r.download_url[0]["layer_name"] == "default",
        body={"meeting_id": MID, "layers": {"default": {"file_name_prefix": "call-1"}}},
    ),
    # -- livestreams
    Op(
        "L1",
        "POST",
        f"{P}/meetings/{MID}/livestreams",
        lambda c: c.livestreams.start(MID, name="show-1"),
        env(LIVESTREAM),
        lambda r: r.stream_key == "k",
        status=201,
        body={"name": "show-1"},
    ),
    Op(
        "L2",
        "POST",
        f"{P}/meetings/{MID}/active-livestream/stop",
        lambda c: c.livestreams.stop(MID),
        env({"message": "Stopped live stream successfully"}),
        lambda r: r.message.startswith("Stopped"),
    ),
    Op(
        "L3",
        "GET",
        f"{P}/meetings/{MID}/active-livestream",
        lambda c: c.livestreams.get_active(MID),
        env({**LIVESTREAM, "disabled": False}),
        lambda r: r.disabled is False,
    ),
    Op(
        "L4",
        "GET",
        f"{P}/livestreams",
        lambda c: c.livestreams.list(sort_order="DSC", exclude_meetings=True),
        env([LIVESTREAM], paging=PAGING),
        lambda r: r.items[0].id == LID,
        params={"sort_order": ["DSC"], "exclude_meetings": ["true"]},
    ),
    Op(
        "L5",
        "GET",
        f"{P}/livestreams/{LID}",
        lambda c: c.livestreams.get(LID, page_no=1),
        env({"livestream": LIVESTREAM, "sessions": [LS_SESSION]}, paging=PAGING),
        lambda r: r.sessions[0].viewer_seconds == 61.5 and r.paging.total_count == 1,
    ),
    Op(
        "L6",
        "GET",
        f"{P}/livestreams/{LID}/active-livestream-session",
        lambda c: c.livestreams.get_active_session(LID),
        env({"livestream": LIVESTREAM, "session": LS_SESSION}),
        lambda r: r.session.id == "ls-1",
    ),
    Op(
        "L7",
        "GET",
        f"{P}/livestreams/sessions/ls-1",
        lambda c: c.livestreams.get_session("ls-1"),
        env(LS_SESSION),
        lambda r: r.ingest_seconds == 60,
    ),
    Op(
        "L8",
        "GET",
        f"{P}/analytics/livestreams/overall",
        lambda c: c.livestreams.analytics_overall(1700000000, 1700086400),
        env({"count": 2, "total_ingest_seconds": 10, "total_viewer_seconds": 20}),
        lambda r: r.count == 2,
        params={"start_time": ["1700000000"], "end_time": ["1700086400"]},
    ),
    Op(
        "L9",
        "GET",
        f"{P}/analytics/livestreams/daywise",
        lambda c: c.livestreams.analytics_daywise(),
        env([{"date": "2025-01-01", "count": 1}]),
        lambda r: r[0].date == "2025-01-01",
    ),
    Op(
        "LX1",
        "GET",
        f"{P}/meetings/{MID}/livestream",
        lambda c: c.livestreams.for_meeting(MID),
        env({"livestream": LIVESTREAM, "sessions": [LS_SESSION]}),
        lambda r: r.livestream.id == LID,
    ),
    Op(
        "LX2",
        "GET",
        f"{P}/sessions/{SID}/livestream-sessions",
        lambda c: c.livestreams.for_session(SID),
        env({"data": [LS_SESSION], "paging": PAGING}),
        lambda r: r.items[0].id == "ls-1" and r.paging is not None,
    ),
    # -- analytics
    Op(
        "AN1",
        "GET",
        f"{P}/analytics/daywise",
        lambda c: c.analytics.daywise("2025-01-01", "2025-01-31"),
        env(
            {
                "session_stats": {
                    "sessions_count": 4,
                    "day_stats": [{"day": "2025-01-02", "total_sessions": 4}],
                },
                "recording_stats": {"recording_count": 1},
            }
        ),
        lambda r: r.session_stats.day_stats[0].total_sessions == 4,
        params={"start_date": ["2025-01-01"], "end_date": ["2025-01-31"]},
    ),
    # -- webhooks
    Op("W1", "GET", f"{P}/webhooks", lambda c: c.webhooks.list(), env([WEBHOOK]), lambda r: r[0].id == WID),
    Op(
        "W2",
        "POST",
        f"{P}/webhooks",
        lambda c: c.webhooks.create("hook", "https://example.com/h", ["meeting.ended"]),
        env(WEBHOOK),
        lambda r: r.enabled is True,
        status=201,
        body={"name": "hook", "url": "https://example.com/h", "events": ["meeting.ended"], "enabled": True},
    ),
    Op(
        "W3",
        "GET",
        f"{P}/webhooks/{WID}",
        lambda c: c.webhooks.get(WID),
        env(WEBHOOK),
        lambda r: r.name == "hook",
    ),
    Op(
        "W4",
        "PATCH",
        f"{P}/webhooks/{WID}",
        lambda c: c.webhooks.update(WID, enabled=False),
        env({**WEBHOOK, "enabled": False}),
        lambda r: r.enabled is False,
        body={"enabled": False},
    ),
    Op(
        "W5",
        "PUT",
        f"{P}/webhooks/{WID}",
        lambda c: c.webhooks.replace(
            WID, "h2", "https://example.com/2", ["meeting.started", "meeting.ended"]
        ),
        env(WEBHOOK),
        lambda r: r.id == WID,
        body={"name": "h2", "url": "https://example.com/2", "events": ["meeting.started", "meeting.ended"]},
    ),
    Op(
        "W6",
        "DELETE",
        f"{P}/webhooks/{WID}",
        lambda c: c.webhooks.delete(WID),
        env(WEBHOOK),
        lambda r: r.id == WID,
    ),
    Op(
        "W7",
        "GET",
        f"{P}/webhooks/all",
        lambda c: c.webhooks.events(),
        env(["meeting.started", "meeting.ended"]),
        lambda r: r == ["meeting.started", "meeting.ended"],
    ),
]


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
async def test_operation_sends_the_documented_request_and_unwraps_the_answer(
    client: RealtimeKitClient, router: respx.Router, op: Op
) -> None:
    route = router.route(method=op.method, path=op.path).mock(
        return_value=httpx.Response(op.status, json=op.response)
    )
    result = await op.call(client)
    assert route.call_count == 1
    request = route.calls.last.request
    if op.body is not None:
        assert json.loads(request.content) == op.body
    elif op.method in ("GET", "DELETE"):
        assert request.content == b""
    for key, values in op.params.items():
        assert request.url.params.get_list(key) == values
    assert op.check(result), result


def test_operation_table_covers_the_reference() -> None:
    reference = (
        ["A1", "A2", "A3"]
        + [f"M{i}" for i in range(1, 13)]
        + [f"S{i}" for i in range(1, 7)]
        + [f"PR{i}" for i in range(1, 7)]
        + [f"SE{i}" for i in range(1, 10)]
        + [f"R{i}" for i in range(1, 7)]
        + [f"L{i}" for i in range(1, 10)]
        + ["AN1"]
        + [f"W{i}" for i in range(1, 8)]
    )
    assert len(reference) == 59
    assert set(reference) <= {op.id for op in OPERATIONS}


OPENAPI = Path(__file__).resolve().parents[1] / "conformance" / "openapi" / "realtimekit.openapi.yaml"


def test_every_openapi_operation_has_a_client_method() -> None:
    if not OPENAPI.exists():
        pytest.skip("OpenAPI copy not present")
    import yaml  # type: ignore[import-untyped]

    spec = yaml.safe_load(OPENAPI.read_text())
    prefix = "/accounts/{account_id}/realtime/kit"
    ours = set()
    for op in OPERATIONS:
        template = op.path.replace(P, prefix + "/{app_id}").replace(A, prefix)
        for value, name in [
            (MID, "{meeting_id}"),
            (PID, "{participant_id}"),
            (SID, "{session_id}"),
            (RID, "{recording_id}"),
            (WID, "{webhook_id}"),
            (PRID, "{preset_id}"),
            (LID, "{livestream_id}"),
        ]:
            template = template.replace(value, name)
        template = template.replace("/apps/app-4567", "/apps/{app_id}")
        template = re.sub(r"/peer-report/[^/]+$", "/peer-report/{peer_id}", template)
        template = template.replace(
            "/livestreams/sessions/ls-1", "/livestreams/sessions/{livestream-session-id}"
        )
        ours.add((op.method, template))
    theirs = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert len(theirs) == 61
    assert theirs - ours == set()


# -- quirks beyond the table ---------------------------------------------------------------------


async def test_livestream_list_accepts_the_sdk_object_shape(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/livestreams").mock(return_value=ok({**LIVESTREAM, "paging": PAGING}))
    page = await client.livestreams.list()
    assert [ls.id for ls in page.items] == [LID]
    assert page.paging is not None and page.paging.total_count == 1
    assert "paging" not in (page.items[0].model_extra or {})


async def test_livestream_overall_analytics_accepts_an_array(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    rows = [{"count": 1, "total_ingest_seconds": 5, "total_viewer_seconds": 7}] * 2
    router.get(f"{P}/analytics/livestreams/overall").mock(return_value=ok(rows))
    totals = await client.livestreams.analytics_overall()
    assert totals == LivestreamAnalyticsTotals(count=2, total_ingest_seconds=10, total_viewer_seconds=14)


async def test_session_participants_paging_inside_data_is_found(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/sessions/{SID}/participants").mock(
        return_value=ok(
            {"participants": [], "paging": {"total_count": 0, "start_offset": 0, "end_offset": 0}}
        )
    )
    page = await client.sessions.participants(SID)
    assert isinstance(page, Page) and page.items == [] and page.paging is not None


async def test_generate_summary_accepts_the_dyte_shape(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.post(f"{P}/sessions/{SID}/summary").mock(
        return_value=httpx.Response(200, json={"success": True, "message": "Success"})
    )
    job = await client.sessions.generate_summary(SID)
    assert job.success is True and job.message == "Success"


async def test_kick_requires_at_least_one_id(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.route().mock(return_value=ok({}))
    with pytest.raises(errors.RequestValidationError, match="at least one"):
        await client.active_session.kick(MID)
    with pytest.raises(errors.RequestValidationError):
        await client.active_session.kick(MID, participant_ids=[])
    assert not route.called


async def test_strict_request_models_reject_unknown_and_out_of_range_fields(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.route().mock(return_value=ok({}))
    bad_calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: client.presets.update(PRID, config={"view_type": "CINEMA"}),
        lambda: client.presets.update(PRID, permissions={"can_fly": True}),
        lambda: client.presets.update(PRID, config={"media": {"video": {"frame_rate": 60}}}),
        lambda: client.recordings.start(MID, max_seconds=10),
        lambda: client.recordings.start(MID, storage_config={"type": "aws", "bucket": "b"}),
        lambda: client.recordings.start_track(MID, user_ids=[]),
        lambda: client.recordings.start_track(MID, layers={"x": {"file_name_prefix": "bad/slash"}}),
        lambda: client.webhooks.create("n", "ftp://x", ["meeting.started"]),
        lambda: client.webhooks.create("n", "https://x", ["meeting.exploded"]),  # type: ignore[list-item]
        lambda: client.livestreams.start(MID, name="has space"),
        lambda: client.sessions.participants(SID, per_page=500),
        lambda: client.meetings.create(ai_config={"summarization": {"word_limit": 5}}),
        lambda: client.participants.add(MID, "", "host"),
        lambda: client.active_session.create_poll(MID, "q", []),
        lambda: client.apps.list(page_no=0),
    ]
    for call in bad_calls:
        with pytest.raises(errors.RequestValidationError):
            await call()
    assert not route.called


async def test_sftp_storage_with_all_required_fields_is_accepted(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.post(f"{P}/recordings").mock(return_value=ok(RECORDING))
    storage = {
        "type": "sftp",
        "bucket": "b",
        "access_key": "ak",
        "region": "r",
        "auth_method": "PASSWORD",
        "username": "u",
        "host": "h",
        "port": 22,
        "password": "pw-secret-value",
    }
    await client.recordings.start(MID, storage_config=storage)
    assert json.loads(route.calls.last.request.content)["storage_config"] == storage
