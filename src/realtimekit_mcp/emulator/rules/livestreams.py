"""Livestreams, their sessions and livestream analytics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import schemas
from ..errors import BadRequest, Conflict, NotFound
from ..store import Doc
from ..validation import validate_body
from .base import (
    ACTIVE_LIVESTREAM,
    LIVESTREAM_TRANSITIONS,
    Page,
    RulesBase,
    _drop_none,
    _locked,
    _ordered,
    paginate,
    parse_iso,
)


class LivestreamRules(RulesBase):
    """Livestreams, their sessions and livestream analytics."""

    def _find_meeting_livestream(self, meeting_id: str) -> Doc | None:
        streams = self.store.list("livestream", parent=meeting_id)
        return streams[-1] if streams else None

    def _meeting_livestream(self, app_id: str, meeting: Doc, name: str | None = None) -> Doc:
        stream = self._find_meeting_livestream(meeting["id"])
        if stream is None:
            now = self._now_iso()
            stream = {
                "id": self.new_id(),
                "app_id": app_id,
                "meeting_id": meeting["id"],
                "name": name,
                "status": "IDLE",
                "stream_key": self._hex(32),
                "disabled": False,
                "manual_ingest": False,
                "created_at": now,
                "updated_at": now,
            }
            self.store.put("livestream", stream, app_id=app_id, parent=meeting["id"])
        return stream

    def _ingest_server(self) -> str:
        host = self.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"rtmps://{host}:443/app/"

    def _livestream_public(self, doc: Doc, *, disabled_as_bool: bool = False) -> dict[str, Any]:
        return _drop_none(
            {
                "id": doc["id"],
                "name": doc.get("name"),
                "meeting_id": doc.get("meeting_id"),
                "status": doc["status"],
                "ingest_server": self._ingest_server(),
                "stream_key": doc["stream_key"],
                "playback_url": f"{self.base_url}/_emulator/livestreams/{doc['id']}/index.m3u8",
                "disabled": doc["disabled"] if disabled_as_bool else str(doc["disabled"]).lower(),
                "created_at": doc["created_at"],
                "updated_at": doc["updated_at"],
            }
        )

    def _livestream_session_public(self, doc: Doc, *, as_strings: bool = False) -> dict[str, Any]:
        ingest = doc.get("ingest_seconds", 0)
        if doc.get("stopped_time") is None and doc.get("started_time"):
            ingest = int((self.now() - parse_iso(doc["started_time"])).total_seconds())
        out = _drop_none(
            {
                "id": doc["id"],
                "livestream_id": doc["livestream_id"],
                "err_message": doc.get("err_message"),
                "invoked_time": doc["invoked_time"],
                "started_time": doc.get("started_time"),
                "stopped_time": doc.get("stopped_time"),
                "ingest_seconds": str(ingest) if as_strings else ingest,
                "viewer_seconds": str(doc.get("viewer_seconds", 0))
                if as_strings
                else doc.get("viewer_seconds", 0),
                "created_at": doc["created_at"],
                "updated_at": doc["updated_at"],
            }
        )
        return out

    def _livestream_invoke(self, app_id: str, stream: Doc, session: Doc | None) -> None:
        now = self._now_iso()
        self.store.put(
            "livestream_session",
            {
                "id": self.new_id(),
                "livestream_id": stream["id"],
                "session_id": session["id"] if session else None,
                "invoked_time": now,
                "started_time": None,
                "stopped_time": None,
                "ingest_seconds": 0,
                "viewer_seconds": 0,
                "err_message": None,
                "created_at": now,
                "updated_at": now,
            },
            app_id=app_id,
            parent=stream["id"],
        )
        stream.update(status="INVOKED", updated_at=now)
        self.store.put("livestream", stream, app_id=app_id, parent=stream["meeting_id"])
        self._schedule("livestream.live", stream["id"], app_id, self.config.livestream_start_delay)

    def _livestream_set(self, stream: Doc, status: str) -> None:
        if status not in LIVESTREAM_TRANSITIONS[stream["status"]]:
            raise BadRequest(f"Cannot move a livestream from {stream['status']} to {status}")
        now = self._now_iso()
        stream.update(status=status, updated_at=now)
        self.store.put("livestream", stream, app_id=stream["app_id"], parent=stream["meeting_id"])
        sessions = self.store.list("livestream_session", parent=stream["id"])
        if sessions:
            current = sessions[-1]
            if status == "LIVE" and current.get("started_time") is None:
                current["started_time"] = now
            if status == "IDLE" and current.get("stopped_time") is None:
                if current.get("started_time"):
                    current["ingest_seconds"] = int(
                        (self.now() - parse_iso(current["started_time"])).total_seconds()
                    )
                current["stopped_time"] = now
            current["updated_at"] = now
            self.store.put("livestream_session", current, app_id=stream["app_id"], parent=stream["id"])
        meeting = self.store.get("meeting", stream["meeting_id"]) or {}
        app = self.store.get("app", stream["app_id"]) or {}
        public = self._livestream_public(stream)
        self._emit(
            "livestreaming.statusUpdate",
            {
                "streamId": stream["id"],
                "status": "OFFLINE" if status == "IDLE" else status,
                "manualIngest": stream.get("manual_ingest", False),
                "playbackUrl": public["playback_url"],
                "ingestServer": public["ingest_server"],
                "streamKey": stream["stream_key"],
                "meeting": _drop_none(
                    {
                        "id": stream["meeting_id"],
                        "title": meeting.get("title"),
                        "createdAt": meeting.get("created_at"),
                        "roomName": stream["meeting_id"],
                        "status": "LIVE",
                        "organizedBy": {"id": stream["app_id"], "name": app.get("name")},
                    }
                ),
            },
        )

    def _livestream_stop(self, stream: Doc) -> None:
        self._cancel("livestream.live", stream["id"])
        self._livestream_set(stream, "IDLE")

    @_locked
    def start_livestream(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Start livestreaming a meeting (L1): INVOKED now, LIVE after the start delay."""
        data = validate_body(schemas.LIVESTREAM_START, body if body is not None else {})
        with self.store.transaction():
            meeting = self._meeting(app_id, meeting_id)
            if meeting["status"] != "ACTIVE":
                raise BadRequest(f"Meeting {meeting['id']} is INACTIVE")
            stream = self._meeting_livestream(app_id, meeting, data.get("name"))
            if stream["status"] in ACTIVE_LIVESTREAM:
                raise Conflict(f"A livestream is already running for meeting_id {meeting['id']}")
            if data.get("name"):
                stream["name"] = data["name"]
            stream["manual_ingest"] = bool(data.get("manual_ingest", False))
            self._livestream_invoke(app_id, stream, self._live_session(meeting["id"]))
            public = self._livestream_public(stream)
            return {k: public[k] for k in ("id", "status", "ingest_server", "stream_key", "playback_url")}

    def _active_livestream(self, app_id: str, meeting_id: str) -> Doc:
        meeting = self._meeting(app_id, meeting_id)
        stream = self._find_meeting_livestream(meeting["id"])
        if stream is None or stream["status"] not in ACTIVE_LIVESTREAM:
            raise NotFound(f"No active livestream found for meeting_id {meeting_id}")
        return stream

    @_locked
    def stop_livestream(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """Stop a meeting's livestream (L2)."""
        with self.store.transaction():
            self._livestream_stop(self._active_livestream(app_id, meeting_id))
            return {"message": "Stopped live stream successfully"}

    @_locked
    def get_active_livestream(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """A meeting's running livestream (L3)."""
        return self._livestream_public(self._active_livestream(app_id, meeting_id))

    def _livestream(self, app_id: str, livestream_id: str) -> Doc:
        doc = self.store.get("livestream", livestream_id, app_id=app_id)
        if doc is None:
            raise NotFound(f"No livestream found for livestream_id {livestream_id}")
        return doc

    @_locked
    def list_livestreams(
        self,
        app_id: str,
        *,
        exclude_meetings: bool | None = None,
        page_no: int | None = None,
        per_page: int | None = None,
        status: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        sort_order: str | None = None,
    ) -> Page:
        """Livestreams of the app (L4)."""
        docs = self.store.list("livestream", app_id=app_id)
        if exclude_meetings:
            docs = [d for d in docs if not d.get("meeting_id")]
        if status:
            docs = [d for d in docs if d["status"] == status]
        if start_time:
            docs = [d for d in docs if parse_iso(d["created_at"]) >= start_time]
        if end_time:
            docs = [d for d in docs if parse_iso(d["created_at"]) <= end_time]
        docs = _ordered(docs, lambda d: d["created_at"], descending=sort_order != "ASC")
        page = paginate(docs, page_no, per_page)
        page.items = [self._livestream_public(d) for d in page.items]
        return page

    @_locked
    def get_livestream(
        self, app_id: str, livestream_id: str, *, page_no: int | None = None, per_page: int | None = None
    ) -> dict[str, Any]:
        """A livestream with its sessions, newest first (L5)."""
        stream = self._livestream(app_id, livestream_id)
        sessions = list(reversed(self.store.list("livestream_session", parent=stream["id"])))
        page = paginate(sessions, page_no, per_page)
        out: dict[str, Any] = {
            "livestream": self._livestream_public(stream),
            "sessions": [self._livestream_session_public(s) for s in page.items],
            "paging": page.paging,
        }
        if page.items:
            out["session"] = self._livestream_session_public(page.items[0])
        return out

    @_locked
    def get_active_livestream_session(self, app_id: str, livestream_id: str) -> dict[str, Any]:
        """The running session of a livestream (L6)."""
        stream = self._livestream(app_id, livestream_id)
        sessions = self.store.list("livestream_session", parent=stream["id"])
        if stream["status"] not in ACTIVE_LIVESTREAM or not sessions:
            raise NotFound(f"No active livestream session found for livestream_id {livestream_id}")
        return {
            "livestream": self._livestream_public(stream),
            "session": self._livestream_session_public(sessions[-1], as_strings=True),
        }

    @_locked
    def get_livestream_session(self, app_id: str, livestream_session_id: str) -> dict[str, Any]:
        """One livestream session (L7)."""
        doc = self.store.get("livestream_session", livestream_session_id, app_id=app_id)
        if doc is None:
            raise NotFound(f"No livestream session found for livestream-session-id {livestream_session_id}")
        return self._livestream_session_public(doc)

    @_locked
    def meeting_livestreams(
        self, app_id: str, meeting_id: str, *, page_no: int | None = None, per_page: int | None = None
    ) -> dict[str, Any]:
        """Livestreams of a meeting with the latest session (``GET meetings/{id}/livestream``)."""
        meeting = self._meeting(app_id, meeting_id)
        streams = self.store.list("livestream", parent=meeting["id"])
        page = paginate(streams, page_no, per_page)
        out: dict[str, Any] = {
            "livestreams": [self._livestream_public(s, disabled_as_bool=True) for s in page.items],
            "paging": page.paging,
        }
        sessions = [
            s for stream in streams for s in self.store.list("livestream_session", parent=stream["id"])
        ]
        if sessions:
            latest = self._livestream_session_public(sessions[-1], as_strings=True)
            latest.pop("viewer_seconds", None)
            out["sessions"] = latest
        return out

    @_locked
    def session_livestream_sessions(
        self, app_id: str, session_id: str, *, page_no: int | None = None, per_page: int | None = None
    ) -> dict[str, Any]:
        """Livestream sessions that ran during a meeting session."""
        session = self._session(app_id, session_id)
        docs = [
            d
            for d in self.store.list("livestream_session", app_id=app_id)
            if d.get("session_id") == session["id"]
        ]
        page = paginate(docs, page_no, per_page)
        items = [self._livestream_session_public(d) for d in page.items]
        out: dict[str, Any] = dict(items[0]) if items else {}
        out.pop("started_time", None)
        out["livestream_sessions"] = items
        out["paging"] = page.paging
        return out

    def _livestream_sessions_between(
        self, app_id: str, start: datetime | None, end: datetime | None
    ) -> list[dict[str, Any]]:
        out = []
        for doc in self.store.list("livestream_session", app_id=app_id):
            invoked = parse_iso(doc["invoked_time"])
            if (start is None or invoked >= start) and (end is None or invoked <= end):
                out.append(self._livestream_session_public(doc))
        return out

    @_locked
    def livestream_analytics_overall(
        self, app_id: str, *, start_time: datetime | None = None, end_time: datetime | None = None
    ) -> dict[str, Any]:
        """Totals over livestream sessions (L8)."""
        sessions = self._livestream_sessions_between(app_id, start_time, end_time)
        return {
            "count": len(sessions),
            "total_ingest_seconds": sum(int(s["ingest_seconds"]) for s in sessions),
            "total_viewer_seconds": sum(int(s["viewer_seconds"]) for s in sessions),
        }

    @_locked
    def livestream_analytics_daywise(
        self, app_id: str, *, start_time: datetime | None = None, end_time: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Per-day totals over livestream sessions (L9)."""
        days: dict[str, dict[str, Any]] = {}
        for s in self._livestream_sessions_between(app_id, start_time, end_time):
            day = s["invoked_time"][:10]
            entry = days.setdefault(
                day, {"date": day, "count": 0, "total_ingest_seconds": 0, "total_viewer_seconds": 0}
            )
            entry["count"] += 1
            entry["total_ingest_seconds"] += int(s["ingest_seconds"])
            entry["total_viewer_seconds"] += int(s["viewer_seconds"])
        return [days[d] for d in sorted(days)]
