"""Org analytics (AN1): day-wise session and recording statistics of the app."""

from __future__ import annotations

from datetime import date

from realtimekit_mcp.client._models import ResponseModel, parse_response
from realtimekit_mcp.client._resource import Resource, validated

__all__ = [
    "AnalyticsResource",
    "OrgAnalytics",
    "RecordingDayStats",
    "RecordingStats",
    "SessionDayStats",
    "SessionStats",
]


class SessionDayStats(ResponseModel):
    """Sessions of one day."""

    day: str | None = None
    total_sessions: float | None = None
    total_session_minutes: float | None = None


class SessionStats(ResponseModel):
    """Session totals and per-day rows."""

    sessions_count: float | None = None
    sessions_minutes_consumed: float | None = None
    day_stats: list[SessionDayStats] | None = None


class RecordingDayStats(ResponseModel):
    """Recordings of one day."""

    day: str | None = None
    total_recordings: float | None = None
    total_recording_minutes: float | None = None


class RecordingStats(ResponseModel):
    """Recording totals and per-day rows."""

    recording_count: float | None = None
    recording_minutes_consumed: float | None = None
    day_stats: list[RecordingDayStats] | None = None


class OrgAnalytics(ResponseModel):
    """AN1 result: ``session_stats`` and ``recording_stats``."""

    session_stats: SessionStats | None = None
    recording_stats: RecordingStats | None = None


class AnalyticsResource(Resource):
    """``client.analytics``."""

    @validated
    async def daywise(
        self, start_date: date | str | None = None, end_date: date | str | None = None
    ) -> OrgAnalytics:
        """AN1 GET analytics/daywise (``YYYY-MM-DD``; default: the last 30 days)."""
        env = await self._call(
            "GET", "analytics", "daywise", params={"start_date": start_date, "end_date": end_date}
        )
        return parse_response(OrgAnalytics, env.data, status_code=env.status_code)
