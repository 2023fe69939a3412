"""Cloudflare's official Python SDK (cloudflare==5.9.0) against the emulator.

Every method under ``client.realtime_kit.*`` is called (the set is enumerated from the SDK's resource
classes, and a test checks it equals the set covered here). Each answer must parse into the SDK's
response type. The SDK builds responses leniently (``construct``), so every raw JSON body is also
re-validated with the same pydantic model (real validation), and expected values are asserted:
ids round-trip, statuses, tokens, counts.
"""

from __future__ import annotations

import csv
import inspect
import io
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict, TypeVar, cast

import cloudflare
import httpx
import jwt
import pydantic
import pytest
from cloudflare._resource import AsyncAPIResource

from . import _control
from ._data import MEETING_AI_CONFIG, MEETING_RECORDING_CONFIG, WEBHOOK_EVENTS, preset_body
from ._exchange import Recorder, openapi_problems
from .conftest import ACCOUNT_ID, APP_ID

pytestmark = pytest.mark.anyio


class Ids(TypedDict):
    account_id: str
    app_id: str


IDS: Ids = {"account_id": ACCOUNT_ID, "app_id": APP_ID}

COVERED: dict[str, str] = {}
"""SDK method ("group.method") -> the test that calls it."""

F = TypeVar("F", bound=Callable[..., Any])


def covers(*methods: str) -> Callable[[F], F]:
    """Mark a test as the one exercising ``methods`` (each method is covered exactly once)."""

    def mark(fn: F) -> F:
        for method in methods:
            assert method not in COVERED, f"{method} covered twice"
            COVERED[method] = fn.__name__
        return fn

    return mark


def sdk_realtime_kit_methods() -> set[str]:
    """Every public async method of every resource under ``AsyncCloudflare.realtime_kit``."""
    client = cloudflare.AsyncCloudflare(api_token="unused", base_url="http://unused.invalid/client/v4")
    realtime_kit = client.realtime_kit
    found: set[str] = set()
    for group in dir(type(realtime_kit)):
        if group.startswith("_") or group.startswith("with_"):
            continue
        resource = getattr(realtime_kit, group)
        if not isinstance(resource, AsyncAPIResource):
            continue
        for name, _ in inspect.getmembers(type(resource), inspect.iscoroutinefunction):
            if not name.startswith("_"):
                found.add(f"{group}.{name}")
    return found


def strict(result: pydantic.BaseModel, recorder: Recorder) -> dict[str, Any]:
    """Validate the raw JSON of the last exchange with ``type(result)`` and return it.

    ``type(result)`` is the SDK's response model; ``model_validate`` runs real pydantic
    validation (types, literals, required fields), unlike the SDK's lenient construction.
    """
    body = recorder.last.body
    assert isinstance(body, dict), f"not a JSON object: {recorder.last.raw[:200]!r}"
    type(result).model_validate(body)
    return body


def is_uuid(value: object) -> bool:
    import uuid

    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a participant JWT.

    The web SDK (@cloudflare/realtimekit) decodes the payload with ``atob()`` and no base64url
    translation, so the payload segment must not contain ``-`` or ``_``.
    """
    assert token.startswith("eyJ"), "participant tokens are JWTs"
    payload = token.split(".")[1]
    assert "-" not in payload and "_" not in payload, "payload must survive atob()"
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.fixture(autouse=True)
def _answers_also_match_the_openapi(recorder: Recorder) -> Any:
    """Whatever the SDK received in a test must also validate against Cloudflare's OpenAPI."""
    yield
    problems = [problem for exchange in recorder.exchanges for problem in openapi_problems(exchange)]
    assert not problems, "\n".join(problems)


def test_every_realtime_kit_method_of_the_sdk_is_covered() -> None:
    methods = sdk_realtime_kit_methods()
    assert len(methods) == 55, sorted(methods)  # cloudflare==5.9.0; a new SDK must be reviewed
    assert set(COVERED) == methods, {
        "not covered": sorted(methods - set(COVERED)),
        "not in SDK": sorted(set(COVERED) - methods),
    }


# --- helpers that use the SDK -------------------------------------------------------------------


async def new_meeting(sdk: cloudflare.AsyncCloudflare, **fields: Any) -> str:
    meeting = await sdk.realtime_kit.meetings.create(APP_ID, account_id=ACCOUNT_ID, **fields)
    assert meeting.data is not None
    return meeting.data.id


async def any_preset_name(sdk: cloudflare.AsyncCloudflare) -> str:
    presets = await sdk.realtime_kit.presets.get(APP_ID, account_id=ACCOUNT_ID)
    assert presets.data, "a new app has default presets"
    name = presets.data[0].name
    assert name
    return name


# --- apps ---------------------------------------------------------------------------------------


@covers("apps.post", "apps.get")
async def test_apps_create_and_list(sdk: cloudflare.AsyncCloudflare, recorder: Recorder) -> None:
    created = await sdk.realtime_kit.apps.post(account_id=ACCOUNT_ID, name="conformance-app")
    strict(created, recorder)
    assert created.success is True
    assert created.data is not None and created.data.app is not None
    app = created.data.app
    assert is_uuid(app.id)
    assert app.name == "conformance-app"
    assert app.created_at is not None

    listed = await sdk.realtime_kit.apps.get(account_id=ACCOUNT_ID, page_no=1, per_page=50, sort_order="ASC")
    strict(listed, recorder)
    assert listed.success is True
    assert listed.data is not None
    ids = [a.id for a in listed.data]
    assert APP_ID in ids and app.id in ids
    assert listed.paging is not None and listed.paging.total_count == len(ids)

    searched = await sdk.realtime_kit.apps.get(account_id=ACCOUNT_ID, search="conformance-app")
    strict(searched, recorder)
    assert searched.data is not None and [a.id for a in searched.data] == [app.id]


# --- meetings -------------------------------------------------------------------------------------


@covers(
    "meetings.create",
    "meetings.get",
    "meetings.get_meeting_by_id",
    "meetings.update_meeting_by_id",
    "meetings.replace_meeting_by_id",
)
async def test_meetings_lifecycle(sdk: cloudflare.AsyncCloudflare, recorder: Recorder) -> None:
    meetings = sdk.realtime_kit.meetings
    created = await meetings.create(
        APP_ID,
        account_id=ACCOUNT_ID,
        title="Conformance standup",
        persist_chat=True,
        record_on_start=False,
        live_stream_on_start=False,
        summarize_on_end=True,
        transcribe_on_end=True,
        session_keep_alive_time_in_secs=120,
        ai_config=MEETING_AI_CONFIG,  # type: ignore[arg-type]
        recording_config=MEETING_RECORDING_CONFIG,  # type: ignore[arg-type]
    )
    strict(created, recorder)
    assert recorder.last.status == 201
    assert created.success is True and created.data is not None
    meeting = created.data
    assert is_uuid(meeting.id)
    assert meeting.title == "Conformance standup"
    assert meeting.status == "ACTIVE"
    assert meeting.persist_chat is True and meeting.summarize_on_end is True
    assert meeting.session_keep_alive_time_in_secs == 120
    assert meeting.ai_config is not None and meeting.ai_config.transcription is not None
    assert meeting.ai_config.transcription.language == "en-US"
    assert meeting.ai_config.summarization is not None
    assert meeting.ai_config.summarization.word_limit == 300
    assert meeting.recording_config is not None
    assert meeting.recording_config.max_seconds == 3600
    assert meeting.created_at is not None and meeting.updated_at is not None

    other_id = await new_meeting(sdk, title="Another meeting")

    listed = await meetings.get(APP_ID, account_id=ACCOUNT_ID, page_no=1, per_page=1)
    strict(listed, recorder)
    assert len(listed.data) == 1
    assert listed.paging.total_count == 2
    assert (listed.paging.start_offset, listed.paging.end_offset) == (1, 1)
    searched = await meetings.get(APP_ID, account_id=ACCOUNT_ID, search="standup")
    strict(searched, recorder)
    assert [m.id for m in searched.data] == [meeting.id]

    fetched = await meetings.get_meeting_by_id(meeting.id, **IDS)
    strict(fetched, recorder)
    assert fetched.data is not None
    assert fetched.data.id == meeting.id and fetched.data.title == meeting.title
    assert fetched.data.ai_config is not None

    updated = await meetings.update_meeting_by_id(meeting.id, **IDS, status="INACTIVE", title="Renamed")
    strict(updated, recorder)
    assert updated.data is not None
    assert updated.data.status == "INACTIVE" and updated.data.title == "Renamed"
    assert updated.data.session_keep_alive_time_in_secs == 120  # PATCH keeps other fields
    inactive = await meetings.get(APP_ID, account_id=ACCOUNT_ID, status="INACTIVE")
    assert [m.id for m in inactive.data] == [meeting.id]

    replaced = await meetings.replace_meeting_by_id(other_id, **IDS, title="Replaced", record_on_start=True)
    strict(replaced, recorder)
    assert replaced.data is not None
    assert replaced.data.id == other_id
    assert replaced.data.title == "Replaced" and replaced.data.record_on_start is True

    with pytest.raises(cloudflare.NotFoundError):
        await meetings.get_meeting_by_id("00000000-0000-4000-8000-000000000000", **IDS)

    # the SDK serialises datetimes as ISO 8601 with an offset ("...+00:00", sent as %2B00:00)
    around = datetime.now(UTC)
    window = await meetings.get(
        APP_ID,
        account_id=ACCOUNT_ID,
        start_time=around - timedelta(days=1),
        end_time=around + timedelta(days=1),
    )
    strict(window, recorder)
    assert {m.id for m in window.data} == {meeting.id, other_id}
    past = await meetings.get(
        APP_ID,
        account_id=ACCOUNT_ID,
        start_time=around - timedelta(days=3),
        end_time=around - timedelta(days=2),
    )
    assert past.data == [] and past.paging.total_count == 0


async def test_sdk_raises_its_typed_errors_for_emulator_errors(
    sdk: cloudflare.AsyncCloudflare, emulator_app: Any
) -> None:
    with pytest.raises(cloudflare.BadRequestError) as bad:
        await sdk.realtime_kit.meetings.create(
            APP_ID, account_id=ACCOUNT_ID, session_keep_alive_time_in_secs=5
        )
    assert bad.value.status_code == 400
    assert "session_keep_alive_time_in_secs" in str(bad.value.body)

    with pytest.raises(cloudflare.NotFoundError):
        await sdk.realtime_kit.webhooks.get_webhook_by_id("00000000-0000-4000-8000-000000000000", **IDS)

    wrong = cloudflare.AsyncCloudflare(
        api_token="not-the-token",
        base_url="http://emulator.local/client/v4",
        http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app)),
        max_retries=0,
    )
    async with wrong:
        with pytest.raises((cloudflare.AuthenticationError, cloudflare.PermissionDeniedError)):
            await wrong.realtime_kit.meetings.get(APP_ID, account_id=ACCOUNT_ID)


@covers(
    "meetings.add_participant",
    "meetings.get_meeting_participants",
    "meetings.get_meeting_participant",
    "meetings.edit_participant",
    "meetings.refresh_participant_token",
    "meetings.delete_meeting_participant",
)
async def test_participants_lifecycle(sdk: cloudflare.AsyncCloudflare, recorder: Recorder) -> None:
    meetings = sdk.realtime_kit.meetings
    meeting_id = await new_meeting(sdk, title="Participants")
    preset_name = await any_preset_name(sdk)

    added = await meetings.add_participant(
        meeting_id,
        **IDS,
        custom_participant_id="user-42",
        preset_name=preset_name,
        name="Ada",
        picture="https://example.com/ada.png",
    )
    strict(added, recorder)
    assert recorder.last.status == 201
    assert added.success is True and added.data is not None
    participant = added.data
    assert is_uuid(participant.id)
    assert participant.custom_participant_id == "user-42"
    assert participant.preset_name == preset_name
    assert participant.name == "Ada" and participant.picture == "https://example.com/ada.png"
    token_claims = claims(participant.token)
    assert token_claims["meetingId"] == meeting_id
    assert token_claims["orgId"] == APP_ID
    assert token_claims["participantId"] == participant.id
    assert token_claims["exp"] - time.time() > 99 * 24 * 3600  # about 100 days

    listed = await meetings.get_meeting_participants(meeting_id, **IDS, page_no=1, per_page=10)
    strict(listed, recorder)
    assert [p.id for p in listed.data] == [participant.id]
    assert listed.paging.total_count == 1
    assert "token" not in recorder.last.body["data"][0]

    fetched = await meetings.get_meeting_participant(participant.id, **IDS, meeting_id=meeting_id)
    strict(fetched, recorder)
    assert fetched.data is not None and fetched.data.id == participant.id
    assert fetched.data.custom_participant_id == "user-42"

    edited = await meetings.edit_participant(participant.id, **IDS, meeting_id=meeting_id, name="Ada L.")
    strict(edited, recorder)
    assert edited.data is not None
    assert edited.data.name == "Ada L." and edited.data.id == participant.id
    assert claims(edited.data.token)["participantId"] == participant.id

    refreshed = await meetings.refresh_participant_token(participant.id, **IDS, meeting_id=meeting_id)
    strict(refreshed, recorder)
    assert refreshed.success is True
    assert refreshed.data.token != participant.token
    assert claims(refreshed.data.token)["participantId"] == participant.id

    deleted = await meetings.delete_meeting_participant(participant.id, **IDS, meeting_id=meeting_id)
    strict(deleted, recorder)
    assert deleted.data is not None
    assert deleted.data.custom_participant_id == "user-42"
    assert deleted.data.preset_id
    with pytest.raises(cloudflare.NotFoundError):
        await meetings.get_meeting_participant(participant.id, **IDS, meeting_id=meeting_id)


# --- presets --------------------------------------------------------------------------------------


@covers(
    "presets.get",
    "presets.create",
    "presets.get_preset_by_id",
    "presets.update",
    "presets.replace_preset_by_id",
    "presets.delete",
)
async def test_presets_lifecycle(sdk: cloudflare.AsyncCloudflare, recorder: Recorder) -> None:
    presets = sdk.realtime_kit.presets
    defaults = await presets.get(APP_ID, account_id=ACCOUNT_ID, page_no=1, per_page=100)
    strict(defaults, recorder)
    assert defaults.success is True and defaults.data
    default_names = {p.name for p in defaults.data}
    assert "group_call_host" in default_names
    for default in defaults.data:  # every built-in preset is complete by the SDK's (strict) model
        assert default.id is not None
        full = await presets.get_preset_by_id(default.id, **IDS)
        strict(full, recorder)
        assert full.data is not None and full.data.name == default.name

    created = await presets.create(APP_ID, account_id=ACCOUNT_ID, **preset_body("conformance_preset"))
    strict(created, recorder)
    assert recorder.last.status == 201
    assert created.data is not None
    preset_id = created.data.id
    assert is_uuid(preset_id) and created.data.name == "conformance_preset"
    assert created.data.config.view_type == "GROUP_CALL"
    assert created.data.permissions.waiting_room_type == "SKIP"
    assert created.data.ui.design_tokens.theme == "dark"

    fetched = await presets.get_preset_by_id(preset_id, **IDS)
    strict(fetched, recorder)
    assert fetched.data is not None and fetched.data.id == preset_id
    assert fetched.data.config.max_video_streams.desktop == 9
    assert fetched.data.ui.design_tokens.colors.background.model_dump(by_alias=True)["600"] == "#222222"

    searched = await presets.get(APP_ID, account_id=ACCOUNT_ID, search="conformance")
    strict(searched, recorder)
    assert [p.id for p in searched.data] == [preset_id]

    updated = await presets.update(
        preset_id,
        **IDS,
        name="conformance_preset_v2",
        config={"max_screenshare_count": 2},
    )
    strict(updated, recorder)
    assert updated.data is not None
    assert updated.data.name == "conformance_preset_v2"
    assert updated.data.config.max_screenshare_count == 2
    assert updated.data.config.max_video_streams.desktop == 9  # deep merge keeps siblings

    body = preset_body("conformance_preset_v3")
    body["config"]["view_type"] = "WEBINAR"
    replaced = await presets.replace_preset_by_id(preset_id, **IDS, **body)
    strict(replaced, recorder)
    assert replaced.data is not None
    assert replaced.data.name == "conformance_preset_v3" and replaced.data.config.view_type == "WEBINAR"

    deleted = await presets.delete(preset_id, **IDS)
    strict(deleted, recorder)
    assert deleted.data is not None and deleted.data.id == preset_id
    with pytest.raises(cloudflare.NotFoundError):
        await presets.get_preset_by_id(preset_id, **IDS)


# --- webhooks -------------------------------------------------------------------------------------


@covers(
    "webhooks.create_webhook",
    "webhooks.get_webhooks",
    "webhooks.get_webhook_by_id",
    "webhooks.edit_webhook",
    "webhooks.replace_webhook",
    "webhooks.delete_webhook",
)
async def test_webhooks_lifecycle(sdk: cloudflare.AsyncCloudflare, recorder: Recorder) -> None:
    webhooks = sdk.realtime_kit.webhooks
    created = await webhooks.create_webhook(
        APP_ID,
        account_id=ACCOUNT_ID,
        name="conformance hook",
        url="https://hooks.example.com/rtk",
        events=["meeting.started", "meeting.ended"],
    )
    strict(created, recorder)
    assert recorder.last.status in (200, 201)
    assert created.data is not None
    hook = created.data
    assert is_uuid(hook.id)
    assert hook.name == "conformance hook" and hook.url == "https://hooks.example.com/rtk"
    assert hook.events == ["meeting.started", "meeting.ended"]
    assert hook.enabled is True

    listed = await webhooks.get_webhooks(APP_ID, account_id=ACCOUNT_ID)
    strict(listed, recorder)
    assert listed.data is not None and [w.id for w in listed.data] == [hook.id]

    fetched = await webhooks.get_webhook_by_id(hook.id, **IDS)
    strict(fetched, recorder)
    assert fetched.data is not None and fetched.data.id == hook.id

    edited = await webhooks.edit_webhook(hook.id, **IDS, enabled=False)
    strict(edited, recorder)
    assert edited.data is not None and edited.data.enabled is False
    assert edited.data.name == "conformance hook"

    replaced = await webhooks.replace_webhook(
        hook.id,
        **IDS,
        name="all events",
        url="https://hooks.example.com/all",
        events=cast(Any, WEBHOOK_EVENTS),
    )
    strict(replaced, recorder)
    assert replaced.data is not None
    assert replaced.data.name == "all events" and replaced.data.events == WEBHOOK_EVENTS

    deleted = await webhooks.delete_webhook(hook.id, **IDS)
    strict(deleted, recorder)
    assert deleted.data is not None and deleted.data.id == hook.id
    with pytest.raises(cloudflare.NotFoundError):
        await webhooks.get_webhook_by_id(hook.id, **IDS)


# --- active session -------------------------------------------------------------------------------


@covers(
    "active_session.get_active_session",
    "active_session.kick_participants",
    "active_session.create_poll",
    "active_session.kick_all_participants",
)
async def test_active_session_controls(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    active = sdk.realtime_kit.active_session
    meeting_id = await new_meeting(sdk, title="Live")
    with pytest.raises(cloudflare.NotFoundError):
        await active.get_active_session(meeting_id, **IDS)

    preset_name = await any_preset_name(sdk)
    people = []
    for n in range(3):
        added = await sdk.realtime_kit.meetings.add_participant(
            meeting_id, **IDS, custom_participant_id=f"p{n}", preset_name=preset_name, name=f"P{n}"
        )
        assert added.data is not None
        people.append(added.data)
    session = await _control.start_session(http, meeting_id, [p.id for p in people])

    got = await active.get_active_session(meeting_id, **IDS)
    strict(got, recorder)
    assert got.data is not None
    assert got.data.id == session.session_id
    assert got.data.associated_id == meeting_id
    assert got.data.status == "LIVE"
    assert got.data.live_participants == 3

    kicked = await active.kick_participants(meeting_id, **IDS, participant_ids=[people[0].id])
    strict(kicked, recorder)
    assert kicked.data is not None and kicked.data.participants is not None
    assert [p.id for p in kicked.data.participants] == [people[0].id]
    kicked_custom = await active.kick_participants(meeting_id, **IDS, custom_participant_ids=["p1"])
    strict(kicked_custom, recorder)
    assert kicked_custom.data is not None and kicked_custom.data.participants is not None
    assert [p.id for p in kicked_custom.data.participants] == [people[1].id]

    poll = await active.create_poll(
        meeting_id, **IDS, question="Ship it?", options=["yes", "no"], anonymous=True, hide_votes=False
    )
    strict(poll, recorder)
    assert recorder.last.status == 201
    assert poll.data is not None and poll.data.poll is not None
    assert is_uuid(poll.data.poll.id) or poll.data.poll.id
    assert poll.data.poll.question == "Ship it?"
    assert [(o.text, o.count, o.votes) for o in poll.data.poll.options] == [("yes", 0, []), ("no", 0, [])]
    assert poll.data.poll.anonymous is True

    kicked_all = await active.kick_all_participants(meeting_id, **IDS)
    strict(kicked_all, recorder)
    assert kicked_all.data is not None
    assert kicked_all.data.kicked_participants_count == 1
    with pytest.raises(cloudflare.NotFoundError):
        await active.get_active_session(meeting_id, **IDS)


# --- sessions -------------------------------------------------------------------------------------


@covers(
    "sessions.get_sessions",
    "sessions.get_session_details",
    "sessions.get_session_participants",
    "sessions.get_session_participant_details",
    "sessions.get_participant_data_from_peer_id",
    "sessions.get_session_chat",
    "sessions.get_session_transcripts",
    "sessions.generate_summary_of_transcripts",
    "sessions.get_session_summary",
)
async def test_session_history_and_exports(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    sessions = sdk.realtime_kit.sessions
    meeting_id = await new_meeting(sdk, title="History", persist_chat=True, transcribe_on_end=True)
    preset_name = await any_preset_name(sdk)
    ada = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="ada", preset_name=preset_name, name="Ada"
    )
    bob = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="bob", preset_name=preset_name, name="Bob"
    )
    assert ada.data is not None and bob.data is not None
    seeded = await _control.start_session(
        http,
        meeting_id,
        [ada.data.id, bob.data.id],
        chat=[(ada.data.id, "hello from ada"), (bob.data.id, "hi bob here")],
        transcript=[(ada.data.id, "let us begin"), (bob.data.id, "agreed")],
    )
    await _control.end_session(http, seeded.session_id)

    listed = await sessions.get_sessions(
        APP_ID, account_id=ACCOUNT_ID, associated_id=meeting_id, page_no=1, per_page=10
    )
    strict(listed, recorder)
    assert listed.data is not None and listed.data.sessions is not None
    assert [s.id for s in listed.data.sessions] == [seeded.session_id]
    ended = await sessions.get_sessions(APP_ID, account_id=ACCOUNT_ID, status="ENDED")
    assert ended.data is not None and ended.data.sessions is not None
    assert seeded.session_id in [s.id for s in ended.data.sessions]

    details = await sessions.get_session_details(seeded.session_id, **IDS, include_breakout_rooms=True)
    strict(details, recorder)
    assert details.data is not None
    assert details.data.id == seeded.session_id
    assert details.data.associated_id == meeting_id
    assert details.data.organization_id == APP_ID
    assert details.data.status == "ENDED" and details.data.ended_at
    assert details.data.max_concurrent_participants == 2

    participants = await sessions.get_session_participants(
        seeded.session_id, **IDS, include_peer_events=True, page_no=1, per_page=25
    )
    strict(participants, recorder)
    assert participants.data is not None and participants.data.participants is not None
    by_custom = {p.custom_participant_id: p for p in participants.data.participants}
    assert set(by_custom) == {"ada", "bob"}
    assert by_custom["ada"].user_id == ada.data.id
    assert by_custom["ada"].display_name == "Ada"
    session_participant_id = by_custom["ada"].id
    assert session_participant_id

    one = await sessions.get_session_participant_details(
        session_participant_id, **IDS, session_id=seeded.session_id, include_peer_events=True
    )
    strict(one, recorder)
    assert one.data is not None and one.data.participant is not None
    assert one.data.participant.id == session_participant_id
    assert one.data.participant.custom_participant_id == "ada"

    peer_id = seeded.peer_ids[ada.data.id]
    report = await sessions.get_participant_data_from_peer_id(peer_id, **IDS, include_peer_events=True)
    strict(report, recorder)
    assert report.data is not None and report.data.participant is not None
    assert report.data.participant.custom_participant_id == "ada"
    assert report.data.participant.session_id == seeded.session_id

    chat = await sessions.get_session_chat(seeded.session_id, **IDS)
    strict(chat, recorder)
    assert chat.data is not None and chat.data.chat_download_url
    chat_file = await http.get(chat.data.chat_download_url)
    assert chat_file.status_code == 200
    assert "hello from ada" in chat_file.text and "hi bob here" in chat_file.text

    transcript = await sessions.get_session_transcripts(seeded.session_id, **IDS)
    strict(transcript, recorder)
    assert transcript.data is not None
    assert transcript.data.session_id == seeded.session_id  # "sessionId" on the wire
    assert transcript.data.transcript_download_url
    transcript_file = await http.get(transcript.data.transcript_download_url)
    assert transcript_file.status_code == 200
    rows = list(csv.reader(io.StringIO(transcript_file.text)))
    # Cloudflare's transcript CSV: "<start_ms>","<peer_id>","<user_id>","<custom_participant_id>","<name>","<text>"
    assert [row[1:] for row in rows if len(row) == 6 and row[-1] == "let us begin"] == [
        [seeded.peer_ids[ada.data.id], ada.data.id, "ada", "Ada", "let us begin"]
    ]

    generated = await sessions.generate_summary_of_transcripts(seeded.session_id, **IDS)
    strict(generated, recorder)
    assert generated.success is True

    summary = await sessions.get_session_summary(seeded.session_id, **IDS)
    strict(summary, recorder)
    assert summary.data is not None
    assert summary.data.session_id == seeded.session_id
    assert summary.data.summary_download_url
    summary_file = await http.get(summary.data.summary_download_url)
    assert summary_file.status_code == 200 and summary_file.text.strip()


# --- recordings -----------------------------------------------------------------------------------


@covers(
    "recordings.start_recordings",
    "recordings.get_active_recordings",
    "recordings.get_one_recording",
    "recordings.pause_resume_stop_recording",
    "recordings.get_recordings",
)
async def test_composite_recording_lifecycle(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    recordings = sdk.realtime_kit.recordings
    meeting_id = await new_meeting(sdk, title="Recorded")
    preset_name = await any_preset_name(sdk)
    host = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="host", preset_name=preset_name
    )
    assert host.data is not None
    await _control.start_session(http, meeting_id, [host.data.id])

    started = await recordings.start_recordings(
        APP_ID,
        account_id=ACCOUNT_ID,
        meeting_id=meeting_id,
        file_name_prefix="conf",
        max_seconds=600,
        audio_config={"channel": "mono", "codec": "MP3", "export_file": True},
        video_config={"codec": "H264", "width": 640, "height": 480},
        realtimekit_bucket_config={"enabled": True},
    )
    strict(started, recorder)
    assert started.data is not None
    recording_id = started.data.id
    assert is_uuid(recording_id)
    assert started.data.status == "INVOKED"
    assert started.data.invoked_time is not None
    assert started.data.start_reason is not None and started.data.start_reason.reason == "API_CALL"

    await _control.advance(http, seconds=5)

    active = await recordings.get_active_recordings(meeting_id, **IDS)
    strict(active, recorder)
    assert active.data.id == recording_id
    assert active.data.status == "RECORDING"
    assert active.data.started_time is not None

    paused = await recordings.pause_resume_stop_recording(recording_id, **IDS, action="pause")
    strict(paused, recorder)
    assert paused.data is not None and paused.data.status == "PAUSED"
    resumed = await recordings.pause_resume_stop_recording(recording_id, **IDS, action="resume")
    strict(resumed, recorder)
    assert resumed.data is not None and resumed.data.status == "RECORDING"
    stopped = await recordings.pause_resume_stop_recording(recording_id, **IDS, action="stop")
    strict(stopped, recorder)
    assert stopped.data is not None and stopped.data.status in ("UPLOADING", "UPLOADED")
    assert stopped.data.stop_reason is not None and stopped.data.stop_reason.reason == "API_CALL"

    await _control.advance(http, seconds=10)

    one = await recordings.get_one_recording(recording_id, **IDS)
    strict(one, recorder)
    assert one.data is not None and one.data.id == recording_id
    assert one.data.status == "UPLOADED"
    assert one.data.download_url and one.data.download_url_expiry is not None
    assert one.data.stopped_time is not None
    media = await http.get(one.data.download_url)
    assert media.status_code == 200 and media.content

    listed = await recordings.get_recordings(
        APP_ID,
        account_id=ACCOUNT_ID,
        meeting_id=meeting_id,
        status=["UPLOADED", "ERRORED"],
        page_no=1,
        per_page=10,
    )
    strict(listed, recorder)
    assert listed.data is not None and [r.id for r in listed.data] == [recording_id]
    assert listed.paging is not None and listed.paging.total_count == 1
    none_live = await recordings.get_recordings(APP_ID, account_id=ACCOUNT_ID, status=["RECORDING"])
    assert not none_live.data


@covers("recordings.start_track_recording")
async def test_track_recording_starts(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    meeting_id = await new_meeting(sdk, title="Tracks")
    preset_name = await any_preset_name(sdk)
    host = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="host", preset_name=preset_name
    )
    assert host.data is not None
    await _control.start_session(http, meeting_id, [host.data.id])

    started = await sdk.realtime_kit.recordings.start_track_recording(
        APP_ID,
        account_id=ACCOUNT_ID,
        meeting_id=meeting_id,
        layers={"default": {"file_name_prefix": "track", "media_kind": "audio"}},
        user_ids=[host.data.id],
    )
    strict(started, recorder)
    assert started.success is True and started.data is not None
    assert is_uuid(started.data.recording.id)
    assert started.data.recording.status in ("INVOKED", "RECORDING")


# --- livestreams and analytics --------------------------------------------------------------------


@covers(
    "livestreams.start_livestreaming_a_meeting",
    "livestreams.get_meeting_active_livestreams",
    "livestreams.get_all_livestreams",
    "livestreams.get_livestream_session_for_livestream_id",
    "livestreams.get_active_livestreams_for_livestream_id",
    "livestreams.get_livestream_session_details_for_session_id",
    "livestreams.stop_livestreaming_a_meeting",
)
async def test_livestream_lifecycle(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    livestreams = sdk.realtime_kit.livestreams
    meeting_id = await new_meeting(sdk, title="Broadcast")
    preset_name = await any_preset_name(sdk)
    host = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="host", preset_name=preset_name
    )
    assert host.data is not None
    await _control.start_session(http, meeting_id, [host.data.id])

    started = await livestreams.start_livestreaming_a_meeting(
        meeting_id, **IDS, name="conformance-stream", video_config={"width": 1280, "height": 720}
    )
    strict(started, recorder)
    assert started.data is not None
    livestream_id = started.data.id
    assert livestream_id
    assert started.data.status == "INVOKED"
    assert started.data.ingest_server and started.data.stream_key and started.data.playback_url

    await _control.advance(http, seconds=5)

    active = await livestreams.get_meeting_active_livestreams(meeting_id, **IDS)
    strict(active, recorder)
    assert active.data is not None and active.data.id == livestream_id
    assert active.data.status == "LIVE"

    everything = await livestreams.get_all_livestreams(APP_ID, account_id=ACCOUNT_ID, page_no=1, per_page=10)
    strict(everything, recorder)
    assert everything.data is not None

    by_id = await livestreams.get_livestream_session_for_livestream_id(
        livestream_id, **IDS, page_no=1, per_page=10
    )
    strict(by_id, recorder)
    assert by_id.data is not None and by_id.data.livestream is not None
    assert by_id.data.livestream.id == livestream_id

    active_session = await livestreams.get_active_livestreams_for_livestream_id(livestream_id, **IDS)
    strict(active_session, recorder)
    assert active_session.data is not None and active_session.data.session is not None
    livestream_session_id = active_session.data.session.id
    assert livestream_session_id
    assert active_session.data.session.livestream_id == livestream_id

    session = await livestreams.get_livestream_session_details_for_session_id(livestream_session_id, **IDS)
    strict(session, recorder)
    assert session.data is not None and session.data.id == livestream_session_id

    stopped = await livestreams.stop_livestreaming_a_meeting(meeting_id, **IDS)
    strict(stopped, recorder)
    assert stopped.success is True and stopped.data is not None and stopped.data.message


@covers(
    "livestreams.get_livestream_analytics_complete",
    "livestreams.get_livestream_analytics_daywise",
    "livestreams.get_org_analytics",
    "analytics.get_org_analytics",
)
async def test_analytics(
    sdk: cloudflare.AsyncCloudflare, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    meeting_id = await new_meeting(sdk, title="Counted")
    preset_name = await any_preset_name(sdk)
    host = await sdk.realtime_kit.meetings.add_participant(
        meeting_id, **IDS, custom_participant_id="host", preset_name=preset_name
    )
    assert host.data is not None
    seeded = await _control.start_session(http, meeting_id, [host.data.id])
    await _control.advance(http, seconds=120)
    await _control.end_session(http, seeded.session_id)

    now = datetime.now(UTC)
    start = int((now - timedelta(days=7)).timestamp())
    end = int((now + timedelta(days=1)).timestamp())
    overall = await sdk.realtime_kit.livestreams.get_livestream_analytics_complete(
        APP_ID, account_id=ACCOUNT_ID, start_time=start, end_time=end
    )
    strict(overall, recorder)
    assert overall.data is not None and overall.data.count == 0

    daywise = await sdk.realtime_kit.livestreams.get_livestream_analytics_daywise(
        APP_ID, account_id=ACCOUNT_ID, start_time=start, end_time=end
    )
    strict(daywise, recorder)
    assert daywise.success is True

    today = date.today()
    first, last = str(today - timedelta(days=7)), str(today + timedelta(days=1))
    for resource in (sdk.realtime_kit.livestreams, sdk.realtime_kit.analytics):
        org = await resource.get_org_analytics(APP_ID, account_id=ACCOUNT_ID, start_date=first, end_date=last)
        strict(org, recorder)
        assert org.data is not None and org.data.session_stats is not None
        assert org.data.session_stats.sessions_count == 1
        assert org.data.recording_stats is not None
        assert org.data.recording_stats.recording_count == 0


# --- every method, unknown ids ---------------------------------------------------------------------

UNKNOWN_ID = "00000000-0000-4000-8000-00000000beef"

REQUIRED_VALUES: dict[str, Any] = {
    "options": ["a", "b"],
    "question": "q?",
    "custom_participant_id": "nobody",
    "preset_name": "group_call_host",
    "name": "unknown-id probe",
    "action": "stop",
    "events": ["meeting.started"],
    "url": "https://hooks.example.com/x",
    **{key: value for key, value in preset_body("unknown_id_probe").items() if key != "name"},
}


def _method_calls() -> list[Any]:
    calls = []
    for qualified in sorted(sdk_realtime_kit_methods()):
        group, name = qualified.split(".")
        calls.append(pytest.param(group, name, id=qualified))
    return calls


@pytest.mark.parametrize(("group", "name"), _method_calls())
async def test_every_sdk_method_raises_a_typed_error_for_unknown_ids(
    sdk: cloudflare.AsyncCloudflare, group: str, name: str
) -> None:
    """Unknown resource ids are 404 (``NotFoundError``), an unknown app too, an account the token
    cannot see 403/404; the SDK's exception types are what users catch, so statuses must map."""
    method = getattr(getattr(sdk.realtime_kit, group), name)
    signature = inspect.signature(method)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            args.append(UNKNOWN_ID)  # the path id: meeting, participant, preset, ... or the app
        elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty:
            if parameter.name == "account_id":
                kwargs["account_id"] = ACCOUNT_ID
            elif parameter.name == "app_id":
                kwargs["app_id"] = APP_ID
            elif parameter.name.endswith("_id"):
                kwargs[parameter.name] = UNKNOWN_ID
            else:
                kwargs[parameter.name] = REQUIRED_VALUES[parameter.name]
    if not args:  # apps.get / apps.post are account-level: look up an account this token cannot see
        kwargs["account_id"] = "f" * 32
        with pytest.raises((cloudflare.PermissionDeniedError, cloudflare.NotFoundError)) as denied:
            await method(*args, **kwargs)
        assert isinstance(denied.value.body, dict) and denied.value.body.get("success") is False
        return
    with pytest.raises(cloudflare.NotFoundError) as raised:
        await method(*args, **kwargs)
    assert raised.value.status_code == 404
    body = raised.value.body
    assert isinstance(body, dict) and body.get("success") is False
