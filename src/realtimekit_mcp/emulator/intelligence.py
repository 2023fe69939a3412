"""Meeting intelligence of the emulator: server-side transcription and offline summaries.

**Transcription.** When a participant publishes audio through the SFU, :class:`MeetingTranscriber`
taps the producer (a subscriber of its Opus forwarder: no extra decoding in the SFU), decodes the
Opus packets to 48 kHz mono PCM and feeds :class:`realtimekit_mcp.speech.listen.TranscriptionPipeline`
(VAD segmentation on the loop, speech-to-text in worker threads, bounded queue: when STT falls
behind, the oldest utterance is dropped, media is never blocked). Each final utterance is

* stored as a transcript line of the session (the CSV/JSON/SRT/VTT exports carry it),
* pushed to the room's peers on the socket as event 32 (``socket.ai.MeetingTranscript``),
* sent to Agent Participant connections as ``transcript.received``.

Which speakers are transcribed (the emulator's rule, LIMITATIONS.md "Meeting intelligence"): a
speaker whose preset has ``permissions.transcription_enabled: true`` is transcribed live (pushed
and stored); when the meeting has ``transcribe_on_end: true`` every speaker is transcribed and
stored, pushed only for the speakers whose preset enables transcription. At session end the
pending utterances are transcribed first, then ``meeting.transcript`` fires (and the summary is
made when ``summarize_on_end`` is set).

Engines come from the speech registry, chosen by ``EmulatorConfig.stt_engine``/``vad_engine``
(``"test"`` in unit tests). Without the ``speech`` extra, transcription is off (one warning).

**Summaries.** :func:`summarize` is extractive and offline: main points (the most representative
sentences), speakers with their share of the talk, topics, and the action items it can detect
(commitments, requests and deadlines), in markdown or plain text within a word limit.

Imports nothing heavy at module level: aiortc, av and the speech engines load on the first tapped
producer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from realtimekit_mcp.speech.listen import TranscriptionPipeline, TranscriptSegment

    from .backend import EmulatorBackend
    from .config import EmulatorConfig
    from .edge import LivePlane

__all__ = [
    "DRAIN_BOUND",
    "MeetingTranscriber",
    "close_intelligence",
    "install_intelligence",
    "intelligence_routes",
    "mask_profanity",
    "summarize",
    "transcript_push_json",
]

logger = logging.getLogger(__name__)

EARLY_AUDIO_BYTES: Final = 30 * 48_000 * 2
"""Audio (30 s of 48 kHz mono) a tap keeps while the speech engines load on first use."""
DRAIN_BOUND: Final = 60.0
"""Seconds a session end waits for its pending utterances before firing ``meeting.transcript``."""

# ---------------------------------------------------------------------------------------------------
# Summaries (pure)
# ---------------------------------------------------------------------------------------------------

_STOP_TEXT: Final = """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further get
    got had has have having he her here hers herself him himself his how i if in into is it its itself
    just let lets like me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own really right same she should so some such than that thats the their theirs
    them themselves then there these they this those through to too under until up us very was we were
    what when where which while who whom why will with would yeah yes you your yours yourself
    yourselves okay ok um uh going gonna think know want need well one two thing things maybe sure
    im ill ive youre were theyre dont didnt doesnt cant wont isnt"""
_STOP_WORDS: Final = frozenset(_STOP_TEXT.split())
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'-]*")
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+")
_DAYS: Final = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today|"
    r"next week|next month|end of (?:the )?(?:day|week|month)|eod|eow|the weekend|noon|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm)"
)
_DUE: Final = re.compile(rf"\b(?:by|before|until|on|due)\s+((?:{_DAYS}))\b", re.IGNORECASE)
_COMMIT: Final = re.compile(
    r"\b(?:i|we|you|he|she|they|[A-Z][a-z]+)\s*(?:will|'ll|shall|am going to|are going to|is going to|"
    r"need to|needs to|have to|has to|must|should|plan to|promise to|can take|'m going to|'re going to)\s+"
    r"(?!be\b|not\b|probably\b|see\b)",
    re.IGNORECASE,
)
_REQUEST: Final = re.compile(
    r"\b(?:let's|let us|please|can you|could you|would you|make sure|don't forget|remember to|"
    r"action item|to-?do|follow[- ]up on|follow up with|assign(?:ed)? to)\b",
    re.IGNORECASE,
)
_FIRST_PERSON: Final = re.compile(r"^\s*(?:ok(?:ay)?,?\s*|so,?\s*|and\s+)?(?:i|i'll|i'm)\b", re.IGNORECASE)

_TYPE_LABELS: Final = {
    "general": "Meeting",
    "team_meeting": "Team meeting",
    "sales_call": "Sales call",
    "client_check_in": "Client check-in",
    "interview": "Interview",
    "daily_standup": "Daily stand-up",
    "one_on_one_meeting": "One-on-one",
    "lecture": "Lecture",
    "code_review": "Code review",
}


@dataclass(frozen=True)
class _Sentence:
    index: int
    speaker: str
    text: str
    start_ms: int


@dataclass(frozen=True)
class ActionItem:
    """A detected action item: who (when it can tell), what, and a due phrase if one was said."""

    owner: str | None
    text: str
    due: str | None
    speaker: str


def _sentences(lines: Sequence[dict[str, Any]]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for line in lines:
        speaker = str(line.get("name") or line.get("custom_participant_id") or "Unknown")
        for part in _SENTENCE.split(str(line.get("text") or "").strip()):
            part = part.strip()
            if part:
                out.append(_Sentence(len(out), speaker, part, int(line.get("start_ms") or 0)))
    return out


def _content_words(text: str) -> list[str]:
    return [w for w in (m.lower().strip("'-") for m in _WORD.findall(text)) if w and w not in _STOP_WORDS]


def detect_action_items(lines: Sequence[dict[str, Any]]) -> list[ActionItem]:
    """Commitments (``I'll send...``, ``Bob will...``), requests (``can you...``, ``let's...``) and
    deadlines (``by Friday``) in the transcript, in order, one per sentence."""
    speakers = {str(line.get("name") or "") for line in lines} - {""}
    first_names = {name.split()[0].lower(): name for name in speakers}
    items: list[ActionItem] = []
    for sentence in _sentences(lines):
        text = sentence.text
        if len(_WORD.findall(text)) < 3:
            continue
        commit = _COMMIT.search(text)
        request = _REQUEST.search(text)
        due = _DUE.search(text)
        if not (commit or request or (due and text.rstrip().endswith((".", "!")))):
            continue
        if commit and not request and text.rstrip().endswith("?"):
            continue  # "will it work?" is a question, not a commitment
        owner: str | None = None
        subject = commit.group(0).split()[0].lower() if commit else ""
        if subject in ("i", "i'll", "i'm") or _FIRST_PERSON.match(text):
            owner = sentence.speaker
        elif subject in ("we", "let's") or (request and request.group(0).lower() in ("let's", "let us")):
            owner = "Everyone"
        elif subject in first_names:
            owner = first_names[subject]
        else:
            for first, full in first_names.items():
                if re.search(rf"\b{re.escape(first)}\b", text, re.IGNORECASE) and full != sentence.speaker:
                    owner = full
                    break
        items.append(ActionItem(owner, text, due.group(1) if due else None, sentence.speaker))
    return items


def summarize(
    lines: Sequence[dict[str, Any]],
    *,
    title: str | None,
    text_format: str = "markdown",
    word_limit: int = 500,
    summary_type: str = "general",
) -> str:
    """An extractive, deterministic summary of transcript lines (``{name, text, start_ms, ...}``).

    Sections: participants with their share of the words, topics (most frequent content words),
    main points (the sentences scoring highest on the transcript's content-word frequencies, in the
    order they were said, at most about one per 60 words of ``word_limit``), and action items
    (:func:`detect_action_items`). The main points and action items stay within ``word_limit``
    words. ``text_format`` is ``markdown`` or ``plain_text``.
    """
    heading = title or _TYPE_LABELS.get(summary_type, "Meeting")
    sentences = _sentences(lines)
    words_by_speaker: Counter[str] = Counter()
    for s in sentences:
        words_by_speaker[s.speaker] += len(_WORD.findall(s.text))
    speakers = list(dict.fromkeys(s.speaker for s in sentences)) or list(
        dict.fromkeys(str(line.get("name") or "Unknown") for line in lines)
    )
    total_words = sum(words_by_speaker.values()) or 1
    counts: Counter[str] = Counter(w for s in sentences for w in _content_words(s.text))

    def score(sentence: _Sentence) -> float:
        words = _content_words(sentence.text)
        if len(words) < 2:
            return 0.0
        # only words the meeting came back to count: one-off chatter scores nothing
        return sum(counts[w] for w in set(words) if counts[w] > 1) / math.sqrt(len(words))

    actions = detect_action_items(lines)
    budget = max(20, word_limit)
    action_words = 0
    kept_actions: list[ActionItem] = []
    for item in actions:
        n = len(item.text.split())
        if action_words + n > budget // 2 and kept_actions:
            break
        kept_actions.append(item)
        action_words += n
    action_texts = {item.text for item in kept_actions}
    max_points = max(3, min(10, word_limit // 60))
    ranked = sorted(
        (s for s in sentences if score(s) > 0 and s.text not in action_texts),
        key=lambda s: (-score(s), s.index),
    )
    if not ranked:  # nothing recurs (a very short meeting): its longest sentences
        ranked = sorted(
            (s for s in sentences if s.text not in action_texts),
            key=lambda s: (-len(_content_words(s.text)), s.index),
        )[:3]
    chosen: list[_Sentence] = []
    used = action_words
    for sentence in ranked:
        n = len(sentence.text.split())
        if len(chosen) >= max_points or used + n > budget:
            continue
        chosen.append(sentence)
        used += n
    chosen.sort(key=lambda s: s.index)
    topics = [w for w, _ in counts.most_common(6)]
    share = [f"{name} ({round(100 * words_by_speaker[name] / total_words)}%)" for name in speakers]
    kind = _TYPE_LABELS.get(summary_type, "Meeting")

    def action_line(item: ActionItem) -> str:
        who = f"{item.owner}: " if item.owner else ""
        due = f" (due: {item.due})" if item.due else ""
        return f"{who}{item.text}{due}"

    points = [f"{s.speaker}: {s.text}" for s in chosen]
    if text_format == "plain_text":
        parts = [f"Summary of {heading}", f"Type: {kind}", f"Participants: {', '.join(share) or 'none'}"]
        if topics:
            parts.append(f"Topics: {', '.join(topics)}")
        parts.append("Main points:")
        parts.extend(f"- {p}" for p in points)
        if not points:
            parts.append("- No discussion was transcribed.")
        parts.append("Action items:")
        parts.extend(f"- {action_line(a)}" for a in kept_actions)
        if not kept_actions:
            parts.append("- None detected.")
        return "\n".join(parts) + "\n"
    out = [
        f"# Summary of {heading}",
        "",
        f"**Type:** {kind}",
        "",
        f"**Participants:** {', '.join(speakers) or 'none'}",
        "",
    ]
    if topics:
        out += [f"**Topics:** {', '.join(topics)}", ""]
    out.append("## Main points")
    out.extend(f"- {p}" for p in points)
    if not points:
        out.append("- No discussion was transcribed.")
    out += ["", "## Action items"]
    out.extend(f"- [ ] {action_line(a)}" for a in kept_actions)
    if not kept_actions:
        out.append("- None detected.")
    out += ["", "## Speakers"]
    out.extend(f"- {s}" for s in share)
    return "\n".join(out) + "\n"


_PROFANITY: Final = re.compile(
    r"\b(?:fuck\w*|motherfuck\w*|shit\w*|bullshit|bitch\w*|asshole\w*|bastard\w*|"
    r"dickhead\w*|cunt\w*|piss(?:ed)?|crap(?:py)?|damn(?:ed|it)?|goddamn\w*)\b",
    re.IGNORECASE,
)


def mask_profanity(text: str) -> str:
    """``ai_config.transcription.profanity_filter``: common English profanities keep their first
    letter, the rest becomes ``*`` (``"this is shit"`` -> ``"this is s***"``)."""
    return _PROFANITY.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


# ---------------------------------------------------------------------------------------------------
# Transcription (live)
# ---------------------------------------------------------------------------------------------------


def transcript_push_json(
    *, segment_id: str, text: str, peer: dict[str, Any], is_partial: bool, at: float
) -> str:
    """The JSON text of ``MeetingTranscript.transcript`` (the web SDK's transcript object shape)."""
    return json.dumps(
        {
            "id": segment_id,
            "name": peer.get("display_name"),
            "peerId": peer.get("peer_id"),
            "userId": peer.get("participant_id"),
            "customParticipantId": peer.get("custom_participant_id"),
            "transcript": text,
            "isPartialTranscript": is_partial,
            "date": _iso(at),
        },
        separators=(",", ":"),
    )


@dataclass(eq=False)
class _Tap:
    producer_id: str
    peer: dict[str, Any]
    """peer_id, participant_id, custom_participant_id, display_name, meeting_id, session_id."""
    push: bool
    task: asyncio.Task[None] | None = None


class MeetingTranscriber:
    """Server-side transcription of one emulator app (see the module docstring)."""

    def __init__(
        self,
        app: Starlette | Any,
        *,
        stt_engine: str = "faster-whisper",
        vad_engine: str = "silero",
        max_pending: int = 16,
    ) -> None:
        self.app = app
        self.backend: EmulatorBackend = app.state.backend
        self.stt_engine = stt_engine
        self.vad_engine = vad_engine
        self.max_pending = max_pending
        self.taps: dict[str, _Tap] = {}
        """Running taps, by producer id."""
        self.speakers: dict[str, _Tap] = {}
        """Every tap of a session not yet completed (a speaker's last words arrive after the tap ends)."""
        self.sessions: dict[str, int] = {}
        """Session id -> taps opened in it (sessions this transcriber owes a completion)."""
        self.unavailable: str | None = None
        """Why transcription is off (the speech extra is missing), once known."""
        self._pipeline: TranscriptionPipeline | None = None
        self._pipeline_lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.segments = 0
        self.backend.listeners.append(self._on_notice)

    # -- notices ---------------------------------------------------------------------------------------
    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        if notice not in ("producer.created", "session.ended"):
            return
        with contextlib.suppress(RuntimeError):
            self._loop = asyncio.get_running_loop()
        if notice == "producer.created" and data.get("kind") == "audio":
            self._call(self._producer_created, str(data["producer_id"]), str(data["peer_id"]))
        elif notice == "session.ended":
            # also sessions transcribed before a restart: complete_live_transcription checks the flag
            self._call(self._session_ended, str(data["session_id"]))

    def _call(self, fn: Any, *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(fn, *args)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- which speakers ----------------------------------------------------------------------------------
    def _policy(self, peer: Any) -> tuple[bool, bool]:
        """(transcribe, push) for a live peer: preset ``transcription_enabled`` / meeting ``transcribe_on_end``."""
        backend = self.backend
        with backend._lock:
            preset = backend.store.get("preset", peer.preset_id) if peer.preset_id else None
            meeting = backend.store.get("meeting", peer.meeting_id) or {}
        enabled = bool(((preset or {}).get("permissions") or {}).get("transcription_enabled"))
        return enabled or bool(meeting.get("transcribe_on_end")), enabled

    # -- taps ----------------------------------------------------------------------------------------------
    def _producer_created(self, producer_id: str, peer_id: str) -> None:
        plane: LivePlane | None = getattr(self.app.state, "live_plane", None)
        if plane is None or self.unavailable is not None:
            return
        producer = plane.sfu.producers.get(producer_id)
        live_peer = plane.state.peers.get(peer_id)
        if producer is None or live_peer is None or producer.kind != "audio":
            return
        transcribe, push = self._policy(live_peer)
        if not transcribe:
            return
        session_id = live_peer.session_id
        if session_id is None:
            with self.backend._lock:
                doc = self.backend.store.get("peer", peer_id)
            session_id = doc["session_id"] if doc else None
        if session_id is None:
            return
        peer = {
            "peer_id": live_peer.peer_id,
            "participant_id": live_peer.participant_id,
            "custom_participant_id": live_peer.custom_participant_id,
            "display_name": live_peer.display_name,
            "meeting_id": live_peer.meeting_id,
            "session_id": session_id,
        }
        tap = _Tap(producer_id, peer, push)
        self.taps[producer_id] = tap
        self.speakers[producer_id] = tap
        if session_id not in self.sessions:
            self.backend.begin_live_transcription(session_id)
        self.sessions[session_id] = self.sessions.get(session_id, 0) + 1
        tap.task = self._spawn(self._run_tap(tap, plane))

    async def _ensure_pipeline(self) -> TranscriptionPipeline | None:
        async with self._pipeline_lock:
            if self._pipeline is not None or self.unavailable is not None:
                return self._pipeline
            import anyio.to_thread

            from realtimekit_mcp.speech import SpeechUnavailableError, get_stt, get_vad
            from realtimekit_mcp.speech.listen import TranscriptionPipeline

            try:
                stt, vad = await anyio.to_thread.run_sync(
                    lambda: (get_stt(self.stt_engine), get_vad(self.vad_engine))
                )
            except (SpeechUnavailableError, ImportError, ValueError, KeyError) as exc:
                self.unavailable = str(exc)
                logger.warning("server-side transcription is off: %s", exc)
                return None
            self._pipeline = TranscriptionPipeline(
                stt, vad, on_segment=self._on_segment, max_pending=self.max_pending
            )
            self._pipeline.start()
            return self._pipeline

    async def _run_tap(self, tap: _Tap, plane: LivePlane) -> None:
        producer = plane.sfu.producers.get(tap.producer_id)
        if producer is None:
            return
        import av
        from aiortc.mediastreams import MediaStreamError

        # Subscribe at once; while the engines load (first use), decoded audio waits in ``early``.
        if producer.forwarder is not None:
            track: Any = producer.forwarder.subscribe()
            decoder: Any = av.CodecContext.create("libopus", "r")
            decoder.format = "s16"
            decoder.layout = "stereo"
            decoder.sample_rate = 48_000
        else:  # a transcoded (non-Opus) producer: decoded frames through the SFU's relay
            track = plane.sfu._relay.subscribe(producer.track, buffered=False)
            decoder = None
        loading = asyncio.ensure_future(self._ensure_pipeline())
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        key = tap.producer_id
        peer = tap.peer
        early: list[tuple[bytes, float]] = []
        early_bytes = 0
        pipeline: TranscriptionPipeline | None = None

        def feed(pcm: bytes, at: float) -> None:
            assert pipeline is not None
            pipeline.feed(
                key,
                pcm,
                participant_id=peer["participant_id"],
                peer_id=peer["peer_id"],
                name=peer["display_name"],
                at=at,
            )

        try:
            while True:
                try:
                    item = await track.recv()
                except MediaStreamError:
                    break
                now = time.time()
                if pipeline is None and loading.done():
                    pipeline = loading.result()
                    if pipeline is None:
                        break  # no speech engines: transcription is off
                    for pcm, at in early:
                        feed(pcm, at)
                    early = []
                frames = decoder.decode(item) if decoder is not None else [item]
                for frame in frames:
                    for out in resampler.resample(frame):
                        pcm = bytes(out.planes[0])[: out.samples * 2]
                        if pipeline is not None:
                            feed(pcm, now)
                        elif early_bytes < EARLY_AUDIO_BYTES:
                            early.append((pcm, now))
                            early_bytes += len(pcm)
        except asyncio.CancelledError:
            loading.cancel()
            raise
        except Exception:
            logger.exception("transcription tap of producer %s failed", key)
        finally:
            with contextlib.suppress(Exception):
                track.stop()
            if pipeline is None and not loading.cancelled():
                with contextlib.suppress(Exception):
                    pipeline = await loading
                if pipeline is not None:
                    for pcm, at in early:
                        feed(pcm, at)
            if pipeline is not None:
                pipeline.end_stream(key)
            self.taps.pop(key, None)

    # -- results -------------------------------------------------------------------------------------------
    def _on_segment(self, segment: TranscriptSegment) -> None:
        tap = self.speakers.get(segment.speaker_key)
        peer = tap.peer if tap is not None else None
        if peer is None:
            peer = self._peer_from_store(segment.peer_id)
            if peer is None:
                return
        push = tap.push if tap is not None else False
        session_id = peer["session_id"]
        backend = self.backend
        offset = backend.now().timestamp() - time.time()  # the emulator clock may be advanced
        with backend._lock:
            session = backend.store.get("session", session_id) or {}
            meeting = backend.store.get("meeting", peer["meeting_id"]) or {}
        transcription = (meeting.get("ai_config") or {}).get("transcription") or {}
        if transcription.get("profanity_filter"):
            segment = dataclasses.replace(segment, text=mask_profanity(segment.text))
        started = _epoch(session.get("started_at"))
        start_ms = max(0, int((segment.start + offset - started) * 1000)) if started else 0
        end_ms = max(start_ms, int((segment.end + offset - started) * 1000)) if started else start_ms
        try:
            backend.add_transcript_line(
                session_id, segment.peer_id or None, segment.text, start_ms=start_ms, end_ms=end_ms, live=True
            )
        except Exception as exc:
            logger.warning("transcript line not stored: %s", type(exc).__name__)
        self.segments += 1
        if not push:
            return
        self._push_to_room(peer, segment)
        backend.publish(
            "transcript",
            {
                "session_id": session_id,
                "meeting_id": peer["meeting_id"],
                "text": segment.text,
                "is_final": True,
                "started_at": _iso(segment.start + offset),
                "ended_at": _iso(segment.end + offset),
                "confidence": None,
                "speaker": {
                    "peer_id": peer["peer_id"],
                    "participant_id": peer["participant_id"],
                    "custom_participant_id": peer["custom_participant_id"],
                    "display_name": peer["display_name"],
                },
            },
        )

    def _peer_from_store(self, peer_id: str) -> dict[str, Any] | None:
        with self.backend._lock:
            doc = self.backend.store.get("peer", peer_id) if peer_id else None
        if doc is None:
            return None
        return {
            "peer_id": doc["id"],
            "participant_id": doc["participant_id"],
            "custom_participant_id": doc["custom_participant_id"],
            "display_name": doc["display_name"],
            "meeting_id": doc["meeting_id"],
            "session_id": doc["session_id"],
        }

    def _push_to_room(self, peer: dict[str, Any], segment: TranscriptSegment) -> None:
        plane: LivePlane | None = getattr(self.app.state, "live_plane", None)
        if plane is None:
            return
        room = plane.state.rooms.get(peer["meeting_id"])
        if room is None:
            return
        from realtimekit_mcp.protocol import ai_pb2
        from realtimekit_mcp.protocol.events import RoomEvent

        message = ai_pb2.MeetingTranscript(
            meeting_id=peer["meeting_id"],
            transcript=transcript_push_json(
                segment_id=segment.id,
                text=segment.text,
                peer=peer,
                is_partial=False,
                at=segment.transcribed_at,
            ),
            is_partial=False,
        )
        for member in room.room_members():
            conn = plane.connections.get(member.peer_id)
            if conn is not None and member.session_id == peer["session_id"]:
                conn.push(RoomEvent.TRANSCRIPT, message)

    # -- session end -------------------------------------------------------------------------------------
    def _session_ended(self, session_id: str) -> None:
        if session_id in self.sessions:
            self._spawn(self._complete(session_id))
            return
        try:  # nothing in flight here (e.g. transcribed before a restart): complete now if flagged
            self.backend.complete_live_transcription(session_id)
        except Exception as exc:
            logger.warning("completing the transcript of %s failed: %s", session_id, type(exc).__name__)

    async def _complete(self, session_id: str) -> None:
        # The peers' sockets close after the session ends; their taps end their streams, then drain.
        pipeline = self._pipeline
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_BOUND):
                while any(t.peer["session_id"] == session_id for t in self.taps.values()):
                    task = next(
                        t.task for t in self.taps.values() if t.peer["session_id"] == session_id and t.task
                    )
                    with contextlib.suppress(BaseException):
                        await asyncio.shield(task)
                if pipeline is not None:
                    await pipeline.drain()
        self.sessions.pop(session_id, None)
        for key in [k for k, t in self.speakers.items() if t.peer["session_id"] == session_id]:
            self.speakers.pop(key, None)
        try:
            self.backend.complete_live_transcription(session_id)
        except Exception as exc:
            logger.warning("completing the transcript of %s failed: %s", session_id, type(exc).__name__)

    async def wait_idle(self) -> None:
        """Wait until every queued utterance is transcribed (tests; bound it)."""
        if self._pipeline is not None:
            await self._pipeline.drain()

    async def aclose(self) -> None:
        """Stop the taps and the workers."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._pipeline is not None:
            await self._pipeline.aclose()
            self._pipeline = None

    def stats(self) -> dict[str, Any]:
        """Counts for inspection and tests."""
        pipeline = self._pipeline
        return {
            "taps": len(self.taps),
            "segments": self.segments,
            "pending": pipeline.pending if pipeline else 0,
            "dropped": pipeline.dropped if pipeline else 0,
            "failed": pipeline.failed if pipeline else 0,
            "unavailable": self.unavailable,
        }


def _epoch(value: Any) -> float | None:
    if not value:
        return None
    from .rules.base import parse_iso

    try:
        return parse_iso(str(value)).timestamp()
    except ValueError:
        return None


def _iso(epoch: float) -> str:
    """``epoch`` (seconds) as ISO-8601 UTC with milliseconds and ``Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def install_intelligence(app: Starlette | Any) -> MeetingTranscriber | None:
    """Attach a :class:`MeetingTranscriber` to ``app`` as configured (``EmulatorConfig.stt_engine``;
    ``None`` or ``""`` turns server-side transcription off). Cheap: engines load on first use."""
    config: EmulatorConfig = app.state.config
    stt = config.stt_engine
    if not stt:
        app.state.transcriber = None
        return None
    transcriber = MeetingTranscriber(
        app,
        stt_engine=stt,
        vad_engine=config.vad_engine or "silero",
        max_pending=config.transcription_max_pending,
    )
    app.state.transcriber = transcriber
    return transcriber


async def close_intelligence(app: Starlette | Any) -> None:
    """Stop the app's transcriber (no-op without one)."""
    transcriber: MeetingTranscriber | None = getattr(app.state, "transcriber", None)
    if transcriber is not None:
        await transcriber.aclose()


async def active_transcript(request: Request) -> Response:
    """``GET /v2/meetings/{meeting_id}/active-transcript`` (Bearer participant token): the CSV
    download URL of the transcript so far of the meeting's LIVE session (404 when none is live)."""
    from .errors import Forbidden
    from .routes._common import backend_of, bearer_token

    backend = backend_of(request)
    meeting_id = str(request.path_params["meeting_id"]).lower()
    details = backend.verify_participant_token(bearer_token(request))
    if str(details["claims"]["meetingId"]).lower() != meeting_id:
        raise Forbidden("The participant token is for another meeting")
    data = backend.active_transcript(details["app_id"], meeting_id)
    return JSONResponse({"success": True, "data": data})


def intelligence_routes() -> list[BaseRoute]:
    """The client API route of meeting intelligence (``active-transcript``)."""
    return [Route("/v2/meetings/{meeting_id}/active-transcript", active_transcript, methods=["GET"])]
