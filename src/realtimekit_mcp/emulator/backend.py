"""The emulator's rules: every resource, state machine and lifecycle of RealtimeKit, without HTTP.

``EmulatorBackend`` combines the rules mixins of ``emulator/rules/`` (one per resource group) with
identity, clock/timers, apps and the control plane. Routes parse a request, call one method here
and serialise what it returns; methods return the public (API-shaped) dictionaries directly.
Timed transitions (recording start/upload, session keep-alive, livestream start) are stored as
timers and run by ``tick``/``advance`` against the injectable clock, so tests drive time explicitly.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from .. import _redact
from . import media, schemas, tokens
from .config import EmulatorConfig, system_clock
from .errors import BadRequest, Forbidden, NotFound
from .events import EventSink, NullEventSink
from .presets import DEFAULT_PRESETS, default_preset_body
from .rules.analytics import AnalyticsRules
from .rules.base import (
    ACTIVE_RECORDING,
    FILE_KINDS,
    MAX_PER_PAGE,
    InvalidToken,
    Page,
    RulesBase,
    _locked,
    _log_failure,
    _ordered,
    iso,
    paginate,
    parse_iso,
)
from .rules.history import SessionHistoryRules
from .rules.livestreams import LivestreamRules
from .rules.meetings import MeetingRules
from .rules.presets import PresetRules
from .rules.recordings import RecordingRules
from .rules.sessions import SessionRules
from .rules.webhooks import WebhookRules
from .store import Doc, Store
from .validation import Any_, Arr, Bool, Num, Obj, Str, validate_body

__all__ = ["MAX_PER_PAGE", "EmulatorBackend", "InvalidToken", "Page", "iso", "paginate", "parse_iso"]


class EmulatorBackend(
    SessionRules,
    SessionHistoryRules,
    RecordingRules,
    LivestreamRules,
    MeetingRules,
    PresetRules,
    AnalyticsRules,
    WebhookRules,
    RulesBase,
):
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

    def publish(self, notice: str, data: dict[str, Any]) -> None:
        """Tell the listeners about a live-plane happening (``producer.created``, ``broadcast.sent``).

        Runs after the current transaction commits (now when there is none); listeners must not block.
        """
        self._notify(notice, data)

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
        self._notify("emulator.reset", {})

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
