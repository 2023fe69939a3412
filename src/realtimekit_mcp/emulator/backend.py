"""The emulator's rules: every resource, state machine and lifecycle of RealtimeKit, without HTTP.

Routes parse a request, call one method here and serialise what it returns. Methods return the
public (API-shaped) dictionaries directly. Timed transitions (recording start/upload, session
keep-alive, livestream start) are stored as timers and run by ``tick``/``advance`` against the
injectable clock, so tests drive time explicitly.
"""

from __future__ import annotations

import copy
import functools
import logging
import random
import secrets
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import jwt

from .. import _redact
from . import media, schemas, tokens
from .config import EmulatorConfig, system_clock
from .errors import BadRequest, Conflict, EmulatorError, Forbidden, NotFound
from .events import WEBHOOK_EVENTS, EventSink, NullEventSink
from .presets import DEFAULT_PRESETS, default_preset_body
from .store import Doc, Store
from .validation import Any_, Arr, Bool, Num, Obj, Str, is_uuid, validate_body

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


class EmulatorBackend:
    """All of the emulator's state and rules (no HTTP).

    ``account_id``, ``app_id`` and ``api_token`` are the effective identity (given in the config or
    generated on first start and persisted). The default app is ``app_id``; more apps can be made
    through the apps API.
    """

    def __init__(self, config: EmulatorConfig | None = None, *, sink: EventSink | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.store = Store(self.config.db_path)
        self.sink: EventSink = sink or NullEventSink()
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        """Live-plane hooks called (under the backend lock, must not block) with ``peer.kicked``,
        ``peer.muted``, ``session.ended`` and ``poll.created`` notices."""
        self._lock = threading.RLock()
        self._clock = self.config.clock or system_clock
        self._virtual_now: datetime | None = None
        self._rng: random.Random | None = (
            None if self.config.seed is None else random.Random(self.config.seed)
        )
        self._base_url = (self.config.public_base_url or "http://127.0.0.1:8787").rstrip("/")
        self._offset = float(self.store.get_meta("clock_offset") or 0.0)
        self._bootstrap()

    # -- identity, ids, time -----------------------------------------------------------------------
    def _bootstrap(self) -> None:
        with self.store.transaction():
            self.account_id = self._identity("account_id", self.config.account_id, lambda: self._hex(32))
            self.app_id = self._identity("app_id", self.config.app_id, self.new_id)
            self.api_token = self._identity("api_token", self.config.api_token, lambda: self._hex(40))
            self.url_secret = self._identity("url_secret", None, lambda: self._hex(64))
            if self.store.get("app", self.app_id) is None:
                self._create_app_doc(self.app_id, self.config.app_name)
        _redact.register_secret(self.api_token)

    def _identity(self, key: str, given: str | None, make: Callable[[], str]) -> str:
        if given:
            self.store.set_meta(key, given)
            return given
        existing = self.store.get_meta(key)
        if existing:
            return existing
        value = make()
        self.store.set_meta(key, value)
        return value

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

    def observe_base_url(self, url: str) -> None:
        """Remember the base URL requests arrive on (ignored when ``public_base_url`` is configured)."""
        if not self.config.public_base_url:
            self._base_url = url.rstrip("/")

    def get_meta(self, key: str) -> str | None:
        """A persisted emulator setting (for other emulator modules, e.g. the webhook key)."""
        return self.store.get_meta(f"ext:{key}")

    def set_meta(self, key: str, value: str) -> None:
        """Persist an emulator setting."""
        self.store.set_meta(f"ext:{key}", value)

    # -- clock and timers -------------------------------------------------------------------------
    def _schedule(self, action: str, target: str, app_id: str, delay: float, **extra: Any) -> None:
        due = self.now().timestamp() + delay
        doc = {"id": self.new_id(), "due": due, "action": action, "target": target, "extra": extra}
        self.store.put("timer", doc, app_id=app_id, parent=target)

    def _cancel(self, action: str, target: str) -> None:
        for timer in self.store.list("timer", parent=target):
            if timer["action"] == action:
                self.store.delete("timer", timer["id"])

    @_locked
    def tick(self) -> int:
        """Run every timer that is due now; returns how many ran."""
        return self._run_due(self.now().timestamp())

    @_locked
    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the clock forward by ``seconds`` and run every transition that falls due, in order."""
        if seconds < 0:
            raise BadRequest('"seconds" must be greater than or equal to 0')
        target = self.now().timestamp() + seconds
        ran = self._run_due(target)
        self._offset += seconds
        self.store.set_meta("clock_offset", repr(self._offset))
        ran += self._run_due(self.now().timestamp())
        return {"now": self._now_iso(), "transitions": ran}

    def _run_due(self, upto: float) -> int:
        ran = 0
        for _ in range(10_000):
            timers = [t for t in self.store.list("timer") if t["due"] <= upto]
            if not timers:
                break
            timer = min(timers, key=lambda t: (t["due"], t["id"]))
            self.store.delete("timer", timer["id"])
            due = datetime.fromtimestamp(timer["due"], UTC)
            previous = self._virtual_now
            self._virtual_now = due if previous is None else max(due, previous)
            try:
                with self.store.transaction():
                    self._run_timer(timer)
            except Exception as exc:  # a failed transition is dropped, never fails the caller's request
                _log_failure(exc, f"timer {timer['action']}")
            finally:
                self._virtual_now = previous
            ran += 1
        return ran

    def _run_timer(self, timer: Doc) -> None:
        action, target = timer["action"], timer["target"]
        if action == "recording.start":
            rec = self.store.get("recording", target)
            if rec and rec["status"] == "INVOKED":
                self._recording_begin(rec)
        elif action == "recording.upload":
            rec = self.store.get("recording", target)
            if rec and rec["status"] == "UPLOADING":
                self._recording_uploaded(rec)
        elif action == "recording.autostop":
            rec = self.store.get("recording", target)
            if rec and rec["status"] in ACTIVE_RECORDING:
                self._recording_stop(rec, timer["extra"].get("reason", "ALL_PEERS_LEFT"))
        elif action == "session.end":
            session = self.store.get("session", target)
            if session and session["status"] == "LIVE" and not self._live_peers(session["id"]):
                self._end_session(session, "ALL_PARTICIPANTS_LEFT")
        elif action == "livestream.live":
            stream = self.store.get("livestream", target)
            if stream and stream["status"] == "INVOKED":
                self._livestream_set(stream, "LIVE")

    # -- apps ---------------------------------------------------------------------------------------
    def _create_app_doc(self, app_id: str, name: str) -> Doc:
        now = self._now_iso()
        doc = {"id": app_id, "name": name, "created_at": now, "token_secret": self._hex(64)}
        self.store.put("app", doc, app_id=app_id)
        for preset_name, view_type, host in DEFAULT_PRESETS:
            body = default_preset_body(preset_name, view_type, host)
            self.store.put(
                "preset", {"id": self.new_id(), **body, "created_at": now, "updated_at": now}, app_id=app_id
            )
        return doc

    @staticmethod
    def _app_public(doc: Doc) -> dict[str, Any]:
        return {"id": doc["id"], "name": doc["name"], "created_at": doc["created_at"]}

    def _app(self, app_id: str) -> Doc:
        doc = self.store.get("app", app_id)
        if doc is None:
            raise NotFound(f"App {app_id} not found")
        return doc

    @_locked
    def check_account(self, account_id: str) -> None:
        """Reject requests for any account but this emulator's."""
        if account_id != self.account_id:
            raise Forbidden(f"Account {account_id} is not accessible with this API token")

    @_locked
    def check_app(self, app_id: str) -> None:
        """Reject requests for an app that does not exist."""
        self._app(app_id)

    @_locked
    def list_apps(
        self,
        *,
        page_no: int | None = None,
        per_page: int | None = None,
        search: str | None = None,
        sort_order: str | None = None,
    ) -> Page:
        """Apps of the account (A1)."""
        apps = [self._app_public(a) for a in self.store.list("app")]
        if search:
            apps = [a for a in apps if search.lower() in a["name"].lower()]
        apps = _ordered(apps, lambda a: a["created_at"], descending=sort_order != "ASC")
        return paginate(apps, page_no, per_page)

    @_locked
    def create_app(self, body: Any) -> dict[str, Any]:
        """Create an app with the default presets (A2); returns ``{"app": App}``."""
        data = validate_body(schemas.APP_CREATE, body)
        with self.store.transaction():
            doc = self._create_app_doc(self.new_id(), data["name"])
        return {"app": self._app_public(doc)}

    @_locked
    def get_app(self, app_id: str) -> dict[str, Any]:
        """One app."""
        return self._app_public(self._app(app_id))

    # -- meetings -----------------------------------------------------------------------------------
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
        for key in ("record_on_start", "live_stream_on_start"):  # null means "leave as is"
            if key in data and data[key] is None:
                data.pop(key)
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

    # -- presets ------------------------------------------------------------------------------------
    def _preset(self, app_id: str, preset_id: str) -> Doc:
        doc = self.store.get("preset", preset_id.lower(), app_id=app_id) if is_uuid(preset_id) else None
        if doc is None:
            raise NotFound(f"No preset found for preset_id {preset_id}")
        return doc

    def _preset_by_name(self, app_id: str, name: str, field: str = "preset_name") -> Doc:
        for doc in self.store.list("preset", app_id=app_id):
            if doc["name"] == name:
                return doc
        raise BadRequest(f'"{field}" must name an existing preset: no preset named {name!r}')

    def _check_preset_name_free(self, app_id: str, name: str, own_id: str | None = None) -> None:
        for doc in self.store.list("preset", app_id=app_id):
            if doc["name"] == name and doc["id"] != own_id:
                raise Conflict(f"A preset named {name!r} already exists")

    @staticmethod
    def _preset_public(doc: Doc) -> dict[str, Any]:
        keys = ("id", "name", "config", "permissions", "ui", "created_at", "updated_at")
        return {k: doc[k] for k in keys if k in doc}

    @_locked
    def list_presets(
        self,
        app_id: str,
        *,
        page_no: int | None = None,
        per_page: int | None = None,
        search: str | None = None,
    ) -> Page:
        """Preset summaries (PR1)."""
        docs = self.store.list("preset", app_id=app_id)
        if search:
            docs = [d for d in docs if search.lower() in d["name"].lower()]
        page = paginate(docs, page_no, per_page)
        page.items = [{k: d[k] for k in ("id", "name", "created_at", "updated_at")} for d in page.items]
        return page

    @_locked
    def create_preset(self, app_id: str, body: Any) -> dict[str, Any]:
        """Create a preset; every section is required (PR2)."""
        data = validate_body(schemas.PRESET, body)
        self._check_preset_name_free(app_id, data["name"])
        now = self._now_iso()
        doc = {"id": self.new_id(), **{k: data[k] for k in ("name", "config", "permissions", "ui")}}
        doc.update(created_at=now, updated_at=now)
        self.store.put("preset", doc, app_id=app_id)
        return self._preset_public(doc)

    @_locked
    def get_preset(self, app_id: str, preset_id: str) -> dict[str, Any]:
        """One preset (PR3)."""
        return self._preset_public(self._preset(app_id, preset_id))

    @_locked
    def update_preset(self, app_id: str, preset_id: str, body: Any) -> dict[str, Any]:
        """Deep-merge a partial preset; the result must still be a valid preset (PR4)."""
        doc = self._preset(app_id, preset_id)
        if not isinstance(body, dict):
            raise BadRequest('"value" must be of type object')
        patch = {k: v for k, v in body.items() if k in ("name", "config", "permissions", "ui")}
        merged = _deep_merge(self._preset_public(doc), patch)
        data = validate_body(schemas.PRESET, merged)
        return self._save_preset(app_id, doc, data)

    @_locked
    def replace_preset(self, app_id: str, preset_id: str, body: Any) -> dict[str, Any]:
        """Replace a preset (PR5)."""
        doc = self._preset(app_id, preset_id)
        data = validate_body(schemas.PRESET, body)
        return self._save_preset(app_id, doc, data)

    def _save_preset(self, app_id: str, doc: Doc, data: Mapping[str, Any]) -> dict[str, Any]:
        self._check_preset_name_free(app_id, data["name"], doc["id"])
        new = {"id": doc["id"], **{k: data[k] for k in ("name", "config", "permissions", "ui")}}
        new.update(created_at=doc["created_at"], updated_at=self._now_iso())
        with self.store.transaction():
            self.store.put("preset", new, app_id=app_id)
            if new["name"] != doc["name"]:
                for participant in self.store.list("participant", app_id=app_id):
                    if participant["preset_id"] == doc["id"]:
                        participant["preset_name"] = new["name"]
                        self.store.put(
                            "participant", participant, app_id=app_id, parent=participant["meeting_id"]
                        )
        return self._preset_public(new)

    @_locked
    def delete_preset(self, app_id: str, preset_id: str) -> dict[str, Any]:
        """Delete a preset and return it (PR6)."""
        doc = self._preset(app_id, preset_id)
        self.store.delete("preset", doc["id"])
        return self._preset_public(doc)

    # -- participants ------------------------------------------------------------------------------
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
        meeting = self.store.get("meeting", participant["meeting_id"])
        preset = self.store.get("preset", participant["preset_id"])
        return {
            "claims": claims,
            "participant": self._participant_public(participant),
            "meeting": self._meeting_public(meeting) if meeting else None,
            "preset": self._preset_public(preset) if preset else None,
            "app_id": app["id"],
        }

    # -- sessions and peers (live state) -----------------------------------------------------------
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

    def _active_session(self, app_id: str, meeting_id: str) -> Doc:
        meeting = self._meeting(app_id, meeting_id)
        session = self._live_session(meeting["id"])
        if session is None:
            raise NotFound(f"No active session found for meeting_id {meeting_id}")
        return session

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
        self.sink.emit(event, {"event": event, **payload})

    def _notify(self, notice: str, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            try:
                listener(notice, data)
            except Exception as exc:  # a broken listener must not break the API
                _log_failure(exc, f"listener on {notice}")

    def _start_session(self, app_id: str, meeting: Doc) -> Doc:
        if meeting["status"] != "ACTIVE":
            raise BadRequest(f"Meeting {meeting['id']} is INACTIVE: participants cannot join")
        now = self._now_iso()
        session = {
            "id": self.new_id(),
            "app_id": app_id,
            "meeting_id": meeting["id"],
            "status": "LIVE",
            "started_at": now,
            "created_at": now,
            "updated_at": now,
            "ended_at": None,
            "max_concurrent_participants": 0,
            "transcript_end_ms": None,
            "summary": None,
            "polls": [],
        }
        self.store.put("session", session, app_id=app_id, parent=meeting["id"])
        self._emit("meeting.started", {"meeting": self._meeting_event_object(session)})
        if meeting.get("record_on_start"):
            self._start_recording_doc(app_id, meeting, session, {}, reason="RECORD_ON_START")
        if meeting.get("live_stream_on_start"):
            stream = self._meeting_livestream(app_id, meeting)
            if stream["status"] not in ACTIVE_LIVESTREAM:
                self._livestream_invoke(app_id, stream, session)
        return session

    @_locked
    def join(
        self, app_id: str, meeting_id: str, participant_id: str, *, peer_id: str | None = None
    ) -> dict[str, Any]:
        """A participant's device joins the meeting: starts a session when none is LIVE.

        Returns ``{"peer_id", "session_id"}``. Used by the control plane and the live plane.
        """
        with self.store.transaction():
            participant = self._participant(app_id, meeting_id, participant_id)
            meeting = self._meeting(app_id, meeting_id)
            session = self._live_session(meeting["id"]) or self._start_session(app_id, meeting)
            return self._add_peer(app_id, session, participant, peer_id=peer_id)

    def _add_peer(
        self, app_id: str, session: Doc, participant: Doc, *, peer_id: str | None = None
    ) -> dict[str, Any]:
        self._cancel("session.end", session["id"])
        preset = self.store.get("preset", participant["preset_id"]) or {}
        now = self._now_iso()
        peer = {
            "id": peer_id or self.new_id(),
            "session_id": session["id"],
            "meeting_id": session["meeting_id"],
            "participant_id": participant["id"],
            "custom_participant_id": participant["custom_participant_id"],
            "display_name": participant.get("name") or participant["custom_participant_id"],
            "preset_name": participant["preset_name"],
            "preset_view_type": (preset.get("config") or {}).get("view_type"),
            "joined_at": now,
            "left_at": None,
            "muted": False,
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("peer", peer, app_id=app_id, parent=session["id"])
        session = self.store.get("session", session["id"]) or session
        session["max_concurrent_participants"] = max(
            session.get("max_concurrent_participants", 0), len(self._live_peers(session["id"]))
        )
        session["updated_at"] = now
        self.store.put("session", session, app_id=app_id, parent=session["meeting_id"])
        for rec in self.store.list("recording", parent=session["meeting_id"]):
            if rec["status"] in ACTIVE_RECORDING:
                self._cancel("recording.autostop", rec["id"])
        self._emit(
            "meeting.participantJoined",
            {"meeting": self._meeting_event_object(session), "participant": self._peer_event_object(peer)},
        )
        return {"peer_id": peer["id"], "session_id": session["id"]}

    @staticmethod
    def _peer_event_object(peer: Doc) -> dict[str, Any]:
        return _drop_none(
            {
                "peerId": peer["id"],
                "userDisplayName": peer["display_name"],
                "customParticipantId": peer["custom_participant_id"],
                "clientSpecificId": peer["custom_participant_id"],
                "joinedAt": peer["joined_at"],
                "leftAt": peer.get("left_at"),
            }
        )

    @_locked
    def leave(self, peer_id: str) -> None:
        """A peer leaves; the last one out starts the keep-alive countdown (live and control planes)."""
        with self.store.transaction():
            peer = self.store.get("peer", peer_id)
            if peer is None:
                raise NotFound(f"No peer found for peer_id {peer_id}")
            if peer.get("left_at") is None:
                self._peer_leave(peer)

    def _peer_leave(self, peer: Doc, *, schedule_end: bool = True) -> None:
        session = self.store.get("session", peer["session_id"])
        if session is None:  # pragma: no cover - peers never outlive their session
            return
        peer["left_at"] = peer["updated_at"] = self._now_iso()
        self.store.put("peer", peer, app_id=session["app_id"], parent=session["id"])
        self._emit(
            "meeting.participantLeft",
            {"meeting": self._meeting_event_object(session), "participant": self._peer_event_object(peer)},
        )
        if schedule_end and not self._live_peers(session["id"]) and session["status"] == "LIVE":
            meeting = self.store.get("meeting", session["meeting_id"]) or {}
            keep_alive = float(meeting.get("session_keep_alive_time_in_secs", 60))
            self._schedule("session.end", session["id"], session["app_id"], keep_alive)
            for rec in self.store.list("recording", parent=session["meeting_id"]):
                if rec["status"] in ACTIVE_RECORDING:
                    self._schedule(
                        "recording.autostop",
                        rec["id"],
                        session["app_id"],
                        NO_PEERS_RECORDING_STOP,
                        reason="ALL_PEERS_LEFT",
                    )

    def _end_session(self, session: Doc, reason: str) -> None:
        for peer in self._live_peers(session["id"]):
            self._peer_leave(peer, schedule_end=False)
        self._cancel("session.end", session["id"])
        now = self._now_iso()
        session = self.store.get("session", session["id"]) or session
        if (
            session["status"] not in SESSION_TRANSITIONS
            or "ENDED" not in SESSION_TRANSITIONS[session["status"]]
        ):
            return
        session.update(status="ENDED", ended_at=now, updated_at=now)
        self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
        stop_reason = "ALL_PEERS_LEFT" if reason == "ALL_PARTICIPANTS_LEFT" else "API_CALL"
        for rec in self.store.list("recording", parent=session["meeting_id"]):
            if rec["status"] in ACTIVE_RECORDING:
                self._recording_stop(rec, stop_reason)
        meeting = self.store.get("meeting", session["meeting_id"]) or {}
        stream = self._find_meeting_livestream(session["meeting_id"])
        if stream and stream["status"] in ACTIVE_LIVESTREAM:
            self._livestream_stop(stream)
        meeting_obj = self._meeting_event_object(session)
        self._notify(
            "session.ended",
            {"session_id": session["id"], "meeting_id": session["meeting_id"], "reason": reason},
        )
        self._emit("meeting.ended", {"meeting": meeting_obj, "reason": reason})
        if self._chat(session["id"]):
            url, expiry = self._signed_url("chat", session["id"])
            app = self.store.get("app", session["app_id"]) or {}
            self._emit(
                "meeting.chatSynced",
                _drop_none(
                    {
                        "sessionId": session["id"],
                        "meetingId": session["meeting_id"],
                        "title": meeting.get("title"),
                        "chatDownloadUrl": url,
                        "chatDownloadUrlExpiry": expiry,
                        "createdAt": session["created_at"],
                        "startedAt": session["started_at"],
                        "endedAt": session["ended_at"],
                        "organizedBy": {"id": session["app_id"], "name": app.get("name")},
                    }
                ),
            )
        has_transcript = bool(self._transcript(session["id"]))
        if has_transcript and meeting.get("transcribe_on_end"):
            url, expiry = self._signed_url("transcript-csv", session["id"])
            self._emit(
                "meeting.transcript",
                {"meeting": meeting_obj, "transcriptDownloadUrl": url, "transcriptDownloadUrlExpiry": expiry},
            )
        if has_transcript and meeting.get("summarize_on_end"):
            self._generate_summary(session)

    @_locked
    def end_session(
        self, app_id: str, session_id: str, *, reason: str = "HOST_ENDED_MEETING"
    ) -> dict[str, Any]:
        """End a LIVE session now (control plane; kick-all does the same)."""
        with self.store.transaction():
            session = self._session(app_id, session_id)
            if session["status"] == "LIVE":
                self._end_session(session, reason)
            return self._session_public(self._session(app_id, session_id))

    @_locked
    def add_chat_message(self, session_id: str, peer_id: str | None, text: str) -> dict[str, Any]:
        """Record a chat message in a session (control and live planes)."""
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if session is None:
                raise NotFound(f"No session found for session_id {session_id}")
            peer = self.store.get("peer", peer_id) if peer_id else None
            message = {
                "id": self.new_id(),
                "session_id": session_id,
                "meeting_id": session["meeting_id"],
                "peer_id": peer_id,
                "participant_id": peer["participant_id"] if peer else None,
                "display_name": peer["display_name"] if peer else None,
                "text": text,
                "created_at": self._now_iso(),
            }
            self.store.put("chat", message, app_id=session["app_id"], parent=session_id)
            return message

    @_locked
    def add_transcript_line(
        self,
        session_id: str,
        peer_id: str | None,
        text: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> dict[str, Any]:
        """Record one transcribed utterance (control and live planes)."""
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if session is None:
                raise NotFound(f"No session found for session_id {session_id}")
            peer = self.store.get("peer", peer_id) if peer_id else None
            last_end = session.get("transcript_end_ms")
            if start_ms is None:
                start_ms = last_end + 500 if last_end is not None else 0
            if end_ms is None:
                end_ms = start_ms + max(1000, 350 * len(text.split()))
            line = {
                "id": self.new_id(),
                "session_id": session_id,
                "start_ms": int(start_ms),
                "end_ms": int(end_ms),
                "peer_id": peer_id,
                "user_id": peer["participant_id"] if peer else None,
                "custom_participant_id": peer["custom_participant_id"] if peer else None,
                "name": peer["display_name"] if peer else None,
                "joined_at": peer["joined_at"] if peer else None,
                "left_at": peer.get("left_at") if peer else None,
                "text": text,
            }
            self.store.put("transcript_line", line, app_id=session["app_id"], parent=session_id)
            session["transcript_end_ms"] = max(int(end_ms), last_end or 0)
            self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
            return line

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

    # -- active session (moderation) ---------------------------------------------------------------
    @_locked
    def get_active_session(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """The LIVE session of a meeting (S1)."""
        return self._session_public(self._active_session(app_id, meeting_id))

    def _target_peers(self, session: Doc, data: Mapping[str, Any]) -> tuple[list[Doc], list[Doc]]:
        ids = [i.lower() for i in data.get("participant_ids") or []]
        cpids = list(data.get("custom_participant_ids") or [])
        if not ids and not cpids:
            raise BadRequest('"value" must contain at least one of [participant_ids, custom_participant_ids]')
        live = self._live_peers(session["id"])
        peers: list[Doc] = []
        participants: list[Doc] = []
        for wanted, key in [(i, "participant_id") for i in ids] + [
            (c, "custom_participant_id") for c in cpids
        ]:
            matched = [p for p in live if p[key] == wanted]
            if not matched:
                raise NotFound(f"No user found with id {wanted}")
            for peer in matched:
                if peer not in peers:
                    peers.append(peer)
                participant = self.store.get("participant", peer["participant_id"])
                if participant and participant not in participants:
                    participants.append(participant)
        return peers, participants

    @staticmethod
    def _kicked_public(doc: Doc) -> dict[str, Any]:
        return _drop_none(
            {
                "id": doc["id"],
                "name": doc.get("name"),
                "picture": doc.get("picture"),
                "created_at": doc["created_at"],
                "updated_at": doc["updated_at"],
            }
        )

    @_locked
    def kick(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Remove participants from the live session (S2)."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            data = validate_body(schemas.KICK, body)
            peers, participants = self._target_peers(session, data)
            for peer in peers:
                self._peer_leave(peer)
                self._notify(
                    "peer.kicked",
                    {"peer_id": peer["id"], "session_id": session["id"], "meeting_id": session["meeting_id"]},
                )
            return {"action": "kick", "participants": [self._kicked_public(p) for p in participants]}

    @_locked
    def kick_all(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """Remove everyone and end the session (S3)."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            count = len({p["participant_id"] for p in self._live_peers(session["id"])})
            self._end_session(session, "HOST_ENDED_MEETING")
            return {"action": "kick-all", "kicked_participants_count": count}

    @_locked
    def mute(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Mute participants (S4)."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            data = validate_body(schemas.KICK, body)
            peers, participants = self._target_peers(session, data)
            for peer in peers:
                peer["muted"] = True
                self.store.put("peer", peer, app_id=app_id, parent=session["id"])
                self._notify(
                    "peer.muted", {"peer_id": peer["id"], "session_id": session["id"], "allow_unmute": True}
                )
            return {"action": "mute", "participants": [self._kicked_public(p) for p in participants]}

    @_locked
    def mute_all(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Mute everyone (S5)."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            data = validate_body(schemas.MUTE_ALL, body if body is not None else {})
            live = self._live_peers(session["id"])
            for peer in live:
                peer.update(muted=True, can_unmute=bool(data.get("allow_unmute", False)))
                self.store.put("peer", peer, app_id=app_id, parent=session["id"])
                self._notify(
                    "peer.muted",
                    {"peer_id": peer["id"], "session_id": session["id"], "allow_unmute": peer["can_unmute"]},
                )
            return {"action": "mute-all", "muted_participants_count": len(live)}

    @_locked
    def create_poll(self, app_id: str, meeting_id: str, body: Any) -> dict[str, Any]:
        """Create a poll in the live session (S6)."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            data = validate_body(schemas.POLL, body)
            poll: dict[str, Any] = {
                "id": self.new_id(),
                "question": data["question"],
                "options": [{"text": text, "count": 0, "votes": []} for text in data["options"]],
                "anonymous": bool(data.get("anonymous", False)),
                "hide_votes": bool(data.get("hide_votes", False)),
                "created_by": app_id,
                "voted": [],
            }
            session["polls"].append(poll)
            self.store.put("session", session, app_id=app_id, parent=session["meeting_id"])
            self._notify("poll.created", {"session_id": session["id"], "poll": poll})
            return {"action": "create-poll", "poll": poll}

    # -- sessions (history) ------------------------------------------------------------------------
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

    def _signed_url(self, kind: str, target: str) -> tuple[str, str]:
        expiry = self.now() + timedelta(seconds=self.config.download_url_ttl)
        return self.file_url(kind, target, int(expiry.timestamp())), iso(expiry.replace(microsecond=0))

    def file_url(self, kind: str, target: str, expires: int) -> str:
        """The signed download URL of a file the emulator serves."""
        sig = tokens.sign_url(self.url_secret, f"{kind}/{target}/{expires}")
        return f"{self.base_url}/_emulator/files/{kind}/{target}?expires={expires}&sig={sig}"

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
        text = media.summarize(
            self._transcript(session["id"]),
            title=meeting.get("title"),
            text_format=text_format,
            word_limit=int(summarization.get("word_limit", 500)),
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

    # -- recordings ---------------------------------------------------------------------------------
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

    def _caller(self, app_id: str) -> dict[str, Any]:
        app = self.store.get("app", app_id) or {}
        return {"name": app.get("name", ""), "type": "ORGANIZATION"}

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

    # -- livestreams --------------------------------------------------------------------------------
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

    # -- analytics ----------------------------------------------------------------------------------
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

    # -- webhooks -----------------------------------------------------------------------------------
    def _webhook(self, app_id: str, webhook_id: str) -> Doc:
        doc = self.store.get("webhook", webhook_id.lower(), app_id=app_id) if is_uuid(webhook_id) else None
        if doc is None:
            raise NotFound(f"No webhook found for webhook_id {webhook_id}")
        return doc

    @staticmethod
    def _webhook_public(doc: Doc) -> dict[str, Any]:
        keys = ("id", "name", "url", "events", "enabled", "created_at", "updated_at")
        return {k: doc[k] for k in keys}

    @_locked
    def list_webhooks(self, app_id: str) -> list[dict[str, Any]]:
        """Every webhook of the app (W1)."""
        return [self._webhook_public(d) for d in self.store.list("webhook", app_id=app_id)]

    @_locked
    def create_webhook(self, app_id: str, body: Any) -> dict[str, Any]:
        """Register a webhook (W2)."""
        data = validate_body(schemas.webhook_body(partial=False), body)
        now = self._now_iso()
        doc = {
            "id": self.new_id(),
            "name": data["name"],
            "url": data["url"],
            "events": data["events"],
            "enabled": data.get("enabled", True),
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("webhook", doc, app_id=app_id)
        return self._webhook_public(doc)

    @_locked
    def get_webhook(self, app_id: str, webhook_id: str) -> dict[str, Any]:
        """One webhook (W3)."""
        return self._webhook_public(self._webhook(app_id, webhook_id))

    @_locked
    def update_webhook(
        self, app_id: str, webhook_id: str, body: Any, *, replace: bool = False
    ) -> dict[str, Any]:
        """Edit (W4) or replace (W5) a webhook."""
        doc = self._webhook(app_id, webhook_id)
        data = validate_body(schemas.webhook_body(partial=not replace), body)
        if replace:
            data.setdefault("enabled", True)
        for key in ("name", "url", "events", "enabled"):
            if key in data:
                doc[key] = data[key]
        doc["updated_at"] = self._now_iso()
        self.store.put("webhook", doc, app_id=app_id)
        return self._webhook_public(doc)

    @_locked
    def delete_webhook(self, app_id: str, webhook_id: str) -> dict[str, Any]:
        """Delete a webhook and return it (W6)."""
        doc = self._webhook(app_id, webhook_id)
        self.store.delete("webhook", doc["id"])
        return self._webhook_public(doc)

    @staticmethod
    def webhook_events() -> list[str]:
        """Every webhook event name (W7)."""
        return list(WEBHOOK_EVENTS)

    @_locked
    def webhooks_for_event(
        self, event: str, payload: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The enabled webhooks subscribed to ``event`` of the app that produced ``payload``."""
        app_id = _payload_app(payload or {})
        docs = self.store.list("webhook", app_id=app_id) if app_id else self.store.list("webhook")
        return [self._webhook_public(d) for d in docs if d["enabled"] and event in d["events"]]

    # -- control plane --------------------------------------------------------------------------------
    @_locked
    def reset(self) -> None:
        """Forget every resource; the identity, the apps' secrets and the default app stay."""
        with self.store.transaction():
            default_app = self.store.get("app", self.app_id)
            self.store.clear_docs()
            if default_app is not None:
                self.store.put("app", default_app, app_id=self.app_id)
                now = self._now_iso()
                for preset_name, view_type, host in DEFAULT_PRESETS:
                    body = default_preset_body(preset_name, view_type, host)
                    self.store.put(
                        "preset",
                        {"id": self.new_id(), **body, "created_at": now, "updated_at": now},
                        app_id=self.app_id,
                    )

    @_locked
    def state(self) -> dict[str, Any]:
        """Counts and ids of everything stored (inspection)."""
        out: dict[str, Any] = {
            "account_id": self.account_id,
            "app_id": self.app_id,
            "now": self._now_iso(),
            "counts": {},
            "ids": {},
        }
        for kind in self.store.kinds():
            docs = self.store.list(kind)
            out["counts"][kind] = len(docs)
            out["ids"][kind] = [d["id"] for d in docs]
        return out

    @_locked
    def seed_session(self, app_id: str, body: Any) -> dict[str, Any]:
        """Create a session for a meeting with participants, chat and transcript lines (control plane).

        Body: ``{meeting_id, participants: [{participant_id} | {custom_participant_id, name?,
        preset_name?}], chat: [{participant: <index|custom id|participant id>, text}],
        transcript: [{participant, text, start_ms?, end_ms?}], end?: bool}``.
        """
        spec = Obj(
            fields={
                "meeting_id": Str(required=True, guid=True),
                "participants": Arr(
                    Obj(
                        fields={
                            "participant_id": Str(guid=True),
                            "custom_participant_id": Str(min_len=1),
                            "name": Str(nullable=True),
                            "preset_name": Str(min_len=1),
                            "leave": Bool(),
                        }
                    ),
                    min_items=1,
                ),
                "chat": Arr(Obj(fields={"participant": Any_(), "text": Str(required=True)})),
                "transcript": Arr(
                    Obj(
                        fields={
                            "participant": Any_(),
                            "text": Str(required=True),
                            "start_ms": Num(integer=True, minimum=0),
                            "end_ms": Num(integer=True, minimum=0),
                        }
                    )
                ),
                "end": Bool(),
            }
        )
        data = validate_body(spec, body)
        self._check_seed_refs(data)
        with self.store.transaction():
            meeting = self._meeting(app_id, data["meeting_id"])
            joined: list[dict[str, Any]] = []
            entries = data.get("participants") or [
                {"custom_participant_id": "seed-host", "name": "Host", "preset_name": "group_call_host"}
            ]
            for i, entry in enumerate(entries):
                participant = self._seed_participant(app_id, meeting, entry, i)
                result = self.join(app_id, meeting["id"], participant["id"])
                joined.append(
                    {
                        **result,
                        "participant_id": participant["id"],
                        "custom_participant_id": participant["custom_participant_id"],
                    }
                )
            session_id = joined[0]["session_id"]

            def peer_for(ref: Any) -> str | None:
                if ref is None:
                    return str(joined[0]["peer_id"])
                if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(joined):
                    return str(joined[ref]["peer_id"])
                for j in joined:
                    if ref in (j["participant_id"], j["custom_participant_id"], j["peer_id"]):
                        return str(j["peer_id"])
                raise BadRequest(f'"participant" {ref!r} does not name a seeded participant')

            for line in data.get("chat") or []:
                self.add_chat_message(session_id, peer_for(line.get("participant")), line["text"])
            for line in data.get("transcript") or []:
                self.add_transcript_line(
                    session_id,
                    peer_for(line.get("participant")),
                    line["text"],
                    start_ms=line.get("start_ms"),
                    end_ms=line.get("end_ms"),
                )
            for entry, j in zip(entries, joined, strict=True):
                if entry.get("leave"):
                    self.leave(j["peer_id"])
            if data.get("end"):
                self._end_session(self._session(app_id, session_id), "HOST_ENDED_MEETING")
            return {"session": self._session_public(self._session(app_id, session_id)), "peers": joined}

    @staticmethod
    def _check_seed_refs(data: Mapping[str, Any]) -> None:
        entries = data.get("participants") or [{"custom_participant_id": "seed-host"}]
        names: set[Any] = set()
        for i, entry in enumerate(entries):
            names.add(entry.get("participant_id") or entry.get("custom_participant_id") or f"seed-{i + 1}")
            names.add(entry.get("custom_participant_id") or f"seed-{i + 1}")
        for line in [*(data.get("chat") or []), *(data.get("transcript") or [])]:
            ref = line.get("participant")
            if ref is None or (
                isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(entries)
            ):
                continue
            if isinstance(ref, str) and (ref in names or any(e.get("participant_id") for e in entries)):
                continue
            raise BadRequest(f'"participant" {ref!r} does not name a seeded participant')

    def _seed_participant(self, app_id: str, meeting: Doc, entry: Mapping[str, Any], index: int) -> Doc:
        if entry.get("participant_id"):
            return self._participant(app_id, meeting["id"], entry["participant_id"])
        custom = entry.get("custom_participant_id") or f"seed-{index + 1}"
        for doc in self.store.list("participant", parent=meeting["id"]):
            if doc["custom_participant_id"] == custom:
                return doc
        body = {
            "custom_participant_id": custom,
            "preset_name": entry.get("preset_name")
            or ("group_call_host" if index == 0 else "group_call_participant"),
            "name": entry.get("name") or custom,
        }
        created = self.add_participant(app_id, meeting["id"], body)
        participant = self.store.get("participant", created["id"])
        assert participant is not None
        return participant

    def export_file(self, kind: str, target: str) -> tuple[bytes, str, str]:
        """The bytes, media type and file name of a served file (after its URL was verified)."""
        with self._lock:
            if kind in ("recording", "recording-audio"):
                doc = self.store.get("recording", target)
                data = self.recording_file(target)
                name = doc["output_file_name"] if doc else f"{target}.wav"
                return data, "audio/wav", name if kind == "recording" else name.replace(".wav", "_audio.wav")
            session = self.store.get("session", target)
            if session is None:
                raise NotFound(f"No session found for session_id {target}")
            if kind == "chat":
                return (
                    media.chat_csv(self._chat(target)).encode(),
                    "text/csv; charset=utf-8",
                    f"{target}_chat.csv",
                )
            if kind.startswith("transcript-"):
                fmt = kind.split("-", 1)[1].upper()
                render, media_type, ext = media.TRANSCRIPT_RENDERERS[fmt]
                return render(self._transcript(target)).encode(), media_type, f"{target}_transcript.{ext}"
            if kind == "summary":
                summary = session.get("summary")
                if not summary:
                    raise NotFound(f"No summary found for session_id {target}")
                markdown = summary["format"] == "markdown"
                return (
                    summary["text"].encode(),
                    "text/markdown; charset=utf-8" if markdown else "text/plain; charset=utf-8",
                    f"{target}_summary.{'md' if markdown else 'txt'}",
                )
        raise NotFound(f"Unknown file kind {kind}")

    def verify_file_signature(self, kind: str, target: str, expires: str | None, sig: str | None) -> None:
        """Check a download URL's signature and expiry; raises ``Forbidden``."""
        if kind not in FILE_KINDS or not expires or not sig or not expires.isdigit():
            raise Forbidden("Invalid or missing download signature")
        expected = tokens.sign_url(self.url_secret, f"{kind}/{target}/{expires}")
        if not secrets.compare_digest(expected, sig):
            raise Forbidden("Invalid download signature")
        if int(expires) <= self.now().timestamp():
            raise Forbidden("Download URL has expired")

    def livestream_playlist(self, livestream_id: str) -> str:
        """The HLS playlist behind a livestream's playback URL."""
        with self._lock:
            if self.store.get("livestream", livestream_id) is None:
                raise NotFound(f"No livestream found for livestream_id {livestream_id}")
        return media.hls_playlist()

    @staticmethod
    def parse_participants_range(raw: str | None) -> tuple[int | None, int | None] | None:
        """Parse the sessions ``participants`` filter ``"min:max"`` (either side may be empty)."""
        if raw is None or raw == "":
            return None
        low, sep, high = raw.partition(":")
        try:
            lo = int(low) if low else None
            hi = int(high) if sep and high else (lo if not sep else None)
        except ValueError:
            raise BadRequest('"participants" must be a range like "1:10"') from None
        return lo, hi

    def iter_all_webhooks(self) -> Iterable[dict[str, Any]]:
        """Every webhook of every app (for delivery diagnostics)."""
        with self._lock:
            return [self._webhook_public(d) for d in self.store.list("webhook")]


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
