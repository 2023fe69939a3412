"""Recordings (R1-R6): composite and per-track recordings, their status and control.

Quirks handled here: R6 (track) wraps the recording as ``data.recording``, and a track
recording's ``download_url`` is a list of layers (``[{layer_name, download_urls: {...}}]``), not a
string, so ``Recording.download_url`` accepts both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

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
from realtimekit_mcp.client.meetings import AudioConfig, BucketConfig, StorageConfig, VideoConfig

__all__ = [
    "InteractiveConfig",
    "Recording",
    "RecordingAction",
    "RecordingActionRequest",
    "RecordingReason",
    "RecordingStatus",
    "RecordingsResource",
    "RtmpOutConfig",
    "StartRecordingRequest",
    "StartTrackRecordingRequest",
    "TrackLayer",
]

RecordingStatus = Literal["INVOKED", "RECORDING", "UPLOADING", "UPLOADED", "ERRORED", "PAUSED"]
RecordingAction = Literal["stop", "pause", "resume"]
ConfigArg = Mapping[str, Any]


class RtmpOutConfig(RequestModel):
    """Stream the recording to an RTMP URL at the same time."""

    rtmp_url: str


class InteractiveConfig(RequestModel):
    """Timed ID3 metadata (output becomes an HLS ``.tar``)."""

    type: Literal["ID3"] = "ID3"


class StartRecordingRequest(RequestModel):
    """Body of R2 POST recordings."""

    meeting_id: Annotated[str, Field(min_length=1)]
    allow_multiple_recordings: bool | None = None
    audio_config: AudioConfig | None = None
    video_config: VideoConfig | None = None
    file_name_prefix: str | None = None
    max_seconds: Annotated[int, Field(ge=60, le=86400)] | None = None
    realtimekit_bucket_config: BucketConfig | None = None
    storage_config: StorageConfig | None = None
    rtmp_out_config: RtmpOutConfig | None = None
    interactive_config: InteractiveConfig | None = None
    url: str | None = None


class TrackLayer(RequestModel):
    """One output layer of a track recording."""

    file_name_prefix: Annotated[str, Field(pattern=r"^[-\w\s]+$")] | None = None
    media_kind: Literal["audio"] | None = None


class StartTrackRecordingRequest(RequestModel):
    """Body of R6 POST recordings/track."""

    meeting_id: Annotated[str, Field(min_length=1)]
    layers: dict[str, TrackLayer] | None = None
    user_ids: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=256)]], Field(min_length=1, max_length=100)
        ]
        | None
    ) = None


class RecordingActionRequest(RequestModel):
    """Body of R5 PUT recordings/{id}."""

    action: RecordingAction


class RecordingReason(ResponseModel):
    """Why a recording started or stopped (``caller.user_Id`` keeps the API's spelling)."""

    reason: str | None = None
    caller: dict[str, Any] | None = None


class Recording(ResponseModel):
    """A recording. ``download_url`` is a string, or a list of layers for track recordings."""

    id: str
    status: str | None = None
    type: str | None = None
    meeting_id: str | None = None
    session_id: str | None = None
    invoked_time: Timestamp | None = None
    started_time: Timestamp | None = None
    stopped_time: Timestamp | None = None
    output_file_name: str | None = None
    download_url: str | list[Any] | None = None
    audio_download_url: str | None = None
    download_url_expiry: Timestamp | None = None
    file_size: float | str | None = None
    recording_duration: float | None = None
    start_reason: RecordingReason | None = None
    stop_reason: RecordingReason | None = None
    storage_config: dict[str, Any] | None = None
    meeting: dict[str, Any] | None = None


class RecordingsResource(Resource):
    """``client.recordings``."""

    @validated
    async def list(
        self,
        *,
        meeting_id: str | None = None,
        page_no: PageNo | None = None,
        per_page: PerPage | None = None,
        expired: bool | None = None,
        search: str | None = None,
        sort_by: Literal["invokedTime"] | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: RecordingStatus | Sequence[RecordingStatus] | None = None,
    ) -> Page[Recording]:
        """R1 GET recordings (``status`` is sent repeated: ``status=A&status=B``)."""
        env = await self._call(
            "GET",
            "recordings",
            params={
                "meeting_id": meeting_id,
                "page_no": page_no,
                "per_page": per_page,
                "expired": expired,
                "search": search,
                "sort_by": sort_by,
                "sort_order": sort_order,
                "start_time": start_time,
                "end_time": end_time,
                "status": [status] if isinstance(status, str) else status,
            },
        )
        return to_page(env, Recording, page_no=page_no, per_page=per_page)

    def iter(
        self,
        *,
        meeting_id: str | None = None,
        per_page: int | None = None,
        expired: bool | None = None,
        search: str | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: RecordingStatus | Sequence[RecordingStatus] | None = None,
    ) -> AsyncIterator[Recording]:
        """Every recording matching the filters, page after page."""
        return iterate_pages(
            lambda n: self.list(
                meeting_id=meeting_id,
                page_no=n,
                per_page=per_page,
                expired=expired,
                search=search,
                sort_order=sort_order,
                start_time=start_time,
                end_time=end_time,
                status=status,
            )
        )

    @validated
    async def start(
        self,
        meeting_id: str,
        *,
        allow_multiple_recordings: bool | None = None,
        audio_config: AudioConfig | ConfigArg | None = None,
        video_config: VideoConfig | ConfigArg | None = None,
        file_name_prefix: str | None = None,
        max_seconds: int | None = None,
        realtimekit_bucket_config: BucketConfig | ConfigArg | None = None,
        storage_config: StorageConfig | ConfigArg | None = None,
        rtmp_out_config: RtmpOutConfig | ConfigArg | None = None,
        interactive_config: InteractiveConfig | ConfigArg | None = None,
        url: str | None = None,
    ) -> Recording:
        """R2 POST recordings: start a composite recording of the meeting's live session."""
        body = build_request(
            StartRecordingRequest,
            meeting_id=meeting_id,
            allow_multiple_recordings=allow_multiple_recordings,
            audio_config=audio_config,
            video_config=video_config,
            file_name_prefix=file_name_prefix,
            max_seconds=max_seconds,
            realtimekit_bucket_config=realtimekit_bucket_config,
            storage_config=storage_config,
            rtmp_out_config=rtmp_out_config,
            interactive_config=interactive_config,
            url=url,
        ).to_body()
        env = await self._call("POST", "recordings", json=body)
        return parse_response(Recording, env.data, status_code=env.status_code)

    @validated
    async def start_track(
        self,
        meeting_id: str,
        *,
        layers: Mapping[str, TrackLayer | ConfigArg] | None = None,
        user_ids: Sequence[str] | None = None,
    ) -> Recording:
        """R6 POST recordings/track: per-participant audio tracks (response is ``data.recording``)."""
        body = build_request(
            StartTrackRecordingRequest,
            meeting_id=meeting_id,
            layers=dict(layers) if layers is not None else None,
            user_ids=list(user_ids) if user_ids is not None else None,
        ).to_body()
        env = await self._call("POST", "recordings", "track", json=body)
        data = env.data
        if isinstance(data, dict) and isinstance(data.get("recording"), dict):
            data = data["recording"]
        return parse_response(Recording, data)

    @validated
    async def get(self, recording_id: str) -> Recording:
        """R4 GET recordings/{id}."""
        env = await self._call("GET", "recordings", recording_id)
        return parse_response(Recording, env.data, status_code=env.status_code)

    @validated
    async def get_active(self, meeting_id: str) -> Recording:
        """R3 GET recordings/active-recording/{meeting_id} (404 when none is running)."""
        env = await self._call("GET", "recordings", "active-recording", meeting_id)
        return parse_response(Recording, env.data, status_code=env.status_code)

    @validated
    async def action(self, recording_id: str, action: RecordingAction) -> Recording:
        """R5 PUT recordings/{id} with ``{"action": ...}``."""
        body = build_request(RecordingActionRequest, action=action).to_body()
        env = await self._call("PUT", "recordings", recording_id, json=body)
        return parse_response(Recording, env.data, status_code=env.status_code)

    async def pause(self, recording_id: str) -> Recording:
        """R5 PUT action=pause."""
        return await self.action(recording_id, "pause")

    async def resume(self, recording_id: str) -> Recording:
        """R5 PUT action=resume."""
        return await self.action(recording_id, "resume")

    async def stop(self, recording_id: str) -> Recording:
        """R5 PUT action=stop: the recording goes UPLOADING, then UPLOADED."""
        return await self.action(recording_id, "stop")
