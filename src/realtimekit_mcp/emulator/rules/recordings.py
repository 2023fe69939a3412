"""Recordings: composite and track, their lifecycle and files."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .. import media, schemas
from ..errors import BadRequest, Conflict, NotFound
from ..store import Doc
from ..validation import is_uuid, validate_body
from .base import (
    ACTIVE_RECORDING,
    NO_PEERS_RECORDING_STOP,
    RECORDING_TRANSITIONS,
    Page,
    RulesBase,
    _deep_merge,
    _drop_none,
    _locked,
    _ordered,
    iso,
    paginate,
    parse_iso,
)


class RecordingRules(RulesBase):
    """Recordings: composite and track, their lifecycle and files."""

    def _recording(self, app_id: str, recording_id: str) -> Doc:
        doc = (
            self.store.get("recording", recording_id.lower(), app_id=app_id)
            if is_uuid(recording_id)
            else None
        )
        if doc is None:
            raise NotFound(f"No recording found for recording_id {recording_id}")
        return doc

    def _recording_public(self, doc: Doc, *, reasons: bool = True, meeting: bool = False) -> dict[str, Any]:
        uploaded = doc["status"] == "UPLOADED" and doc["bucket_enabled"]
        expires = (
            int(parse_iso(doc["download_url_expiry"]).timestamp()) if doc.get("download_url_expiry") else 0
        )
        out: dict[str, Any] = {
            "id": doc["id"],
            "status": doc["status"],
            "invoked_time": doc["invoked_time"],
            "started_time": doc.get("started_time"),
            "stopped_time": doc.get("stopped_time"),
            "output_file_name": doc["output_file_name"],
            "session_id": doc.get("session_id"),
            "download_url": self.file_url("recording", doc["id"], expires) if uploaded else None,
            "audio_download_url": (
                self.file_url("recording-audio", doc["id"], expires)
                if uploaded and doc["audio_export"]
                else None
            ),
            "download_url_expiry": doc.get("download_url_expiry") if uploaded else None,
            "file_size": doc.get("file_size"),
        }
        if doc.get("recording_duration") is not None:
            out["recording_duration"] = doc["recording_duration"]
        if reasons:
            if doc.get("start_reason"):
                out["start_reason"] = doc["start_reason"]
            if doc.get("stop_reason"):
                out["stop_reason"] = doc["stop_reason"]
            if doc.get("storage_config"):
                out["storage_config"] = self._strip_storage(doc["storage_config"])
        if meeting:
            meeting_doc = self.store.get("meeting", doc["meeting_id"])
            if meeting_doc:
                out["meeting"] = self._meeting_public(meeting_doc, with_ai=False)
        return out

    def _start_recording_doc(
        self,
        app_id: str,
        meeting: Doc,
        session: Doc | None,
        data: Mapping[str, Any],
        *,
        reason: str,
        kind: str = "COMPOSITE",
    ) -> Doc:
        config = _deep_merge(
            meeting.get("recording_config") or {}, {k: v for k, v in data.items() if k != "meeting_id"}
        )
        rec_id = self.new_id()
        prefix = config.get("file_name_prefix")
        bucket = config.get("realtimekit_bucket_config") or {}
        audio = config.get("audio_config") or {}
        doc: Doc = {
            "id": rec_id,
            "app_id": app_id,
            "meeting_id": meeting["id"],
            "session_id": session["id"] if session else None,
            "type": kind,
            "status": "INVOKED",
            "invoked_time": self._now_iso(),
            "started_time": None,
            "stopped_time": None,
            "output_file_name": f"{prefix + '_' if prefix else ''}{rec_id}.wav",
            "bucket_enabled": bool(bucket.get("enabled", True)),
            "audio_export": bool(audio.get("export_file", True)) and kind == "COMPOSITE",
            "max_seconds": config.get("max_seconds"),
            "storage_config": config.get("storage_config"),
            "start_reason": {
                "reason": reason,
                **({"caller": self._caller(app_id)} if reason == "API_CALL" else {}),
            },
            "stop_reason": None,
            "active_seconds": 0.0,
            "resumed_at": None,
            "file_size": None,
            "recording_duration": None,
            "download_url_expiry": None,
            "layers": data.get("layers"),
            "user_ids": data.get("user_ids"),
        }
        self.store.put("recording", doc, app_id=app_id, parent=meeting["id"])
        self._schedule("recording.start", rec_id, app_id, self.config.recording_start_delay)
        if session is None or not self._live_peers(session["id"]):
            self._schedule(
                "recording.autostop", rec_id, app_id, NO_PEERS_RECORDING_STOP, reason="ALL_PEERS_LEFT"
            )
        return doc

    def _recording_transition(self, doc: Doc, status: str) -> None:
        if status not in RECORDING_TRANSITIONS[doc["status"]]:
            raise BadRequest(f"Cannot move a recording from {doc['status']} to {status}")
        doc["status"] = status
        self.store.put("recording", doc, app_id=doc["app_id"], parent=doc["meeting_id"])
        if status != "PAUSED":
            self._emit("recording.statusUpdate", self._recording_event(doc))

    def _recording_event(self, doc: Doc) -> dict[str, Any]:
        recording: dict[str, Any] = {
            "id": doc["id"],
            "recordingId": doc["id"],
            "status": doc["status"],
            "meetingId": doc["meeting_id"],
            "organizationId": doc["app_id"],
            "roomUUID": doc.get("session_id"),
        }
        if doc.get("started_time"):
            recording.update(startedTime=doc["started_time"], outputFileName=doc["output_file_name"])
        if doc.get("stopped_time"):
            recording.update(stoppedTime=doc["stopped_time"], fileSize=doc.get("file_size"))
        if doc["status"] == "UPLOADED":
            public = self._recording_public(doc, reasons=False)
            recording.update(
                downloadUrl=public["download_url"],
                audioDownloadUrl=public["audio_download_url"],
                downloadUrlExpiry=public["download_url_expiry"],
                recordingDuration=doc.get("recording_duration"),
            )
        payload: dict[str, Any] = {"recording": _drop_none(recording)}
        session = self.store.get("session", doc["session_id"]) if doc.get("session_id") else None
        if session:
            payload["meeting"] = self._meeting_event_object(session)
        else:
            meeting = self.store.get("meeting", doc["meeting_id"]) or {}
            app = self.store.get("app", doc["app_id"]) or {}
            payload["meeting"] = _drop_none(
                {
                    "id": doc["meeting_id"],
                    "title": meeting.get("title"),
                    "roomName": doc["meeting_id"],
                    "status": "LIVE",
                    "createdAt": meeting.get("created_at"),
                    "organizedBy": {"id": doc["app_id"], "name": app.get("name")},
                }
            )
        return payload

    def _recording_begin(self, doc: Doc) -> None:
        doc["started_time"] = doc["resumed_at"] = self._now_iso()
        self._recording_transition(doc, "RECORDING")
        if doc.get("max_seconds"):
            self._schedule(
                "recording.autostop", doc["id"], doc["app_id"], float(doc["max_seconds"]), reason="API_CALL"
            )

    def _accumulate(self, doc: Doc) -> None:
        if doc.get("resumed_at"):
            doc["active_seconds"] += max(0.0, (self.now() - parse_iso(doc["resumed_at"])).total_seconds())
            doc["resumed_at"] = None

    def _recording_stop(self, doc: Doc, reason: str) -> None:
        if doc["status"] == "INVOKED":
            self._recording_begin(doc)
        self._accumulate(doc)
        duration = round(doc["active_seconds"])
        self._cancel("recording.autostop", doc["id"])
        doc.update(
            stopped_time=self._now_iso(),
            stop_reason={
                "reason": reason,
                **({"caller": self._caller(doc["app_id"])} if reason == "API_CALL" else {}),
            },
            recording_duration=duration,
            file_size=media.wav_size(duration),
        )
        self._recording_transition(doc, "UPLOADING")
        self._schedule("recording.upload", doc["id"], doc["app_id"], self.config.recording_upload_delay)

    def _recording_uploaded(self, doc: Doc) -> None:
        if doc["bucket_enabled"]:
            expiry = self.now().replace(microsecond=0) + timedelta(seconds=self.config.download_url_ttl)
            doc["download_url_expiry"] = iso(expiry)
        self._recording_transition(doc, "UPLOADED")

    @_locked
    def list_recordings(
        self,
        app_id: str,
        *,
        meeting_id: str | None = None,
        page_no: int | None = None,
        per_page: int | None = None,
        expired: bool | None = None,
        search: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        status: list[str] | None = None,
    ) -> Page:
        """Recordings of the app (R1)."""
        docs = self.store.list("recording", app_id=app_id)
        if meeting_id:
            docs = [d for d in docs if d["meeting_id"] == meeting_id.lower()]
        if status:
            docs = [d for d in docs if d["status"] in status]
        if search:
            needle = search.lower()
            titles = {
                m["id"]: (m.get("title") or "").lower() for m in self.store.list("meeting", app_id=app_id)
            }
            docs = [d for d in docs if needle in d["meeting_id"] or needle in titles.get(d["meeting_id"], "")]
        if start_time:
            docs = [d for d in docs if parse_iso(d["invoked_time"]) >= start_time]
        if end_time:
            docs = [d for d in docs if parse_iso(d["invoked_time"]) <= end_time]
        if expired is not None:
            now = self.now()
            docs = [
                d
                for d in docs
                if (d.get("download_url_expiry") is not None and parse_iso(d["download_url_expiry"]) <= now)
                == expired
            ]
        docs = _ordered(docs, lambda d: d["invoked_time"], descending=sort_order != "ASC")
        page = paginate(docs, page_no, per_page)
        page.items = [self._recording_public(d, meeting=True) for d in page.items]
        return page

    @_locked
    def start_recording(self, app_id: str, body: Any) -> dict[str, Any]:
        """Start a composite recording (R2): INVOKED now, RECORDING after the start delay."""
        data = validate_body(schemas.RECORDING_START, body)
        with self.store.transaction():
            meeting = self._meeting(app_id, data["meeting_id"])
            if meeting["status"] != "ACTIVE":
                raise BadRequest(f"Meeting {meeting['id']} is INACTIVE")
            active = [
                r
                for r in self.store.list("recording", parent=meeting["id"])
                if r["status"] in ACTIVE_RECORDING
            ]
            if active and not data.get("allow_multiple_recordings"):
                raise Conflict(
                    f"A recording is already running for meeting_id {meeting['id']}; "
                    "set allow_multiple_recordings to start another"
                )
            session = self._live_session(meeting["id"])
            doc = self._start_recording_doc(app_id, meeting, session, data, reason="API_CALL")
            return self._recording_public(doc)

    @_locked
    def start_track_recording(self, app_id: str, body: Any) -> dict[str, Any]:
        """Start a per-participant track recording (R6); needs a LIVE session."""
        data = validate_body(schemas.TRACK_RECORDING, body)
        with self.store.transaction():
            meeting = self._meeting(app_id, data["meeting_id"])
            session = self._live_session(meeting["id"])
            if session is None:
                raise BadRequest(f"No active session found for meeting_id {meeting['id']}")
            doc = self._start_recording_doc(app_id, meeting, session, data, reason="API_CALL", kind="TRACK")
            return {"recording": self._recording_public(doc, reasons=False)}

    @_locked
    def get_active_recording(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """The newest active recording of a meeting (R3)."""
        meeting = self._meeting(app_id, meeting_id)
        active = [
            r for r in self.store.list("recording", parent=meeting["id"]) if r["status"] in ACTIVE_RECORDING
        ]
        if not active:
            raise NotFound(f"No active recording found for meeting_id {meeting_id}")
        return self._recording_public(active[-1], reasons=False)

    @_locked
    def get_recording(self, app_id: str, recording_id: str) -> dict[str, Any]:
        """One recording (R4)."""
        return self._recording_public(self._recording(app_id, recording_id))

    @_locked
    def recording_action(self, app_id: str, recording_id: str, body: Any) -> dict[str, Any]:
        """``stop``, ``pause`` or ``resume`` a recording (R5)."""
        data = validate_body(schemas.RECORDING_ACTION, body)
        with self.store.transaction():
            doc = self._recording(app_id, recording_id)
            action = data["action"]
            if action == "stop":
                if doc["status"] not in ACTIVE_RECORDING:
                    raise BadRequest(f"Cannot stop a recording in status {doc['status']}")
                self._recording_stop(doc, "API_CALL")
            elif action == "pause":
                if doc["status"] != "RECORDING":
                    raise BadRequest(f"Cannot pause a recording in status {doc['status']}")
                self._accumulate(doc)
                self._recording_transition(doc, "PAUSED")
            else:
                if doc["status"] != "PAUSED":
                    raise BadRequest(f"Cannot resume a recording in status {doc['status']}")
                doc["resumed_at"] = self._now_iso()
                self._recording_transition(doc, "RECORDING")
            return self._recording_public(doc)

    def recording_file(self, recording_id: str) -> bytes:
        """The media bytes of an uploaded recording (a WAV tone as long as the recording, at most 10 s)."""
        with self._lock:
            doc = self.store.get("recording", recording_id)
            if doc is None or doc["status"] != "UPLOADED":
                raise NotFound(f"No uploaded recording found for recording_id {recording_id}")
            return media.tone_wav(doc.get("recording_duration") or 1)
