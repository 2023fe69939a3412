"""Livestreams (L1-L9, plus the meeting and session livestream-session lookups of the OpenAPI).

Quirks handled here: the shape of L4's ``data`` is uncertain (the SDK models one object with an
inner ``paging``, Cloudflare's example is an array with top-level ``paging``), so both are
accepted; L5 may return ``session`` or ``sessions``; L8 may return an object or an array; analytics
times are unix seconds (a ``datetime`` is converted for you).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from realtimekit_mcp.client._http import Envelope, parse_paging
from realtimekit_mcp.client._models import (
    DateTimeQuery,
    Page,
    PageNo,
    Paging,
    PerPage,
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, iterate_pages, to_page, validated
from realtimekit_mcp.client.errors import ResponseFormatError

__all__ = [
    "ActiveLivestreamSession",
    "Livestream",
    "LivestreamAnalyticsTotals",
    "LivestreamDayAnalytics",
    "LivestreamDetails",
    "LivestreamSession",
    "LivestreamStatus",
    "LivestreamVideoConfig",
    "LivestreamsResource",
    "StartLivestreamRequest",
    "StopLivestreamResult",
]

LivestreamStatus = Literal["LIVE", "IDLE", "ERRORED", "INVOKED"]
UnixTime = int | datetime


class LivestreamVideoConfig(RequestModel):
    """Output size of a livestream, in pixels."""

    width: Annotated[int, Field(ge=1)] | None = None
    height: Annotated[int, Field(ge=1)] | None = None


class StartLivestreamRequest(RequestModel):
    """Body of L1 POST meetings/{id}/livestreams."""

    name: Annotated[str, Field(pattern=r"^[a-zA-Z0-9\-_]*$")] | None = None
    video_config: LivestreamVideoConfig | None = None


class Livestream(ResponseModel):
    """A livestream: RTMP ingest (``ingest_server`` + ``stream_key``) and HLS ``playback_url``.

    ``disabled`` is typed as a string by the SDK but sent as a boolean in examples: both accepted.
    """

    id: str | None = None
    name: str | None = None
    meeting_id: str | None = None
    org_id: str | None = None
    status: str | None = None
    ingest_server: str | None = None
    stream_key: str | None = None
    playback_url: str | None = None
    disabled: bool | str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class LivestreamSession(ResponseModel):
    """One run of a livestream with its ingest and viewer seconds."""

    id: str | None = None
    livestream_id: str | None = None
    err_message: str | None = None
    invoked_time: Timestamp | None = None
    started_time: Timestamp | None = None
    stopped_time: Timestamp | None = None
    ingest_seconds: float | None = None
    viewer_seconds: float | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class LivestreamDetails(ResponseModel):
    """L5: a livestream with its sessions (``sessions``; some sources send one ``session``)."""

    livestream: Livestream | None = None
    sessions: list[LivestreamSession] | None = None
    session: LivestreamSession | None = None
    paging: Paging | None = None


class ActiveLivestreamSession(ResponseModel):
    """L6: a livestream and its active session."""

    livestream: Livestream | None = None
    session: LivestreamSession | None = None


class StopLivestreamResult(ResponseModel):
    """L2: e.g. ``message="Stopped live stream successfully"``."""

    message: str | None = None


class LivestreamAnalyticsTotals(ResponseModel):
    """L8: totals over a time range."""

    count: float | None = None
    total_ingest_seconds: float | None = None
    total_viewer_seconds: float | None = None


class LivestreamDayAnalytics(LivestreamAnalyticsTotals):
    """L9: totals of one day."""

    date: str | None = None


def _unix(value: UnixTime | None) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


class LivestreamsResource(Resource):
    """``client.livestreams``."""

    @validated
    async def start(
        self,
        meeting_id: str,
        *,
        name: str | None = None,
        video_config: LivestreamVideoConfig | dict[str, Any] | None = None,
    ) -> Livestream:
        """L1 POST meetings/{id}/livestreams: start livestreaming the meeting (status INVOKED)."""
        body = build_request(StartLivestreamRequest, name=name, video_config=video_config).to_body()
        env = await self._call("POST", "meetings", meeting_id, "livestreams", json=body)
        return parse_response(Livestream, env.data, status_code=env.status_code)

    @validated
    async def stop(self, meeting_id: str) -> StopLivestreamResult:
        """L2 POST meetings/{id}/active-livestream/stop."""
        env = await self._call("POST", "meetings", meeting_id, "active-livestream", "stop")
        data = env.data if isinstance(env.data, dict) else _top_level(env, "message")
        return parse_response(StopLivestreamResult, data)

    @validated
    async def get_active(self, meeting_id: str) -> Livestream:
        """L3 GET meetings/{id}/active-livestream."""
        env = await self._call("GET", "meetings", meeting_id, "active-livestream")
        return parse_response(Livestream, env.data, status_code=env.status_code)

    @validated
    async def list(
        self,
        *,
        exclude_meetings: bool | None = None,
        page_no: PageNo | None = None,
        per_page: PerPage | None = None,
        sort_order: Literal["ASC", "DSC"] | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: LivestreamStatus | None = None,
    ) -> Page[Livestream]:
        """L4 GET livestreams (``sort_order`` is ``ASC`` or ``DSC``, sic)."""
        env = await self._call(
            "GET",
            "livestreams",
            params={
                "exclude_meetings": exclude_meetings,
                "page_no": page_no,
                "per_page": per_page,
                "sort_order": sort_order,
                "start_time": start_time,
                "end_time": end_time,
                "status": status,
            },
        )
        data = env.data
        if isinstance(data, dict):
            for key in ("livestreams", "data"):
                if isinstance(data.get(key), list):
                    return to_page(env, Livestream, key=key, page_no=page_no, per_page=per_page)
            # The SDK's shape: one livestream object (with an inner paging).
            inner = {k: v for k, v in data.items() if k != "paging"}
            env = Envelope(env.status_code, [inner] if inner else [], env.paging, env.body)
            if env.paging is None:
                env = Envelope(env.status_code, env.data, parse_paging(data.get("paging")), env.body)
        return to_page(env, Livestream, page_no=page_no, per_page=per_page)

    def iter(
        self,
        *,
        exclude_meetings: bool | None = None,
        per_page: int | None = None,
        sort_order: Literal["ASC", "DSC"] | None = None,
        start_time: DateTimeQuery | None = None,
        end_time: DateTimeQuery | None = None,
        status: LivestreamStatus | None = None,
    ) -> AsyncIterator[Livestream]:
        """Every livestream matching the filters, page after page."""
        return iterate_pages(
            lambda n: self.list(
                exclude_meetings=exclude_meetings,
                page_no=n,
                per_page=per_page,
                sort_order=sort_order,
                start_time=start_time,
                end_time=end_time,
                status=status,
            )
        )

    @validated
    async def get(
        self, livestream_id: str, *, page_no: PageNo | None = None, per_page: PerPage | None = None
    ) -> LivestreamDetails:
        """L5 GET livestreams/{id}: the livestream and (a page of) its sessions."""
        env = await self._call(
            "GET", "livestreams", livestream_id, params={"page_no": page_no, "per_page": per_page}
        )
        details = parse_response(LivestreamDetails, env.data, status_code=env.status_code)
        if details.paging is None and env.paging is not None:
            details.paging = env.paging
        return details

    @validated
    async def get_active_session(self, livestream_id: str) -> ActiveLivestreamSession:
        """L6 GET livestreams/{id}/active-livestream-session."""
        env = await self._call("GET", "livestreams", livestream_id, "active-livestream-session")
        return parse_response(ActiveLivestreamSession, env.data, status_code=env.status_code)

    @validated
    async def get_session(self, livestream_session_id: str) -> LivestreamSession:
        """L7 GET livestreams/sessions/{livestream-session-id}."""
        env = await self._call("GET", "livestreams", "sessions", livestream_session_id)
        return parse_response(LivestreamSession, env.data, status_code=env.status_code)

    @validated
    async def for_meeting(
        self, meeting_id: str, *, page_no: PageNo | None = None, per_page: PerPage | None = None
    ) -> LivestreamDetails:
        """GET meetings/{id}/livestream (OpenAPI ``livestream-session-details``): a meeting's livestream."""
        env = await self._call(
            "GET", "meetings", meeting_id, "livestream", params={"page_no": page_no, "per_page": per_page}
        )
        details = parse_response(LivestreamDetails, env.data, status_code=env.status_code)
        if details.paging is None and env.paging is not None:
            details.paging = env.paging
        return details

    @validated
    async def for_session(
        self, session_id: str, *, page_no: PageNo | None = None, per_page: PerPage | None = None
    ) -> Page[LivestreamSession]:
        """GET sessions/{id}/livestream-sessions (OpenAPI): livestream sessions of a meeting session."""
        env = await self._call(
            "GET",
            "sessions",
            session_id,
            "livestream-sessions",
            params={"page_no": page_no, "per_page": per_page},
        )
        key = None
        if isinstance(env.data, dict):
            key = next((k for k in ("data", "sessions", "livestream_sessions") if k in env.data), None)
        return to_page(env, LivestreamSession, key=key, page_no=page_no, per_page=per_page)

    @validated
    async def analytics_overall(
        self,
        start_time: UnixTime | None = None,
        end_time: UnixTime | None = None,
        *,
        filters: str | None = None,
    ) -> LivestreamAnalyticsTotals:
        """L8 GET analytics/livestreams/overall (times in unix seconds). An array answer is summed."""
        env = await self._call(
            "GET",
            "analytics",
            "livestreams",
            "overall",
            params={"start_time": _unix(start_time), "end_time": _unix(end_time), "filters": filters},
        )
        data = env.data
        if isinstance(data, list):
            rows = [parse_response(LivestreamAnalyticsTotals, row) for row in data]
            return LivestreamAnalyticsTotals(
                count=sum(r.count or 0 for r in rows),
                total_ingest_seconds=sum(r.total_ingest_seconds or 0 for r in rows),
                total_viewer_seconds=sum(r.total_viewer_seconds or 0 for r in rows),
            )
        return parse_response(LivestreamAnalyticsTotals, data)

    @validated
    async def analytics_daywise(
        self,
        start_time: UnixTime | None = None,
        end_time: UnixTime | None = None,
        *,
        filters: str | None = None,
    ) -> builtins.list[LivestreamDayAnalytics]:
        """L9 GET analytics/livestreams/daywise (times in unix seconds)."""
        env = await self._call(
            "GET",
            "analytics",
            "livestreams",
            "daywise",
            params={"start_time": _unix(start_time), "end_time": _unix(end_time), "filters": filters},
        )
        data = env.data
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [data] if data else [])
        if data is None:
            data = []
        if not isinstance(data, list):
            raise ResponseFormatError("expected a list of day analytics", status_code=env.status_code)
        return [parse_response(LivestreamDayAnalytics, row) for row in data]


def _top_level(env: Envelope, *keys: str) -> dict[str, Any]:
    body = env.body if isinstance(env.body, dict) else {}
    return {k: body[k] for k in keys if k in body}
