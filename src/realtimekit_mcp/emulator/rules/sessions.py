"""Live sessions: peers joining and leaving, keep-alive, ending, chat and transcript lines, moderation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import schemas
from ..errors import BadRequest, Conflict, NotFound
from ..store import Doc
from ..validation import validate_body
from .base import (
    ACTIVE_LIVESTREAM,
    ACTIVE_RECORDING,
    NO_PEERS_RECORDING_STOP,
    SESSION_TRANSITIONS,
    RulesBase,
    _drop_none,
    _locked,
)


class SessionRules(RulesBase):
    """Live sessions: peers joining and leaving, keep-alive, ending, chat and transcript lines, moderation."""

    def _active_session(self, app_id: str, meeting_id: str) -> Doc:
        meeting = self._meeting(app_id, meeting_id)
        session = self._live_session(meeting["id"])
        if session is None:
            raise NotFound(f"No active session found for meeting_id {meeting_id}")
        return session

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
        for rec in self.store.list("recording", parent=meeting["id"]):
            if rec["status"] in ACTIVE_RECORDING and rec.get("session_id") is None:
                rec["session_id"] = session[
                    "id"
                ]  # a recording started before anyone joined records this session
                self.store.put("recording", rec, app_id=app_id, parent=meeting["id"])
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
        self._notify("peer.joined", self._peer_notice(peer, participant))
        return {"peer_id": peer["id"], "session_id": session["id"]}

    def _peer_notice(self, peer: Doc, participant: Doc | None = None) -> dict[str, Any]:
        """What listeners (the Agent Participant socket) learn about a peer joining or leaving."""
        if participant is None:
            participant = self.store.get("participant", peer["participant_id"]) or {}
        return {
            "peer_id": peer["id"],
            "session_id": peer["session_id"],
            "meeting_id": peer["meeting_id"],
            "participant_id": peer["participant_id"],
            "custom_participant_id": peer["custom_participant_id"],
            "display_name": peer["display_name"],
            "picture": participant.get("picture"),
            "preset_id": participant.get("preset_id"),
            "preset_name": peer["preset_name"],
        }

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
        self._notify("peer.left", self._peer_notice(peer))
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
        if session.get("transcribed_live"):
            return  # the live transcriber finishes its utterances first: complete_live_transcription
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
    def active_transcript(self, app_id: str, meeting_id: str) -> dict[str, Any]:
        """The transcript so far of a meeting's LIVE session (client API ``active-transcript``)."""
        session = self._active_session(app_id, meeting_id)
        url, expiry = self._signed_url("transcript-csv", session["id"])
        return {
            "session_id": session["id"],
            "transcript_download_url": url,
            "transcript_download_url_expiry": expiry,
        }

    @_locked
    def begin_live_transcription(self, session_id: str) -> None:
        """The emulator transcribes this session live: its end waits for :meth:`complete_live_transcription`."""
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if session is not None and not session.get("transcribed_live"):
                session["transcribed_live"] = True
                self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])

    @_locked
    def complete_live_transcription(self, session_id: str) -> None:
        """The live transcript of an ENDED session is complete: fire ``meeting.transcript`` (when
        there is one) and make the summary when the meeting has ``summarize_on_end``."""
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if (
                session is None
                or session["status"] != "ENDED"
                or not session.get("transcribed_live")
                or session.get("transcript_completed")
            ):
                return
            session["transcript_completed"] = True
            self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
            if not self._transcript(session_id):
                return
            meeting = self.store.get("meeting", session["meeting_id"]) or {}
            url, expiry = self._signed_url("transcript-csv", session_id)
            self._emit(
                "meeting.transcript",
                {
                    "meeting": self._meeting_event_object(session),
                    "transcriptDownloadUrl": url,
                    "transcriptDownloadUrlExpiry": expiry,
                },
            )
            if meeting.get("summarize_on_end"):
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
    def add_chat_message(
        self,
        session_id: str,
        peer_id: str | None,
        text: str,
        *,
        payload_type: int = 0,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        """Record a chat message in a session (control and live planes).

        ``payload_type`` is the socket's (0 text, 1 image, 2 file; for 1 and 2 ``text`` is the
        download URL); ``targets`` are the participant ids of a private message (None: the room).
        """
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
            if payload_type:
                message["payload_type"] = payload_type
            if targets is not None:
                message["targets"] = list(targets)
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
        live: bool = False,
    ) -> dict[str, Any]:
        """Record one transcribed utterance (control and live planes).

        ``live`` marks the session as transcribed by the emulator's live transcription, which makes
        the session end fire ``meeting.transcript`` even without ``transcribe_on_end``.
        """
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
            if live:
                session["transcribed_live"] = True
            self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
            return line

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
            self._notify(
                "session.kick_all", {"session_id": session["id"], "meeting_id": session["meeting_id"]}
            )
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
        """Create a poll in the live session (S6); the live plane pushes it to everyone in the room."""
        with self.store.transaction():
            session = self._active_session(app_id, meeting_id)
            data = validate_body(schemas.POLL, body)
            poll = self._add_poll(
                session,
                question=data["question"],
                options=list(data["options"]),
                anonymous=bool(data.get("anonymous", False)),
                hide_votes=bool(data.get("hide_votes", False)),
                created_by=app_id,
                origin="rest",
            )
            return {"action": "create-poll", "poll": poll_public(poll)}

    def _add_poll(
        self,
        session: Doc,
        *,
        question: str,
        options: list[str],
        anonymous: bool,
        hide_votes: bool,
        created_by: str,
        created_by_user_id: str | None = None,
        origin: str,
    ) -> dict[str, Any]:
        poll: dict[str, Any] = {
            "id": self.new_id(),
            "question": question,
            "options": [{"text": text, "count": 0, "votes": []} for text in options],
            "anonymous": anonymous,
            "hide_votes": hide_votes,
            "created_by": created_by,
            "voted": [],
        }
        if created_by_user_id:
            poll["created_by_user_id"] = created_by_user_id
        session.setdefault("polls", []).append(poll)
        self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
        self._notify(
            "poll.created",
            {
                "session_id": session["id"],
                "meeting_id": session["meeting_id"],
                "poll": poll,
                "origin": origin,
            },
        )
        return poll

    @_locked
    def create_live_poll(
        self,
        session_id: str,
        *,
        question: str,
        options: list[str],
        anonymous: bool,
        hide_votes: bool,
        created_by: str,
        created_by_user_id: str,
    ) -> dict[str, Any]:
        """A participant creates a poll over the socket (live plane). Returns the stored poll.

        Raises BadRequest for an empty question, fewer than two options, an empty option, or
        more than :data:`MAX_POLL_OPTIONS` options.
        """
        question = question.strip()
        if not question:
            raise BadRequest("A poll needs a question")
        if len(question) > MAX_POLL_TEXT:
            raise BadRequest(f"The question is longer than {MAX_POLL_TEXT} characters")
        texts = [text.strip() for text in options]
        if len(texts) < 2:
            raise BadRequest("A poll needs at least two options")
        if len(texts) > MAX_POLL_OPTIONS:
            raise BadRequest(f"A poll has at most {MAX_POLL_OPTIONS} options")
        if any(not text or len(text) > MAX_POLL_TEXT for text in texts):
            raise BadRequest(f"Every poll option needs 1 to {MAX_POLL_TEXT} characters")
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if session is None or session["status"] != "LIVE":
                raise NotFound(f"No live session {session_id}")
            return self._add_poll(
                session,
                question=question,
                options=texts,
                anonymous=anonymous,
                hide_votes=hide_votes,
                created_by=created_by,
                created_by_user_id=created_by_user_id,
                origin="live",
            )

    @_locked
    def vote_poll(
        self, session_id: str, poll_id: str, index: int, *, participant_id: str, name: str
    ) -> dict[str, Any]:
        """A participant votes for option ``index`` of a poll (live plane). Returns the stored poll.

        Raises NotFound (no such poll in the session), BadRequest (no such option) or Conflict
        (this participant has voted on this poll already: one vote each).
        """
        with self.store.transaction():
            session = self.store.get("session", session_id)
            if session is None:
                raise NotFound(f"No session {session_id}")
            poll: dict[str, Any] | None = next(
                (p for p in session.get("polls") or [] if p["id"] == poll_id), None
            )
            if poll is None:
                raise NotFound(f"No poll {poll_id!r} in this session")
            if not 0 <= index < len(poll["options"]):
                raise BadRequest(
                    f"Poll {poll_id} has options 0 to {len(poll['options']) - 1}; there is no option {index}"
                )
            if participant_id in poll["voted"]:
                raise Conflict(f"This participant has already voted on poll {poll_id}")
            option = poll["options"][index]
            option["votes"].append({"id": participant_id, "name": name})
            option["count"] = len(option["votes"])
            poll["voted"].append(participant_id)
            self.store.put("session", session, app_id=session["app_id"], parent=session["meeting_id"])
            return poll

    @_locked
    def session_polls(self, session_id: str) -> list[dict[str, Any]]:
        """Every poll of a session as stored (votes included even for anonymous polls)."""
        session = self.store.get("session", session_id.lower())
        if session is None:
            raise NotFound(f"No session found for session_id {session_id}")
        return [dict(p) for p in session.get("polls") or []]

    @_locked
    def live_polls(self, meeting_id: str) -> dict[str, Any]:
        """``{"session_id", "polls"}`` of a meeting's LIVE session (polls in the REST ``Poll`` shape)."""
        session = self._live_session(meeting_id.lower())
        if session is None:
            raise NotFound(f"No active session found for meeting_id {meeting_id}")
        return {"session_id": session["id"], "polls": [poll_public(p) for p in session.get("polls") or []]}


MAX_POLL_OPTIONS = 20
"""Options a poll created over the socket may have (the emulator's limit)."""
MAX_POLL_TEXT = 1000
"""Characters of a poll question or option created over the socket (the emulator's limit)."""


def poll_public(poll: Mapping[str, Any]) -> dict[str, Any]:
    """A poll as RealtimeKit's REST ``Poll`` object: anonymous polls carry no voter names."""
    anonymous = bool(poll.get("anonymous"))
    return {
        "id": poll["id"],
        "question": poll["question"],
        "options": [
            {
                "text": option["text"],
                "count": option["count"],
                "votes": [] if anonymous else [dict(v) for v in option["votes"]],
            }
            for option in poll["options"]
        ],
        "anonymous": anonymous,
        "hide_votes": bool(poll.get("hide_votes")),
        "created_by": poll.get("created_by"),
        "voted": list(poll.get("voted") or []),
    }
