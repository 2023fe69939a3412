"""Meetings and participants (with their tokens)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jwt

from ... import _redact
from .. import schemas, tokens
from ..errors import BadRequest
from ..store import Doc
from ..validation import validate_body
from .base import (
    MEETING_TRANSITIONS,
    InvalidToken,
    Page,
    RulesBase,
    _deep_merge,
    _locked,
    paginate,
    parse_iso,
)


class MeetingRules(RulesBase):
    """Meetings and participants (with their tokens)."""

    def _meeting_fields(
        self, data: Mapping[str, Any], base: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        base = base or {}
        out: dict[str, Any] = {
            "title": data.get("title", base.get("title")),
            "record_on_start": bool(data.get("record_on_start", base.get("record_on_start")) or False),
            "live_stream_on_start": bool(
                data.get("live_stream_on_start", base.get("live_stream_on_start")) or False
            ),
            "persist_chat": bool(data.get("persist_chat", base.get("persist_chat", False))),
            "summarize_on_end": bool(data.get("summarize_on_end", base.get("summarize_on_end", False))),
            "transcribe_on_end": bool(data.get("transcribe_on_end", base.get("transcribe_on_end", False))),
            "session_keep_alive_time_in_secs": data.get(
                "session_keep_alive_time_in_secs", base.get("session_keep_alive_time_in_secs", 60)
            ),
        }
        recording_config = base.get("recording_config")
        if "recording_config" in data:
            recording_config = _deep_merge(recording_config or {}, data["recording_config"])
        out["recording_config"] = recording_config
        ai_config = base.get("ai_config") or self._default_ai_config()
        if "ai_config" in data:
            ai_config = _deep_merge(ai_config, data["ai_config"])
        out["ai_config"] = ai_config
        return out

    @_locked
    def list_meetings(
        self,
        app_id: str,
        *,
        page_no: int | None = None,
        per_page: int | None = None,
        search: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        status: str | None = None,
    ) -> Page:
        """Meetings, newest first (M1)."""
        docs = self.store.list("meeting", app_id=app_id)
        if search:
            needle = search.lower()
            docs = [d for d in docs if needle in d["id"] or needle in (d.get("title") or "").lower()]
        if status:
            docs = [d for d in docs if d["status"] == status]
        if start_time:
            docs = [d for d in docs if parse_iso(d["created_at"]) >= start_time]
        if end_time:
            docs = [d for d in docs if parse_iso(d["created_at"]) <= end_time]
        docs.reverse()
        page = paginate(docs, page_no, per_page)
        page.items = [self._meeting_public(d, with_ai=False) for d in page.items]
        return page

    @_locked
    def create_meeting(self, app_id: str, body: Any) -> dict[str, Any]:
        """Create an ACTIVE meeting (M2)."""
        data = validate_body(schemas.meeting_body(with_status=False), body)
        now = self._now_iso()
        doc = {
            "id": self.new_id(),
            "status": "ACTIVE",
            **self._meeting_fields(data),
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("meeting", doc, app_id=app_id)
        return self._meeting_public(doc)

    @_locked
    def get_meeting(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """One meeting with its ai_config (M3)."""
        return self._meeting_public(self._meeting(app_id, meeting_id))

    @_locked
    def update_meeting(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Partially update a meeting, including its status (M4)."""
        doc = self._meeting(app_id, meeting_id)
        data = validate_body(schemas.meeting_body(with_status=True), body)
        new = {**doc, **self._meeting_fields(data, doc), "updated_at": self._now_iso()}
        if "status" in data and data["status"] != doc["status"]:
            if (
                data["status"] not in MEETING_TRANSITIONS[doc["status"]]
            ):  # pragma: no cover - both ways allowed
                raise BadRequest(f"Cannot change meeting status from {doc['status']} to {data['status']}")
            new["status"] = data["status"]
        self.store.put("meeting", new, app_id=app_id)
        return self._meeting_public(new)

    @_locked
    def replace_meeting(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Replace a meeting's settings; omitted fields return to their defaults (M5)."""
        doc = self._meeting(app_id, meeting_id)
        data = validate_body(schemas.meeting_body(with_status=False), body)
        new = {
            "id": doc["id"],
            "status": doc["status"],
            **self._meeting_fields(data),
            "created_at": doc["created_at"],
            "updated_at": self._now_iso(),
        }
        self.store.put("meeting", new, app_id=app_id)
        return self._meeting_public(new)

    def _mint(self, app_id: str, participant: Doc) -> str:
        app = self._app(app_id)
        token = tokens.mint(
            app["token_secret"],
            meeting_id=participant["meeting_id"],
            org_id=app_id,
            participant_id=participant["id"],
            preset_id=participant.get("preset_id"),
            token_id=self.new_id(),
            now=self.now(),
        )
        _redact.register_secret(token)
        return token

    @_locked
    def list_participants(
        self, app_id: str, meeting_id: str, *, page_no: int | None = None, per_page: int | None = None
    ) -> Page:
        """Participants of a meeting, without tokens (M6)."""
        meeting = self._meeting(app_id, meeting_id)
        page = paginate(self.store.list("participant", parent=meeting["id"]), page_no, per_page)
        page.items = [self._participant_public(d) for d in page.items]
        return page

    @_locked
    def add_participant(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Add a participant and mint its token (M7)."""
        meeting = self._meeting(app_id, meeting_id)
        data = validate_body(schemas.PARTICIPANT_ADD, body)
        preset = self._preset_by_name(app_id, data["preset_name"])
        now = self._now_iso()
        doc = {
            "id": self.new_id(),
            "meeting_id": meeting["id"],
            "custom_participant_id": data["custom_participant_id"],
            "preset_id": preset["id"],
            "preset_name": preset["name"],
            "name": data.get("name"),
            "picture": data.get("picture"),
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("participant", doc, app_id=app_id, parent=meeting["id"])
        return {**self._participant_public(doc), "token": self._mint(app_id, doc)}

    @_locked
    def get_participant(self, app_id: str, meeting_id: str, participant_id: str) -> dict[str, Any]:
        """One participant, without token (M8)."""
        return self._participant_public(self._participant(app_id, meeting_id, participant_id))

    @_locked
    def edit_participant(
        self, app_id: str, meeting_id: str, participant_id: str, body: Any
    ) -> dict[str, Any]:
        """Change name, picture or preset; returns a fresh token (M9)."""
        doc = self._participant(app_id, meeting_id, participant_id)
        data = validate_body(schemas.PARTICIPANT_EDIT, body)
        if data.get("preset_name") is not None:
            preset = self._preset_by_name(app_id, data["preset_name"])
            doc.update(preset_id=preset["id"], preset_name=preset["name"])
        for key in ("name", "picture"):
            if key in data:
                doc[key] = data[key]
        doc["updated_at"] = self._now_iso()
        self.store.put("participant", doc, app_id=app_id, parent=doc["meeting_id"])
        return {**self._participant_public(doc), "token": self._mint(app_id, doc)}

    @_locked
    def replace_participant(
        self, app_id: str, meeting_id: str, participant_id: str, body: Any
    ) -> dict[str, Any]:
        """Replace every field of a participant; returns a fresh token (M10)."""
        doc = self._participant(app_id, meeting_id, participant_id)
        data = validate_body(schemas.PARTICIPANT_ADD, body)
        preset = self._preset_by_name(app_id, data["preset_name"])
        doc.update(
            custom_participant_id=data["custom_participant_id"],
            preset_id=preset["id"],
            preset_name=preset["name"],
            name=data.get("name"),
            picture=data.get("picture"),
            updated_at=self._now_iso(),
        )
        self.store.put("participant", doc, app_id=app_id, parent=doc["meeting_id"])
        return {**self._participant_public(doc), "token": self._mint(app_id, doc)}

    @_locked
    def delete_participant(self, app_id: str, meeting_id: str, participant_id: str) -> dict[str, Any]:
        """Delete a participant, which revokes its tokens (M11)."""
        doc = self._participant(app_id, meeting_id, participant_id)
        self.store.delete("participant", doc["id"])
        return {
            "created_at": doc["created_at"],
            "custom_participant_id": doc["custom_participant_id"],
            "preset_id": doc["preset_id"],
            "updated_at": doc["updated_at"],
        }

    @_locked
    def refresh_participant_token(self, app_id: str, meeting_id: str, participant_id: str) -> dict[str, Any]:
        """A new token for the same participant and preset (M12)."""
        doc = self._participant(app_id, meeting_id, participant_id)
        return {"token": self._mint(app_id, doc)}

    @_locked
    def verify_participant_token(self, token: str) -> dict[str, Any]:
        """Check a participant token (signature, expiry, participant still present).

        Returns ``{"claims", "participant", "meeting", "preset", "app_id"}``; raises ``InvalidToken``.
        A valid token is registered as a secret (kept out of logs and error text).
        """
        org = tokens.unverified_org(token)
        app = self.store.get("app", org) if org else None
        if app is None:
            raise InvalidToken("Invalid participant token")
        try:
            claims = tokens.decode(app["token_secret"], token, now=self.now())
        except jwt.ExpiredSignatureError:
            raise InvalidToken("Participant token has expired") from None
        except jwt.PyJWTError:
            raise InvalidToken("Invalid participant token") from None
        participant = self.store.get("participant", str(claims["participantId"]), app_id=app["id"])
        if participant is None or participant["meeting_id"] != claims["meetingId"]:
            raise InvalidToken("Participant token has been revoked")
        _redact.register_secret(token)  # a valid token (perhaps minted before a restart)
        meeting = self.store.get("meeting", participant["meeting_id"])
        preset = self.store.get("preset", participant["preset_id"])
        return {
            "claims": claims,
            "participant": self._participant_public(participant),
            "meeting": self._meeting_public(meeting) if meeting else None,
            "preset": self._preset_public(preset) if preset else None,
            "app_id": app["id"],
        }
