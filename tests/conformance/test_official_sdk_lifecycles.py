"""Lifecycles Cloudflare documents, observed through the official SDK (cloudflare==5.9.0).

Sources (REST reference, /work/shared): DOC:start-recording and DOC:monitor-status (recording states,
one active recording per meeting unless ``allow_multiple_recordings``, auto-stop 60 s after the last
peer left with ``ALL_PEERS_LEFT``, no ``download_url`` when the RealtimeKit bucket is disabled),
DOC:meeting (``record_on_start``; sessions end ``session_keep_alive_time_in_secs`` after the last peer
leaves), DOC:participant (a refreshed token keeps the participant and its preset).
Every answer is also re-validated with the SDK's models and the OpenAPI (see test_official_sdk).
"""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

from . import _control
from ._exchange import Recorder, openapi_problems
from .conftest import ACCOUNT_ID, APP_ID
from .test_official_sdk import IDS, claims, strict

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _answers_also_match_the_openapi(recorder: Recorder) -> Any:
    yield
    problems = [problem for exchange in recorder.exchanges for problem in openapi_problems(exchange)]
    assert not problems, "\n".join(problems)


async def meeting_with_host(sdk: cloudflare.AsyncCloudflare, **fields: Any) -> tuple[str, str]:
    meeting = await sdk.realtime_kit.meetings.create(APP_ID, account_id=ACCOUNT_ID, **fields)
    assert meeting.data is not None
    host = await sdk.realtime_kit.meetings.add_participant(
        meeting.data.id, **IDS, custom_participant_id="host", preset_name="group_call_host", name="Host"
    )
    assert host.data is not None
    return meeting.data.id, host.data.id


async def seed(http: httpx.AsyncClient, meeting_id: str, participant_id: str, *, leave: bool) -> str:
    response = await http.post(
        "/_emulator/sessions",
        json={"meeting_id": meeting_id, "participants": [{"participant_id": participant_id, "leave": leave}]},
    )
    assert response.status_code == 200, response.text
    session_id: str = response.json()["data"]["session"]["id"]
    return session_id


async def test_record_on_start_records_when_the_session_starts(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk, record_on_start=True)
    await seed(http, meeting_id, host_id, leave=False)

    active = await sdk.realtime_kit.recordings.get_active_recordings(meeting_id, **IDS)
    strict(active, recorder)
    assert active.data.status in ("INVOKED", "RECORDING")
    one = await sdk.realtime_kit.recordings.get_one_recording(active.data.id, **IDS)
    strict(one, recorder)
    assert one.data is not None and one.data.start_reason is not None
    assert one.data.start_reason.reason == "RECORD_ON_START"
    assert one.data.start_reason.caller is None  # no API caller started it

    await _control.advance(http, seconds=5)
    running = await sdk.realtime_kit.recordings.get_active_recordings(meeting_id, **IDS)
    assert running.data.status == "RECORDING" and running.data.started_time is not None


async def test_when_everyone_leaves_the_recording_stops_and_the_session_ends_after_keep_alive(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk, session_keep_alive_time_in_secs=120)
    session_id = await seed(http, meeting_id, host_id, leave=True)  # joined, then left: nobody is in
    live = await sdk.realtime_kit.sessions.get_session_details(session_id, **IDS)
    assert live.data is not None and live.data.status == "LIVE"  # keep-alive: not ended yet
    assert live.data.live_participants == 0
    started = await sdk.realtime_kit.recordings.start_recordings(
        APP_ID, account_id=ACCOUNT_ID, meeting_id=meeting_id
    )
    assert started.data is not None

    await _control.advance(http, seconds=61)
    stopped = await sdk.realtime_kit.recordings.get_one_recording(started.data.id, **IDS)
    strict(stopped, recorder)
    assert stopped.data is not None
    assert stopped.data.status in ("UPLOADING", "UPLOADED")
    assert stopped.data.stop_reason is not None and stopped.data.stop_reason.reason == "ALL_PEERS_LEFT"

    await _control.advance(http, seconds=60)  # 121 s after the last peer left
    ended = await sdk.realtime_kit.sessions.get_session_details(session_id, **IDS)
    strict(ended, recorder)
    assert ended.data is not None and ended.data.status == "ENDED" and ended.data.ended_at
    with pytest.raises(cloudflare.NotFoundError):
        await sdk.realtime_kit.active_session.get_active_session(meeting_id, **IDS)


async def test_one_active_recording_per_meeting_unless_multiple_are_allowed(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk)
    await seed(http, meeting_id, host_id, leave=False)
    recordings = sdk.realtime_kit.recordings
    first = await recordings.start_recordings(APP_ID, account_id=ACCOUNT_ID, meeting_id=meeting_id)
    assert first.data is not None
    with pytest.raises((cloudflare.ConflictError, cloudflare.BadRequestError)):
        await recordings.start_recordings(APP_ID, account_id=ACCOUNT_ID, meeting_id=meeting_id)
    second = await recordings.start_recordings(
        APP_ID, account_id=ACCOUNT_ID, meeting_id=meeting_id, allow_multiple_recordings=True
    )
    assert second.data is not None and second.data.id != first.data.id


async def test_a_disabled_bucket_gives_no_download_url(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk)
    await seed(http, meeting_id, host_id, leave=False)
    recordings = sdk.realtime_kit.recordings
    started = await recordings.start_recordings(
        APP_ID, account_id=ACCOUNT_ID, meeting_id=meeting_id, realtimekit_bucket_config={"enabled": False}
    )
    assert started.data is not None
    await _control.advance(http, seconds=10)
    await recordings.pause_resume_stop_recording(started.data.id, **IDS, action="stop")
    await _control.advance(http, seconds=10)
    done = await recordings.get_one_recording(started.data.id, **IDS)
    strict(done, recorder)
    assert done.data is not None and done.data.status == "UPLOADED"
    assert done.data.download_url is None and done.data.audio_download_url is None
    assert done.data.download_url_expiry is None


async def test_a_refreshed_token_keeps_the_participant_and_its_preset(
    sdk: cloudflare.AsyncCloudflare, recorder: Recorder
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk)
    refreshed = await sdk.realtime_kit.meetings.refresh_participant_token(
        host_id, **IDS, meeting_id=meeting_id
    )
    strict(refreshed, recorder)
    token = claims(refreshed.data.token)
    assert token["participantId"] == host_id and token["meetingId"] == meeting_id
    fetched = await sdk.realtime_kit.meetings.get_meeting_participant(host_id, **IDS, meeting_id=meeting_id)
    assert fetched.data is not None and fetched.data.preset_name == "group_call_host"


async def test_an_inactive_meeting_starts_no_session(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient
) -> None:
    meeting_id, host_id = await meeting_with_host(sdk)
    await sdk.realtime_kit.meetings.update_meeting_by_id(meeting_id, **IDS, status="INACTIVE")
    response = await http.post(
        "/_emulator/sessions", json={"meeting_id": meeting_id, "participants": [{"participant_id": host_id}]}
    )
    assert 400 <= response.status_code < 500, response.text
    with pytest.raises(cloudflare.NotFoundError):
        await sdk.realtime_kit.active_session.get_active_session(meeting_id, **IDS)
