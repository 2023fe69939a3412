"""Shared pieces of the rules: constants, helpers, and ``RulesBase`` (state and cross-resource helpers)."""

from __future__ import annotations

import copy
import functools
import logging
import random
import secrets
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from ... import _redact
from .. import schemas, tokens
from ..config import Clock, EmulatorConfig
from ..errors import BadRequest, EmulatorError, NotFound
from ..events import EventSink
from ..store import Doc, Store
from ..validation import is_uuid

P = ParamSpec("P")
R = TypeVar("R")

# Declared lifecycle transitions: state -> states reachable from it.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    "ACTIVE": frozenset({"INACTIVE"}),
    "INACTIVE": frozenset({"ACTIVE"}),
}
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {"LIVE": frozenset({"ENDED"}), "ENDED": frozenset()}
RECORDING_TRANSITIONS: dict[str, frozenset[str]] = {
    "INVOKED": frozenset({"RECORDING", "ERRORED"}),
    "RECORDING": frozenset({"PAUSED", "UPLOADING", "ERRORED"}),
    "PAUSED": frozenset({"RECORDING", "UPLOADING", "ERRORED"}),
    "UPLOADING": frozenset({"UPLOADED", "ERRORED"}),
    "UPLOADED": frozenset(),
    "ERRORED": frozenset(),
}
LIVESTREAM_TRANSITIONS: dict[str, frozenset[str]] = {
    "IDLE": frozenset({"INVOKED"}),
    "INVOKED": frozenset({"LIVE", "IDLE", "ERRORED"}),
    "LIVE": frozenset({"IDLE", "ERRORED"}),
    "ERRORED": frozenset({"INVOKED"}),
}
ACTIVE_RECORDING = ("INVOKED", "RECORDING", "PAUSED")
ACTIVE_LIVESTREAM = ("INVOKED", "LIVE")
NO_PEERS_RECORDING_STOP = 60.0  # seconds with no participants before a recording stops
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

# File kinds served under /_emulator/files/{kind}/{id}.
FILE_KINDS = (
    "recording",
    "recording-audio",
    "chat",
    "transcript-csv",
    "transcript-json",
    "transcript-srt",
    "transcript-vtt",
    "summary",
)


def iso(value: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    """Inverse of ``iso``."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        with self._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _drop_none(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _deep_merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _ordered(items: list[Any], key: Callable[[Any], Any], *, descending: bool) -> list[Any]:
    """Sort by ``key``; ties keep creation order (newest first when descending)."""
    indexed = sorted(enumerate(items), key=lambda pair: (key(pair[1]), pair[0]), reverse=descending)
    return [item for _, item in indexed]


class Page:
    """One page of a list, with RealtimeKit's 1-based inclusive offsets."""

    def __init__(self, items: list[Any], total: int, start_offset: int, end_offset: int) -> None:
        self.items = items
        self.total = total
        self.start_offset = start_offset
        self.end_offset = end_offset

    @property
    def paging(self) -> dict[str, int]:
        """The ``paging`` object."""
        return {"total_count": self.total, "start_offset": self.start_offset, "end_offset": self.end_offset}


def paginate(
    items: list[Any], page_no: int | None, per_page: int | None, *, default: int = DEFAULT_PER_PAGE
) -> Page:
    """Slice ``items``: ``page_no`` is 1-based (0 is read as 1), ``per_page`` 0/None means the default."""
    page = page_no or 1
    size = per_page or default
    start = (page - 1) * size
    chunk = items[start : start + size]
    return Page(chunk, len(items), start + 1, start + len(chunk))


class InvalidToken(EmulatorError):
    """401 for a participant token that is malformed, expired, forged or revoked."""

    status_code = 401


def _log_failure(exc: BaseException, what: str) -> None:
    """Log a failure of an internal step with secrets redacted."""
    trace = _redact.redact("".join(traceback.format_exception(exc)))
    logging.getLogger(__name__).error(
        "emulator %s failed: %s\n%s", what, _redact.redact(str(exc))[:300], trace
    )


def _payload_app(payload: Mapping[str, Any]) -> str | None:
    meeting = payload.get("meeting")
    if isinstance(meeting, Mapping):
        organized = meeting.get("organizedBy")
        if isinstance(organized, Mapping) and isinstance(organized.get("id"), str):
            return str(organized["id"])
    organized = payload.get("organizedBy")
    if isinstance(organized, Mapping) and isinstance(organized.get("id"), str):
        return str(organized["id"])
    recording = payload.get("recording")
    if isinstance(recording, Mapping) and isinstance(recording.get("organizationId"), str):
        return str(recording["organizationId"])
    return None


class RulesBase:
    """State shared by every rules mixin, and the helpers they all use."""

    config: EmulatorConfig
    store: Store
    sink: EventSink
    listeners: list[Callable[[str, dict[str, Any]], None]]
    account_id: str
    app_id: str
    api_token: str
    url_secret: str
    _lock: threading.RLock
    _clock: Clock
    _virtual_now: datetime | None
    _rng: random.Random | None
    _base_url: str
    _offset: float

    def _hex(self, length: int) -> str:
        if self._rng is not None:
            return "".join(self._rng.choice("0123456789abcdef") for _ in range(length))
        return secrets.token_hex(length // 2 + 1)[:length]

    def new_id(self) -> str:
        """A new UUIDv4 (deterministic when the config has a seed)."""
        if self._rng is not None:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        return str(uuid.uuid4())

    def now(self) -> datetime:
        """The emulator's current time (clock + advanced offset, or a timer's due time while it runs)."""
        if self._virtual_now is not None:
            return self._virtual_now
        return self._clock().astimezone(UTC) + timedelta(seconds=self._offset)

    def _now_iso(self) -> str:
        return iso(self.now())

    @property
    def base_url(self) -> str:
        """The public base URL used in download and playback URLs."""
        return self._base_url

    def _schedule(self, action: str, target: str, app_id: str, delay: float, **extra: Any) -> None:
        due = self.now().timestamp() + delay
        doc = {"id": self.new_id(), "due": due, "action": action, "target": target, "extra": extra}
        self.store.put("timer", doc, app_id=app_id, parent=target)

    def _cancel(self, action: str, target: str) -> None:
        for timer in self.store.list("timer", parent=target):
            if timer["action"] == action:
                self.store.delete("timer", timer["id"])

    def _app(self, app_id: str) -> Doc:
        doc = self.store.get("app", app_id)
        if doc is None:
            raise NotFound(f"App {app_id} not found")
        return doc

    def _meeting(self, app_id: str, meeting_id: str) -> Doc:
        doc = self.store.get("meeting", meeting_id.lower(), app_id=app_id) if is_uuid(meeting_id) else None
        if doc is None:
            raise NotFound(f"No meeting found for meeting_id {meeting_id}")
        return doc

    @staticmethod
    def _default_ai_config() -> dict[str, Any]:
        return {
            "transcription": {"language": "en-US", "keywords": [], "profanity_filter": False},
            "summarization": {"summary_type": "general", "text_format": "markdown", "word_limit": 500},
        }

    def _meeting_public(self, doc: Doc, *, with_ai: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": doc["id"],
            "title": doc.get("title"),
            "status": doc["status"],
            "record_on_start": doc["record_on_start"],
            "live_stream_on_start": doc["live_stream_on_start"],
            "persist_chat": doc["persist_chat"],
            "summarize_on_end": doc["summarize_on_end"],
            "transcribe_on_end": doc["transcribe_on_end"],
            "session_keep_alive_time_in_secs": doc["session_keep_alive_time_in_secs"],
            "created_at": doc["created_at"],
            "updated_at": doc["updated_at"],
        }
        if doc.get("recording_config"):
            out["recording_config"] = self._public_recording_config(doc["recording_config"])
        if with_ai:
            out["ai_config"] = doc["ai_config"]
        return _drop_none(out)

    @staticmethod
    def _strip_storage(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if config is None:
            return None
        return {k: v for k, v in config.items() if k not in schemas.STORAGE_SECRETS}

    def _public_recording_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(config)
        if out.get("storage_config") is not None:
            out["storage_config"] = self._strip_storage(out["storage_config"])
        else:
            out.pop("storage_config", None)
        return out

    @staticmethod
    def _preset_public(doc: Doc) -> dict[str, Any]:
        keys = ("id", "name", "config", "permissions", "ui", "created_at", "updated_at")
        return {k: doc[k] for k in keys if k in doc}

    def _participant(self, app_id: str, meeting_id: str, participant_id: str) -> Doc:
        meeting = self._meeting(app_id, meeting_id)
        doc = (
            self.store.get("participant", participant_id.lower(), app_id=app_id)
            if is_uuid(participant_id)
            else None
        )
        if doc is None or doc["meeting_id"] != meeting["id"]:
            raise NotFound(f"No participant found for participant_id {participant_id}")
        return doc

    @staticmethod
    def _participant_public(doc: Doc) -> dict[str, Any]:
        keys = ("id", "custom_participant_id", "preset_name", "name", "picture", "created_at", "updated_at")
        return {k: doc.get(k) for k in keys}

    def _session(self, app_id: str, session_id: str) -> Doc:
        doc = self.store.get("session", session_id.lower(), app_id=app_id) if is_uuid(session_id) else None
        if doc is None:
            raise NotFound(f"No session found for session_id {session_id}")
        return doc

    def _live_session(self, meeting_id: str) -> Doc | None:
        for doc in self.store.list("session", parent=meeting_id):
            if doc["status"] == "LIVE":
                return doc
        return None

    def _peers(self, session_id: str) -> list[Doc]:
        return self.store.list("peer", parent=session_id)

    def _live_peers(self, session_id: str) -> list[Doc]:
        return [p for p in self._peers(session_id) if p.get("left_at") is None]

    def _minutes(self, peer: Doc) -> float:
        end = parse_iso(peer["left_at"]) if peer.get("left_at") else self.now()
        return round(max(0.0, (end - parse_iso(peer["joined_at"])).total_seconds()) / 60.0, 2)

    def _session_public(self, doc: Doc, *, breakout: bool = False) -> dict[str, Any]:
        peers = self._peers(doc["id"])
        meeting = self.store.get("meeting", doc["meeting_id"]) or {}
        out: dict[str, Any] = {
            "id": doc["id"],
            "associated_id": doc["meeting_id"],
            "meeting_display_name": meeting.get("title") or "",
            "type": "meeting",
            "status": doc["status"],
            "live_participants": len([p for p in peers if p.get("left_at") is None]),
            "max_concurrent_participants": doc.get("max_concurrent_participants", 0),
            "minutes_consumed": round(sum(self._minutes(p) for p in peers), 2),
            "organization_id": doc["app_id"],
            "started_at": doc["started_at"],
            "created_at": doc["created_at"],
            "updated_at": doc["updated_at"],
            "ended_at": doc.get("ended_at"),
        }
        if breakout:
            out["breakout_rooms"] = []
        return _drop_none(out)

    def _meeting_event_object(self, session: Doc) -> dict[str, Any]:
        meeting = self.store.get("meeting", session["meeting_id"]) or {}
        app = self.store.get("app", session["app_id"]) or {}
        return _drop_none(
            {
                "id": session["meeting_id"],
                "sessionId": session["id"],
                "title": meeting.get("title"),
                "roomName": session["meeting_id"],
                "status": "LIVE",
                "createdAt": session["created_at"],
                "startedAt": session["started_at"],
                "endedAt": session.get("ended_at"),
                "organizedBy": {"id": session["app_id"], "name": app.get("name")},
            }
        )

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        """Hand an event to the sink once the current transaction commits (never for a rolled-back one)."""
        body = {"event": event, **payload}
        self.store.after_commit(lambda: self._emit_now(event, body))

    def _emit_now(self, event: str, body: dict[str, Any]) -> None:
        try:
            self.sink.emit(event, body)
        except Exception as exc:  # a broken sink must not fail a write that already committed
            _log_failure(exc, f"event sink on {event}")

    def _notify(self, notice: str, data: dict[str, Any]) -> None:
        self.store.after_commit(lambda: self._notify_now(notice, data))

    def _notify_now(self, notice: str, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            try:
                listener(notice, data)
            except Exception as exc:  # a broken listener must not break the API
                _log_failure(exc, f"listener on {notice}")

    def _signed_url(self, kind: str, target: str) -> tuple[str, str]:
        expiry = self.now() + timedelta(seconds=self.config.download_url_ttl)
        return self.file_url(kind, target, int(expiry.timestamp())), iso(expiry.replace(microsecond=0))

    def file_url(self, kind: str, target: str, expires: int) -> str:
        """The signed download URL of a file the emulator serves."""
        sig = tokens.sign_url(self.url_secret, f"{kind}/{target}/{expires}")
        return f"{self.base_url}/_emulator/files/{kind}/{target}?expires={expires}&sig={sig}"

    def _caller(self, app_id: str) -> dict[str, Any]:
        app = self.store.get("app", app_id) or {}
        return {"name": app.get("name", ""), "type": "ORGANIZATION"}

    def _chat(self, session_id: str) -> list[Doc]:
        return self.store.list("chat", parent=session_id)

    def _transcript(self, session_id: str) -> list[Doc]:
        """Transcript lines in time order, with each speaker's current join/leave times."""
        lines = _ordered(
            self.store.list("transcript_line", parent=session_id), lambda x: x["start_ms"], descending=False
        )
        peers = {p["id"]: p for p in self._peers(session_id)}
        for line in lines:
            peer = peers.get(line.get("peer_id") or "")
            if peer:
                line.update(joined_at=peer["joined_at"], left_at=peer.get("left_at"))
        return lines

    def _preset_by_name(self, app_id: str, name: str, field: str = "preset_name") -> Doc:
        for doc in self.store.list("preset", app_id=app_id):
            if doc["name"] == name:
                return doc
        raise BadRequest(f'"{field}" must name an existing preset: no preset named {name!r}')

    # -- implemented by other mixins; declared here so that each mixin type-checks on its own ------
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
        raise NotImplementedError

    def _recording_stop(self, doc: Doc, reason: str) -> None:
        raise NotImplementedError

    def _find_meeting_livestream(self, meeting_id: str) -> Doc | None:
        raise NotImplementedError

    def _meeting_livestream(self, app_id: str, meeting: Doc, name: str | None = None) -> Doc:
        raise NotImplementedError

    def _livestream_invoke(self, app_id: str, stream: Doc, session: Doc | None) -> None:
        raise NotImplementedError

    def _livestream_stop(self, stream: Doc) -> None:
        raise NotImplementedError

    def _generate_summary(self, session: Doc) -> None:
        raise NotImplementedError
