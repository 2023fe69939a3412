"""Organisation analytics computed from sessions and recordings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..errors import BadRequest
from .base import (
    RulesBase,
    _locked,
)


class AnalyticsRules(RulesBase):
    """Organisation analytics computed from sessions and recordings."""

    @_locked
    def org_analytics(
        self, app_id: str, *, start_date: date | None = None, end_date: date | None = None
    ) -> dict[str, Any]:
        """Sessions and recordings per day (AN1); the default range is the last 30 days."""
        end = end_date or self.now().date()
        try:
            start = start_date or end - timedelta(days=30)
        except OverflowError:
            start = date.min
        if start > end:
            raise BadRequest('"start_date" must be before or equal to "end_date"')
        session_days: dict[str, dict[str, Any]] = {}
        for doc in self.store.list("session", app_id=app_id):
            day = doc["started_at"][:10]
            if not start <= date.fromisoformat(day) <= end:
                continue
            minutes = self._session_public(doc)["minutes_consumed"]
            entry = session_days.setdefault(
                day, {"day": day, "total_sessions": 0, "total_session_minutes": 0.0}
            )
            entry["total_sessions"] += 1
            entry["total_session_minutes"] = round(entry["total_session_minutes"] + minutes, 2)
        recording_days: dict[str, dict[str, Any]] = {}
        for doc in self.store.list("recording", app_id=app_id):
            day = doc["invoked_time"][:10]
            if not start <= date.fromisoformat(day) <= end:
                continue
            minutes = round((doc.get("recording_duration") or 0) / 60)
            entry = recording_days.setdefault(
                day, {"day": day, "total_recordings": 0, "total_recording_minutes": 0}
            )
            entry["total_recordings"] += 1
            entry["total_recording_minutes"] += minutes
        s_days = [session_days[d] for d in sorted(session_days)]
        r_days = [recording_days[d] for d in sorted(recording_days)]
        return {
            "session_stats": {
                "sessions_count": sum(d["total_sessions"] for d in s_days),
                "sessions_minutes_consumed": round(sum(d["total_session_minutes"] for d in s_days), 2),
                "day_stats": s_days,
            },
            "recording_stats": {
                "recording_count": sum(d["total_recordings"] for d in r_days),
                "recording_minutes_consumed": sum(d["total_recording_minutes"] for d in r_days),
                "day_stats": r_days,
            },
        }
