"""Session history: lists, participants, peer reports, chat/transcript/summary exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..errors import BadRequest, NotFound
from ..store import Doc
from ..validation import is_uuid
from .base import (
    Page,
    RulesBase,
    _drop_none,
    _locked,
    _ordered,
    paginate,
    parse_iso,
)


class SessionHistoryRules(RulesBase):
    """Session history: lists, participants, peer reports, chat/transcript/summary exports."""

    @_locked
    def list_sessions(
        self,
        app_id: str,
        *,
        page_no: int | None = None,
        per_page: int | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        participants: tuple[int | None, int | None] | None = None,
        status: str | None = None,
        search: str | None = None,
        associated_id: str | None = None,
    ) -> Page:
        """Sessions of the app (SE1)."""
        items = [self._session_public(d) for d in self.store.list("session", app_id=app_id)]
        if status:
            items = [s for s in items if s["status"] == status]
        if associated_id:
            items = [s for s in items if s["associated_id"] == associated_id.lower()]
        if search:
            needle = search.lower()
            items = [
                s
                for s in items
                if needle in s["id"]
                or needle in s["associated_id"]
                or needle in s["meeting_display_name"].lower()
            ]
        if start_time:
            items = [s for s in items if parse_iso(s["created_at"]) >= start_time]
        if end_time:
            items = [s for s in items if parse_iso(s["created_at"]) <= end_time]
        if participants:
            low, high = participants
            items = [
                s
                for s in items
                if (low is None or s["max_concurrent_participants"] >= low)
                and (high is None or s["max_concurrent_participants"] <= high)
            ]
        key = "minutes_consumed" if sort_by == "minutesConsumed" else "created_at"
        items = _ordered(items, lambda s: s[key], descending=sort_order != "ASC")
        return paginate(items, page_no, per_page)

    @_locked
    def get_session(
        self, app_id: str, session_id: str, *, include_breakout_rooms: bool = False
    ) -> dict[str, Any]:
        """One session (SE2)."""
        return self._session_public(self._session(app_id, session_id), breakout=include_breakout_rooms)

    def _peer_events(self, peer: Doc) -> list[dict[str, Any]]:
        events = [("PEER_CREATED", peer["joined_at"]), ("PEER_JOINING", peer["joined_at"])]
        if peer.get("left_at"):
            events.append(("PEER_LEAVING", peer["left_at"]))
        return [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{peer['id']}/{name}")),
                "peer_id": peer["id"],
                "participant_id": peer["participant_id"],
                "session_id": peer["session_id"],
                "socket_session_id": peer["id"],
                "event_name": name,
                "minutes_consumed": self._minutes(peer) if name == "PEER_LEAVING" else 0,
                "preset_view_type": peer.get("preset_view_type"),
                "created_at": at,
                "updated_at": at,
            }
            for name, at in events
        ]

    def _session_participant_public(self, peer: Doc, *, include_peer_events: bool) -> dict[str, Any]:
        out = _drop_none(
            {
                "id": peer["id"],
                "user_id": peer["participant_id"],
                "custom_participant_id": peer["custom_participant_id"],
                "display_name": peer["display_name"],
                "preset_name": peer["preset_name"],
                "joined_at": peer["joined_at"],
                "left_at": peer.get("left_at"),
                "duration": self._minutes(peer),
                "created_at": peer["created_at"],
                "updated_at": peer["updated_at"],
            }
        )
        if include_peer_events:
            out["peer_events"] = self._peer_events(peer)
        return out

    @_locked
    def list_session_participants(
        self,
        app_id: str,
        session_id: str,
        *,
        search: str | None = None,
        page_no: int | None = None,
        per_page: int | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        include_peer_events: bool = False,
        view: str | None = None,
    ) -> Page:
        """Participants (peers) of a session (SE3)."""
        session = self._session(app_id, session_id)
        items = [
            self._session_participant_public(p, include_peer_events=include_peer_events)
            for p in self._peers(session["id"])
        ]
        if search:
            needle = search.lower()
            items = [
                p
                for p in items
                if needle in p["id"]
                or needle in p["user_id"]
                or needle in p["custom_participant_id"].lower()
                or needle in p["display_name"].lower()
            ]
        if view == "consolidated":
            merged: dict[str, dict[str, Any]] = {}
            for p in items:
                if p["user_id"] in merged:
                    merged[p["user_id"]]["duration"] = round(
                        merged[p["user_id"]]["duration"] + p["duration"], 2
                    )
                else:
                    merged[p["user_id"]] = dict(p)
            items = list(merged.values())
        key = "duration" if sort_by == "duration" else "joined_at"
        items = _ordered(items, lambda p: p[key], descending=sort_order == "DESC")
        return paginate(items, page_no, per_page, default=25)

    def _find_session_peer(self, session: Doc, participant_id: str) -> Doc:
        wanted = participant_id.lower()
        peers = self._peers(session["id"])
        for peer in peers:
            if peer["id"] == wanted:
                return peer
        for peer in peers:
            if peer["participant_id"] == wanted:
                return peer
        raise NotFound(f"No participant found for participant_id {participant_id} in session {session['id']}")

    @_locked
    def get_session_participant(
        self, app_id: str, session_id: str, participant_id: str, *, include_peer_events: bool = False
    ) -> dict[str, Any]:
        """One session participant, by peer id or participant (user) id (SE4)."""
        session = self._session(app_id, session_id)
        peer = self._find_session_peer(session, participant_id)
        return {
            "participant": self._session_participant_public(peer, include_peer_events=include_peer_events)
        }

    @_locked
    def peer_report(
        self, app_id: str, peer_id: str, *, filters: str | None = None, include_peer_events: bool = False
    ) -> dict[str, Any]:
        """Per-peer report (SE5): the emulator has no device or network telemetry, so it is empty."""
        peer = self.store.get("peer", peer_id.lower(), app_id=app_id) if is_uuid(peer_id) else None
        if peer is None:
            raise NotFound(f"No peer found for peer_id {peer_id}")
        participant = self._session_participant_public(peer, include_peer_events=include_peer_events)
        participant.pop("preset_name", None)
        metadata: dict[str, Any] = {
            "room_view_type": peer.get("preset_view_type") or "GROUP_CALL",
            "sdk_name": "realtimekit-mcp-emulator",
        }
        if filters == "events":
            metadata["events"] = []
        return {
            "participant": {
                **participant,
                "session_id": peer["session_id"],
                "role": peer["preset_name"],
                "peer_report": {"metadata": metadata, "quality": {}},
            }
        }

    @_locked
    def session_chat(self, app_id: str, session_id: str) -> dict[str, Any]:
        """Chat export URL (SE6)."""
        session = self._session(app_id, session_id)
        if not self._chat(session["id"]):
            raise NotFound(f"No chat found for session_id {session_id}")
        url, expiry = self._signed_url("chat", session["id"])
        return {"chat_download_url": url, "chat_download_url_expiry": expiry}

    @_locked
    def session_transcript(
        self, app_id: str, session_id: str, *, format: str | None = None
    ) -> dict[str, Any]:
        """Transcript export URL in CSV (default), JSON, SRT or VTT (SE7); available once the session ended."""
        session = self._session(app_id, session_id)
        if not self._transcript(session["id"]) or session["status"] != "ENDED":
            raise NotFound(f"No transcript found for session_id {session_id}")
        url, expiry = self._signed_url(f"transcript-{(format or 'CSV').lower()}", session["id"])
        return {
            "sessionId": session["id"],
            "transcript_download_url": url,
            "transcript_download_url_expiry": expiry,
        }

    def _generate_summary(self, session: Doc) -> None:
        meeting = self.store.get("meeting", session["meeting_id"]) or {}
        summarization = (meeting.get("ai_config") or self._default_ai_config()).get("summarization") or {}
        text_format = summarization.get("text_format", "markdown")
        from ..intelligence import summarize  # extractive, offline (LIMITATIONS.md)

        text = summarize(
            self._transcript(session["id"]),
            title=meeting.get("title"),
            text_format=text_format,
            word_limit=int(summarization.get("word_limit", 500)),
            summary_type=str(summarization.get("summary_type") or "general"),
        )
        session["summary"] = {"text": text, "format": text_format, "created_at": self._now_iso()}
        self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
        url, expiry = self._signed_url("summary", session["id"])
        self._emit(
            "meeting.summary",
            {
                "meeting": self._meeting_event_object(session),
                "summaryDownloadUrl": url,
                "summaryDownloadUrlExpiry": expiry,
            },
        )

    @_locked
    def session_summary(self, app_id: str, session_id: str) -> dict[str, Any]:
        """Summary download URL (SE8)."""
        session = self._session(app_id, session_id)
        if not session.get("summary"):
            raise NotFound(f"No summary found for session_id {session_id}")
        url, expiry = self._signed_url("summary", session["id"])
        return {"sessionId": session["id"], "summaryDownloadUrl": url, "summaryDownloadUrlExpiry": expiry}

    @_locked
    def generate_summary(self, app_id: str, session_id: str) -> dict[str, Any]:
        """Generate (or regenerate) the summary from the transcript (SE9)."""
        with self.store.transaction():
            session = self._session(app_id, session_id)
            if not self._transcript(session["id"]) or session["status"] != "ENDED":
                raise BadRequest(f"No transcript available for session_id {session_id}: a summary needs one")
            self._generate_summary(session)
            return {"session_id": session["id"], "status": "COMPLETED"}
