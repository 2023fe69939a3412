"""Meetings (M1-M5): create, list, get, update (PATCH) and replace (PUT) meetings.

Also holds the recording and AI configuration models shared with ``recordings.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.client._models import (
    DateTimeQuery,
    Page,
    PageNo,
    PerPage,
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, iterate_pages, to_page, validated

__all__ = [
    "AIConfig",
    "AudioConfig",
    "BucketConfig",
    "CreateMeetingRequest",
    "LiveStreamingConfig",
    "Meeting",
    "MeetingStatus",
    "MeetingsResource",
    "RecordingConfig",
    "StorageConfig",
    "SummarizationConfig",
    "TranscriptionConfig",
    "UpdateMeetingRequest",
    "VideoConfig",
    "Watermark",
    "WatermarkSize",
]

MeetingStatus = Literal["ACTIVE", "INACTIVE"]
ConfigArg = Mapping[str, Any]


# -- recording configuration (§3.2) -------------------------------------------------------------


class AudioConfig(RequestModel):
    """Audio of a recording: channel layout, codec, whether to export a separate audio file."""

    channel: Literal["mono", "stereo"] | None = None
    codec: Literal["MP3", "AAC"] | None = None
    export_file: bool | None = None


class WatermarkSize(RequestModel):
    """Watermark size in pixels."""

    width: Annotated[int, Field(ge=1)] | None = None
    height: Annotated[int, Field(ge=1)] | None = None


class Watermark(RequestModel):
    """An image drawn over the recording."""

    url: str | None = None
    position: Literal["left top", "right top", "left bottom", "right bottom"] | None = None
    size: WatermarkSize | None = None


class VideoConfig(RequestModel):
    """Video of a recording: codec, size (1..1920), export flag, watermark."""

    codec: Literal["H264", "VP8", "VP9"] | None = None
    width: Annotated[int, Field(ge=1, le=1920)] | None = None
    height: Annotated[int, Field(ge=1, le=1920)] | None = None
    export_file: bool | None = None
    watermark: Watermark | None = None


class LiveStreamingConfig(RequestModel):
    """RTMP target used when the meeting is livestreamed."""

    rtmp_url: str | None = None


class BucketConfig(RequestModel):
    """Whether RealtimeKit keeps the file in its own bucket (false: no download_url)."""

    enabled: bool


_SECRET_FIELDS = ("access_key", "secret", "password", "private_key")


class StorageConfig(RequestModel):
    """Your own storage for recordings. Credentials are write-only and never shown in reprs."""

    type: Literal["aws", "azure", "digitalocean", "gcs", "sftp"]
    bucket: str
    region: str | None = None
    path: str | None = None
    access_key: str | None = Field(None, repr=False)
    secret: str | None = Field(None, repr=False)
    auth_method: Literal["KEY", "PASSWORD"] | None = None
    username: str | None = None
    host: str | None = None
    port: int | None = None
    password: str | None = Field(None, repr=False)
    private_key: str | None = Field(None, repr=False)

    @field_validator(*_SECRET_FIELDS)
    @classmethod
    def _register(cls, value: str | None) -> str | None:
        register_secret(value)
        return value

    @model_validator(mode="after")
    def _check_type_rules(self) -> StorageConfig:
        missing: list[str] = []
        if self.type in ("aws", "azure", "digitalocean", "sftp"):
            missing += [f for f in ("access_key", "region") if not getattr(self, f)]
        if self.type == "sftp":
            missing += [f for f in ("auth_method", "username", "host", "port") if getattr(self, f) is None]
            if self.auth_method == "KEY" and not self.private_key:
                missing.append("private_key")
            if self.auth_method == "PASSWORD" and not self.password:
                missing.append("password")
        if missing:
            raise ValueError(f"storage type {self.type!r} requires: {', '.join(missing)}")
        return self


class RecordingConfig(RequestModel):
    """Meeting-level recording configuration (takes precedence over the app's)."""

    file_name_prefix: str | None = None
    max_seconds: Annotated[int, Field(ge=60, le=86400)] | None = None
    audio_config: AudioConfig | None = None
    video_config: VideoConfig | None = None
    live_streaming_config: LiveStreamingConfig | None = None
    realtimekit_bucket_config: BucketConfig | None = None
    storage_config: StorageConfig | None = None


# -- AI configuration (§3.3) --------------------------------------------------------------------


class TranscriptionConfig(RequestModel):
    """Transcription settings. ``language`` is free text: sources disagree on the value set."""

    language: str | None = None
    keywords: list[str] | None = None
    profanity_filter: bool | None = None


class SummarizationConfig(RequestModel):
    """Summary settings: type, text format, word limit (150..1000)."""

    summary_type: (
        Literal[
            "general",
            "team_meeting",
            "sales_call",
            "client_check_in",
            "interview",
            "daily_standup",
            "one_on_one_meeting",
            "lecture",
            "code_review",
        ]
        | None
    ) = None
    text_format: Literal["plain_text", "markdown"] | None = None
    word_limit: Annotated[int, Field(ge=150, le=1000)] | None = None


class AIConfig(RequestModel):
    """Transcription and summarisation settings of a meeting."""

    transcription: TranscriptionConfig | None = None
    summarization: SummarizationConfig | None = None


# -- meetings -----------------------------------------------------------------------------------


class CreateMeetingRequest(RequestModel):
    """Body of M2 POST meetings and M5 PUT meetings/{id}."""

    title: str | None = None
    record_on_start: bool | None = None
    live_stream_on_start: bool | None = None
    persist_chat: bool | None = None
    summarize_on_end: bool | None = None
    transcribe_on_end: bool | None = None
    session_keep_alive_time_in_secs: Annotated[int, Field(ge=60, le=600)] | None = None
    recording_config: RecordingConfig | None = None
    ai_config: AIConfig | None = None


class UpdateMeetingRequest(CreateMeetingRequest):
    """Body of M4 PATCH meetings/{id}: the create fields plus ``status``."""

    status: MeetingStatus | None = None


class Meeting(ResponseModel):
    """A meeting: a reusable room. ``ai_config`` is absent from list items."""

    id: str
    title: str | None = None
    status: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    record_on_start: bool | None = None
    live_stream_on_start: bool | None = None
    persist_chat: bool | None = None
    summarize_on_end: bool | None = None
    transcribe_on_end: bool | None = None
    session_keep_alive_time_in_secs: float | None = None
    recording_config: dict[str, Any] | None = None
    ai_config: dict[str, Any] | None = None


class MeetingsResource(Resource):
    """``client.meetings``."""

    @validated
    async def list(
        self,
        *,
        page_no: PageNo | None = None,
        per_page: PerPage | None = None,
        search: str | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: MeetingStatus | None = None,
    ) -> Page[Meeting]:
        """M1 GET meetings: one page of meetings (search matches id or title)."""
        env = await self._call(
            "GET",
            "meetings",
            params={
                "page_no": page_no,
                "per_page": per_page,
                "search": search,
                "start_time": start_time,
                "end_time": end_time,
                "status": status,
            },
        )
        return to_page(env, Meeting, page_no=page_no, per_page=per_page)

    def iter(
        self,
        *,
        per_page: int | None = None,
        search: str | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: MeetingStatus | None = None,
    ) -> AsyncIterator[Meeting]:
        """Every meeting matching the filters, page after page."""
        return iterate_pages(
            lambda n: self.list(
                page_no=n,
                per_page=per_page,
                search=search,
                start_time=start_time,
                end_time=end_time,
                status=status,
            )
        )

    @validated
    async def create(
        self,
        *,
        title: str | None = None,
        record_on_start: bool | None = None,
        live_stream_on_start: bool | None = None,
        persist_chat: bool | None = None,
        summarize_on_end: bool | None = None,
        transcribe_on_end: bool | None = None,
        session_keep_alive_time_in_secs: int | None = None,
        recording_config: RecordingConfig | ConfigArg | None = None,
        ai_config: AIConfig | ConfigArg | None = None,
    ) -> Meeting:
        """M2 POST meetings: create a meeting (201). Never retried, so never duplicated."""
        body = build_request(
            CreateMeetingRequest,
            title=title,
            record_on_start=record_on_start,
            live_stream_on_start=live_stream_on_start,
            persist_chat=persist_chat,
            summarize_on_end=summarize_on_end,
            transcribe_on_end=transcribe_on_end,
            session_keep_alive_time_in_secs=session_keep_alive_time_in_secs,
            recording_config=recording_config,
            ai_config=ai_config,
        ).to_body()
        env = await self._call("POST", "meetings", json=body)
        return parse_response(Meeting, env.data, status_code=env.status_code)

    @validated
    async def get(self, meeting_id: str, *, name: str | None = None) -> Meeting:
        """M3 GET meetings/{id} (includes ``ai_config``)."""
        env = await self._call("GET", "meetings", meeting_id, params={"name": name})
        return parse_response(Meeting, env.data, status_code=env.status_code)

    @validated
    async def update(
        self,
        meeting_id: str,
        *,
        title: str | None = None,
        status: MeetingStatus | None = None,
        record_on_start: bool | None = None,
        live_stream_on_start: bool | None = None,
        persist_chat: bool | None = None,
        summarize_on_end: bool | None = None,
        transcribe_on_end: bool | None = None,
        session_keep_alive_time_in_secs: int | None = None,
        recording_config: RecordingConfig | ConfigArg | None = None,
        ai_config: AIConfig | ConfigArg | None = None,
    ) -> Meeting:
        """M4 PATCH meetings/{id}: change only the given fields (``status=INACTIVE`` blocks joins)."""
        body = build_request(
            UpdateMeetingRequest,
            title=title,
            status=status,
            record_on_start=record_on_start,
            live_stream_on_start=live_stream_on_start,
            persist_chat=persist_chat,
            summarize_on_end=summarize_on_end,
            transcribe_on_end=transcribe_on_end,
            session_keep_alive_time_in_secs=session_keep_alive_time_in_secs,
            recording_config=recording_config,
            ai_config=ai_config,
        ).to_body()
        env = await self._call("PATCH", "meetings", meeting_id, json=body)
        return parse_response(Meeting, env.data, status_code=env.status_code)

    @validated
    async def replace(
        self,
        meeting_id: str,
        *,
        title: str | None = None,
        record_on_start: bool | None = None,
        live_stream_on_start: bool | None = None,
        persist_chat: bool | None = None,
        summarize_on_end: bool | None = None,
        transcribe_on_end: bool | None = None,
        session_keep_alive_time_in_secs: int | None = None,
        recording_config: RecordingConfig | ConfigArg | None = None,
        ai_config: AIConfig | ConfigArg | None = None,
    ) -> Meeting:
        """M5 PUT meetings/{id}: replace the meeting's settings (fields not given take defaults)."""
        body = build_request(
            CreateMeetingRequest,
            title=title,
            record_on_start=record_on_start,
            live_stream_on_start=live_stream_on_start,
            persist_chat=persist_chat,
            summarize_on_end=summarize_on_end,
            transcribe_on_end=transcribe_on_end,
            session_keep_alive_time_in_secs=session_keep_alive_time_in_secs,
            recording_config=recording_config,
            ai_config=ai_config,
        ).to_body()
        env = await self._call("PUT", "meetings", meeting_id, json=body)
        return parse_response(Meeting, env.data, status_code=env.status_code)
