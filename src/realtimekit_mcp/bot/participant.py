"""A live bot participant in a RealtimeKit meeting: the API and its events.

:class:`BotParticipant` joins with a participant token (or creates a participant through REST with
the project's bot preset), publishes audio and video, subscribes to every remote audio track as
per-participant PCM, chats, and reports what happens as :class:`BotEvent` items with a monotonic
sequence number. Signalling (:mod:`.signalling`) and WebRTC (:mod:`.peer`) do the wire work; this
module only drives the flows of the web SDK over them.

States: ``new`` -> ``joining`` -> ``joined`` (<-> ``reconnecting``) -> one terminal state: ``left``,
``kicked``, ``meeting_ended`` or ``failed``; :attr:`BotParticipant.end_reason` says why. When the
bot's preset puts it in the meeting's waiting room: ``joining`` -> ``waitlisted`` -> ``joined`` once a
host admits it, or ``rejected`` (terminal) when a host turns it away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from aiortc import MediaStreamTrack

from realtimekit_mcp._redact import redact, register_secret
from realtimekit_mcp.bot.chat_files import ChatFiles, file_link
from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.bot.host import HostControls
from realtimekit_mcp.bot.peer import (
    ConsumeOffer,
    PeerError,
    ProduceOffer,
    RecvTransport,
    SendTransport,
    local_capabilities,
)
from realtimekit_mcp.bot.plugins import BotPlugins
from realtimekit_mcp.bot.polls import BotPolls
from realtimekit_mcp.bot.roster import Roster
from realtimekit_mcp.bot.signalling import (
    ConnectFn,
    HandshakeRefused,
    ParticipantDetails,
    RequestError,
    SignallingClient,
    SignallingError,
    SocketClosed,
    decode_token_claims,
    default_connect,
    fetch_ice_servers,
    fetch_participant_details,
)
from realtimekit_mcp.bot.stage import SelfStage
from realtimekit_mcp.bot.tracks import (
    SAMPLE_RATE,
    AudioBuffer,
    AudioReceiver,
    AudioSource,
    PcmAudioTrack,
    StillImageTrack,
    ToneGenerator,
    VideoFileTrack,
    decode_audio_file,
    load_image,
    tone_pcm,
)
from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.events import ChatEvent, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

if TYPE_CHECKING:
    import av

    from realtimekit_mcp.bot.agent_listen import AgentListener
    from realtimekit_mcp.bot.voice import Listener, Speaker, SpeechItem
    from realtimekit_mcp.client import RealtimeKitClient
    from realtimekit_mcp.speech.listen import SegmenterOptions, TranscriptSegment
    from realtimekit_mcp.speech.protocols import STTEngine, TTSEngine, VADEngine

__all__ = [
    "BOT_PRESET_NAME",
    "BotConfig",
    "BotEvent",
    "BotJoinError",
    "BotParticipant",
    "BotState",
    "RemotePeer",
    "bot_preset_body",
    "ensure_bot_preset",
]

logger = logging.getLogger(__name__)

BOT_PRESET_NAME = "realtimekit_mcp_bot"
"""The preset the project creates (if missing) for bots it adds through REST."""

AUDIO_ACTIVITY_INTERVAL = 0.4
"""Seconds between the bot's ``audioActivity`` reports while it plays audio (the SDK's period)."""

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


class BotState(StrEnum):
    """Lifecycle of a bot."""

    NEW = "new"
    JOINING = "joining"
    JOINED = "joined"
    WAITLISTED = "waitlisted"
    """Waiting in the meeting's waiting room for a host to admit it."""
    RECONNECTING = "reconnecting"
    LEFT = "left"
    KICKED = "kicked"
    MEETING_ENDED = "meeting_ended"
    FAILED = "failed"
    REJECTED = "rejected"
    """A host turned it away from the waiting room."""

    @property
    def terminal(self) -> bool:
        """Whether the bot is gone for good."""
        return self in (
            BotState.LEFT,
            BotState.KICKED,
            BotState.MEETING_ENDED,
            BotState.FAILED,
            BotState.REJECTED,
        )


class BotJoinError(Exception):
    """Joining failed (token refused, meeting inactive, server error). The message says why."""


@dataclass(frozen=True, slots=True)
class BotConfig:
    """Where and how a bot connects.

    Attributes:
        api_base: client API origin (``https://api.realtime.cloudflare.com``; emulator: its origin).
        socket_url: explicit socket edge URL (emulator: ``ws://127.0.0.1:PORT/ws``); None derives it
            from participant-details (``wss://socket-edge.<base_uri>/ws``).
        request_timeout: seconds to wait for any signalling reply.
        ping_interval: seconds between client ``"2"`` pings.
        reconnect: whether a dropped socket is reconnected (new peer id with ``oldPeerID``).
        reconnect_backoff_base / reconnect_backoff_cap / reconnect_attempts: full-jitter backoff.
        max_buffered_audio_seconds: received PCM kept per remote participant (oldest dropped).
        max_outgoing_audio_seconds: audio that may be queued for playback.
        max_events: events kept for :meth:`BotParticipant.events_since` (oldest dropped).
        connect_timeout: seconds to wait for each peer connection to reach ``connected``.
        subscribe_audio: receive every remote audio track (False: a speaker-only bot, which saves
            the decoding of everyone else's audio).
        audio_jitter_prefetch: 20 ms frames each received audio track buffers before decoding
            (latency vs. tolerance of network jitter); None keeps aiortc's default of 4 (80 ms).
        connect: opens the WebSocket (tests inject fakes); default uses ``websockets``.
        http_client: httpx client for the client API (default: one per bot).
        tts: the TTS engine for :meth:`BotParticipant.say` (an engine, or a name of
            :mod:`realtimekit_mcp.speech.registry`; None = ``"piper"``), loaded on first use.
        stt / vad: engines for transcription (None = ``"faster-whisper"`` / ``"silero"``).
        transcribe: transcribe every remote participant from the join on (engines are loaded
            before connecting, so a missing ``speech`` extra fails the join early and clearly).
        transcript_max_pending: utterances waiting for STT before the oldest is dropped.
        vad_options: segmentation settings (:class:`realtimekit_mcp.speech.listen.SegmenterOptions`).
        listen_via: ``"media"`` (default: ``transcribe`` runs local STT on received audio) or
            ``"agent"``: on join the bot also opens the Agent Participant socket with its own token
            and re-emits the service's final transcripts as ``transcript`` events with
            ``source="agent"`` (no local STT, even with ``transcribe``; see
            :mod:`realtimekit_mcp.bot.agent_listen`).
        agent_url: the Agent Participant socket URL for ``listen_via="agent"`` (None derives it
            from ``api_base``: ``wss://api.realtime.cloudflare.com/agent-ws/v1`` on Cloudflare).
    """

    api_base: str = "https://api.realtime.cloudflare.com"
    socket_url: str | None = None
    request_timeout: float = 20.0
    ping_interval: float = 15.0
    reconnect: bool = True
    reconnect_backoff_base: float = 1.0
    reconnect_backoff_cap: float = 10.0
    reconnect_attempts: int = 10
    max_buffered_audio_seconds: float = 30.0
    max_outgoing_audio_seconds: float = 600.0
    max_events: int = 1000
    connect_timeout: float = 15.0
    audio_jitter_prefetch: int | None = 2
    subscribe_audio: bool = True
    connect: ConnectFn | None = None
    http_client: httpx.AsyncClient | None = None
    tts: TTSEngine | str | None = None
    stt: STTEngine | str | None = None
    vad: VADEngine | str | None = None
    transcribe: bool = False
    transcript_max_pending: int = 8
    vad_options: SegmenterOptions | None = None
    listen_via: str = "media"
    agent_url: str | None = None

    def __post_init__(self) -> None:
        if self.listen_via not in ("media", "agent"):
            raise ValueError(f"listen_via must be 'media' or 'agent' (got {self.listen_via!r})")

    @classmethod
    def for_origin(cls, origin: str, **overrides: Any) -> BotConfig:
        """Settings for a server that serves the client API and the socket on one origin (the emulator).

        ``http://127.0.0.1:8787`` gives ``api_base`` that origin and ``socket_url``
        ``ws://127.0.0.1:8787/ws`` (``https`` gives ``wss``).
        """
        base = origin.rstrip("/")
        if base.startswith("https://"):
            socket = "wss://" + base[len("https://") :] + "/ws"
        elif base.startswith("http://"):
            socket = "ws://" + base[len("http://") :] + "/ws"
        else:
            raise ValueError(f"origin must start with http:// or https:// (got {origin!r})")
        return cls(**{"api_base": base, "socket_url": socket, **overrides})


@dataclass(frozen=True, slots=True)
class BotEvent:
    """Something that happened to or around the bot. ``seq`` increases by one per event."""

    seq: int
    type: str
    at: float
    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"seq": self.seq, "type": self.type, "at": self.at, **self.data}


@dataclass(slots=True)
class RemotePeer:
    """Another peer in the room."""

    peer_id: str
    user_id: str = ""
    name: str = ""
    producers: dict[str, media_pb2.ProducerState] = field(default_factory=dict)


@dataclass(slots=True)
class _Published:
    kind: str
    make_track: Callable[[], MediaStreamTrack]
    producer_id: str | None = None
    mid: str | None = None
    paused: bool = False
    screen_share: bool = False


def bot_preset_body(name: str = BOT_PRESET_NAME) -> dict[str, Any]:
    """A complete group-call preset for bots: audio, video and screenshare, chat (text and files), and host rights.

    Host rights (admit/reject waiting participants, pin, mute, kick, stage requests, polls, plugins)
    add no power: whoever drives the bot already holds the REST API token, which can do all of it.
    """
    return {
        "name": name,
        "config": {
            "view_type": "GROUP_CALL",
            "max_video_streams": {"desktop": 9, "mobile": 4},
            "max_screenshare_count": 1,
            "media": {
                "video": {"quality": "vga", "frame_rate": 15, "simulcast": False},
                "screenshare": {"quality": "hd", "frame_rate": 5},
                "audio": {"enable_high_bitrate": False, "enable_stereo": False},
            },
            "livestream_viewer_qualities": [],
        },
        "permissions": {
            "accept_waiting_requests": True,
            "can_accept_production_requests": True,
            "can_change_participant_permissions": False,
            "can_edit_display_name": True,
            "can_livestream": False,
            "can_record": False,
            "can_spotlight": True,
            "disable_participant_audio": True,
            "disable_participant_screensharing": True,
            "disable_participant_video": True,
            "hidden_participant": False,
            "kick_participant": True,
            "pin_participant": True,
            "show_participant_list": True,
            "recorder_type": "NONE",
            "waiting_room_type": "SKIP",
            "chat": {
                "public": {"can_send": True, "text": True, "files": True},
                "private": {"can_send": True, "can_receive": True, "text": True, "files": True},
            },
            "connected_meetings": {
                "can_alter_connected_meetings": False,
                "can_switch_connected_meetings": False,
                "can_switch_to_parent_meeting": False,
            },
            "media": {
                "audio": {"can_produce": "ALLOWED"},
                "video": {"can_produce": "ALLOWED"},
                "screenshare": {"can_produce": "ALLOWED"},
            },
            "plugins": {"can_start": True, "can_close": True, "can_edit_config": False, "config": {}},
            "polls": {"can_create": True, "can_view": True, "can_vote": True},
            "accept_stage_requests": True,
            "is_recorder": False,
            "stage_access": "ALLOWED",
            "stage_enabled": False,
            "transcription_enabled": False,
        },
        "ui": {
            "design_tokens": {
                "border_radius": "rounded",
                "border_width": "thin",
                "spacing_base": 4,
                "theme": "dark",
                "colors": {
                    "background": {
                        "600": "#222222",
                        "700": "#1f1f1f",
                        "800": "#1b1b1b",
                        "900": "#181818",
                        "1000": "#141414",
                    },
                    "brand": {
                        "300": "#844d1c",
                        "400": "#9d5b22",
                        "500": "#b56927",
                        "600": "#d37c30",
                        "700": "#d9904f",
                    },
                    "danger": "#FF2D2D",
                    "success": "#62A504",
                    "text": "#EEEEEE",
                    "text_on_brand": "#EEEEEE",
                    "video_bg": "#191919",
                    "warning": "#FFCD07",
                },
            }
        },
    }


BOT_HOST_RIGHTS: Mapping[str, Any] = {
    "accept_waiting_requests": True,
    "can_accept_production_requests": True,
    "disable_participant_audio": True,
    "disable_participant_screensharing": True,
    "disable_participant_video": True,
    "kick_participant": True,
    "pin_participant": True,
    "accept_stage_requests": True,
    "chat": {"public": {"files": True}, "private": {"files": True}},
    "media": {"screenshare": {"can_produce": "ALLOWED"}},
    "plugins": {"can_start": True, "can_close": True},
    "polls": {"can_create": True},
}
"""The permissions of :func:`bot_preset_body` that make the bot a host; :func:`ensure_bot_preset` adds
them to an older bot preset without touching anything else in it."""


async def ensure_bot_preset(client: RealtimeKitClient, name: str = BOT_PRESET_NAME) -> str:
    """Create the bot preset unless a preset with this exact name exists; returns its name.

    An existing preset of that name that lacks some of :data:`BOT_HOST_RIGHTS` (one made by an older
    version) gets them added; every other setting in it (an operator's changes, such as
    ``transcription_enabled``) is kept.
    """
    page = await client.presets.list(search=name, per_page=100)
    existing = next((item for item in page.items if item.name == name), None)
    if existing is None:
        body = bot_preset_body(name)
        await client.presets.create(
            name=name, config=body["config"], permissions=body["permissions"], ui=body["ui"]
        )
        return name
    if existing.id:
        preset = await client.presets.get(existing.id)
        have = dict(preset.permissions or {})
        if not _contains(have, BOT_HOST_RIGHTS):
            await client.presets.update(existing.id, permissions=_merged(have, BOT_HOST_RIGHTS))
    return name


def _contains(have: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    """Whether every (nested) value of ``want`` is in ``have``."""
    for key, value in want.items():
        current = have.get(key)
        if isinstance(value, Mapping):
            if not isinstance(current, Mapping) or not _contains(current, value):
                return False
        elif current != value:
            return False
    return True


def _merged(have: Mapping[str, Any], want: Mapping[str, Any]) -> dict[str, Any]:
    """``have`` with the (nested) values of ``want`` laid over it."""
    out = dict(have)
    for key, value in want.items():
        current = out.get(key)
        if isinstance(value, Mapping):
            out[key] = _merged(current if isinstance(current, Mapping) else {}, value)
        else:
            out[key] = value
    return out


class BotParticipant:
    """One bot in one meeting. Create, :meth:`join`, use, :meth:`leave`.

    Not thread-safe; use from one asyncio event loop.
    """

    def __init__(
        self, token: str, config: BotConfig | None = None, *, display_name: str | None = None
    ) -> None:
        register_secret(token)
        self._token = token
        self.config = config or BotConfig()
        self.claims = decode_token_claims(token)
        self.meeting_id = self.claims.meeting_id
        self.display_name = display_name or "Bot"
        self.details: ParticipantDetails | None = None
        self.state = BotState.NEW
        self.end_reason: str | None = None
        self.reconnects = 0
        self.peers: dict[str, RemotePeer] = {}
        self.audio: dict[str, AudioBuffer] = {}
        self._events: deque[BotEvent] = deque(maxlen=self.config.max_events)
        self._seq = 0
        self._event_added = asyncio.Event()
        self._sig: SignallingClient | None = None
        self._send: SendTransport | None = None
        self._recv: RecvTransport | None = None
        self._ice: list[dict[str, Any]] = []
        self._receivers: dict[str, AudioReceiver] = {}  # by receiving mid
        self._mid_owner: dict[str, str] = {}  # receiving mid -> producer id
        self._consumed: set[str] = set()  # producer ids consumed in this connection
        self._present: set[str] = set()  # peers seen in the room at the last (re)join
        self._published: dict[str, _Published] = {}  # "audio"/"video"
        self.audio_source = AudioSource(max_buffer_seconds=self.config.max_outgoing_audio_seconds)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._owns_http = self.config.http_client is None
        self._http = self.config.http_client or httpx.AsyncClient(timeout=15.0)
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.joined_at: float | None = None
        self._speaker: Speaker | None = None
        self._listener: Listener | None = None
        self._transcript: deque[tuple[int, TranscriptSegment]] = deque(maxlen=self.config.max_events)
        self._agent_listener: AgentListener | None = None
        self._admission_pending = False
        self._was_waitlisted = False
        self._reporting_activity = False
        self.roster = Roster(self)
        """The live participants view (joined, active speakers, waitlisted, pinned)."""
        self.host = HostControls(self)
        """Host controls (waiting room, pin, mute, kick, stage), as the bot's preset allows."""
        self.polls = BotPolls(self)
        """Polls: create, vote, live results."""
        self.plugins = BotPlugins(self)
        """Plugins: catalogue, activate, deactivate."""
        self.chat_files = ChatFiles(self)
        """Image and file chat messages (upload, send, fetch)."""
        self.stage = SelfStage(self)
        """The bot's own place on a webinar stage (request, cancel, join, leave)."""
        self.features: tuple[BotFeature, ...] = (
            self.roster,
            self.host,
            self.polls,
            self.plugins,
            self.chat_files,
            self.stage,
        )

    def __repr__(self) -> str:
        return f"BotParticipant(meeting_id={self.meeting_id!r}, state={self.state.value!r}, peer_id={self.peer_id!r})"

    # ------------------------------------------------------------------ creation

    @classmethod
    async def create(
        cls,
        client: RealtimeKitClient,
        meeting_id: str,
        *,
        name: str = "Bot",
        preset_name: str | None = None,
        custom_participant_id: str | None = None,
        config: BotConfig | None = None,
    ) -> BotParticipant:
        """Add a participant through REST (with the bot preset, created if missing) and wrap its token.

        Raises:
            BotJoinError: the meeting is inactive or the participant could not be added.
        """
        from realtimekit_mcp.client import errors

        try:
            meeting = await client.meetings.get(meeting_id)
            if str(getattr(meeting, "status", "") or "").upper() == "INACTIVE":
                raise BotJoinError(f"meeting {meeting_id} is INACTIVE; activate it before a bot can join")
            preset = preset_name or await ensure_bot_preset(client)
            participant = await client.participants.add(
                meeting_id,
                custom_participant_id=custom_participant_id or f"bot-{uuid.uuid4().hex[:12]}",
                preset_name=preset,
                name=name,
            )
        except errors.RealtimeKitError as exc:
            raise BotJoinError(f"could not add the bot participant: {exc}") from None
        token = getattr(participant, "token", None)
        if not token:
            raise BotJoinError("the add-participant response carried no token")
        return cls(str(token), config, display_name=name)

    # ------------------------------------------------------------------ properties

    @property
    def peer_id(self) -> str:
        """The current peer id (changes on reconnect)."""
        return self._sig.peer_id if self._sig else ""

    @property
    def participant_id(self) -> str:
        """The participant id from the token."""
        return self.claims.participant_id

    # ------------------------------------------------------------------ events

    def _emit(self, type_: str, **data: Any) -> BotEvent:
        self._seq += 1
        event = BotEvent(self._seq, type_, time.time(), data)
        self._events.append(event)
        self._event_added.set()
        self._event_added = asyncio.Event()
        return event

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event (0 before any)."""
        return self._seq

    def events_since(self, cursor: int = 0, *, limit: int = 100) -> list[BotEvent]:
        """Events with ``seq > cursor``, oldest first, at most ``limit``."""
        return [e for e in self._events if e.seq > cursor][:limit]

    async def wait_event(
        self, types: str | Iterable[str], *, after: int = 0, where: Callable[[BotEvent], bool] | None = None
    ) -> BotEvent:
        """Wait for the first event of ``types`` with ``seq > after`` (bound it with a timeout)."""
        wanted = {types} if isinstance(types, str) else set(types)
        while True:
            for event in self._events:
                if event.seq > after and event.type in wanted and (where is None or where(event)):
                    return event
            waiter = self._event_added
            await waiter.wait()

    # ------------------------------------------------------------------ join

    async def join(self) -> None:
        """Bootstrap over REST, open the socket, join the media and the room, subscribe to audio.

        Returns when the bot is ``joined`` or, when its preset puts it in the waiting room,
        ``waitlisted`` (event ``waitlisted``). Admission then continues in the background: event
        ``admitted`` and then ``joined`` when a host lets it in, state ``rejected`` when a host
        turns it away.

        Raises:
            BotJoinError: with a reason (invalid token, inactive meeting, refused, timeout, ...).
        """
        if self.state is not BotState.NEW:
            raise BotJoinError(f"bot is {self.state.value}; a bot joins once")
        if self.config.transcribe and self._listener is None and self.config.listen_via == "media":
            await self.start_transcription()  # SpeechUnavailableError before any network traffic
        self.state = BotState.JOINING
        try:
            peer_id = str(uuid.uuid4())
            self.details = await fetch_participant_details(
                self._http, self.config.api_base, self._token, peer_id
            )
            if self.details.name:
                self.display_name = self.details.name
            self._ice = await fetch_ice_servers(self._http, self.config.api_base, self._token, peer_id)
            self._sig = SignallingClient(
                meeting_id=self.meeting_id,
                token=self._token,
                base_url=self.config.socket_url,
                socket_base_uri=self.details.socket_base_uri,
                connect=self.config.connect or default_connect,
                request_timeout=self.config.request_timeout,
                ping_interval=self.config.ping_interval,
            )
            self._register_handlers(self._sig)
            await self._sig.connect(peer_id=peer_id)
            waitlisted = await self._join_session()
            if self.config.listen_via == "agent" and not waitlisted:
                await self._start_agent_listen()
        except BaseException as exc:
            reason = _join_failure(exc)
            with anyio.CancelScope(shield=True):  # clean up even when the caller's deadline hit
                await self._finish(BotState.FAILED, reason)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise BotJoinError(reason) from None
        if waitlisted:
            self.state = BotState.WAITLISTED
            self._was_waitlisted = True  # join() returned: a later failure is reported as an event
            self._emit(
                "waitlisted", peer_id=self.peer_id, participant_id=self.participant_id, name=self.display_name
            )
            self._admit_if_pending()
        else:
            self._joined()
        self._supervisor = asyncio.create_task(
            self._supervise(), name=f"rtk-bot-supervisor-{self.participant_id}"
        )

    def _joined(self) -> None:
        self.state = BotState.JOINED
        self.joined_at = time.time()
        self._emit("joined", peer_id=self.peer_id, participant_id=self.participant_id, name=self.display_name)

    async def _join_session(self) -> bool:
        """One media + room join on the current socket (also used after a reconnect).

        Returns True when the room join was held in the waiting room (the join completes on
        admission, :meth:`_on_admitted`).
        """
        sig = self._require_sig()
        for feature in self.features:
            feature.reset()
        caps = local_capabilities()
        join = media_edge_pb2.PeerJoinRequest(
            display_name=self.display_name, prejoined=False, room_uuid=self.meeting_id
        )
        for role in ("sender", "receiver"):
            target = getattr(join.capabilities, role)
            for kind in ("audio", "video"):
                cap = getattr(target, kind)
                for codec in caps[role][kind]["codecs"]:
                    entry = cap.codecs.add(mime_type=codec["mime_type"], clock_rate=codec["clock_rate"])
                    if codec["channels"]:
                        entry.channels = codec["channels"]
                    if codec["sdp_fmtp_line"]:
                        entry.sdp_fmtp_line = codec["sdp_fmtp_line"]
                for ext in caps[role][kind]["header_extensions"]:
                    cap.header_extensions.add(uri=ext["uri"])
        await sig.request(MediaEvent.JOIN_ROOM, join, media_edge_pb2.PeerJoinResponse)

        self._send = SendTransport(self._ice)
        self._recv = RecvTransport(self._ice, audio_prefetch=self.config.audio_jitter_prefetch)
        self._consumed.clear()
        for transport, consuming in ((self._send, False), (self._recv, True)):
            await self._create_transport(transport, consuming)
        await asyncio.gather(
            self._send.wait_connected(self.config.connect_timeout),
            self._recv.wait_connected(self.config.connect_timeout),
        )

        me = await self._room_join()
        if me.waitlisted:
            return True
        await self._complete_join(me)
        return False

    async def _room_join(self) -> room_pb2.Peer:
        """Send the room joinRoom; returns the bot as the server sees it (``waitlisted`` when held)."""
        sig = self._require_sig()
        peer = room_pb2.Peer(peer_id=sig.peer_id, user_id=self.participant_id, display_name=self.display_name)
        if self.details and self.details.custom_participant_id:
            peer.custom_participant_id = self.details.custom_participant_id
        reply = await sig.request(
            RoomEvent.JOIN_ROOM, room_pb2.JoinRoomRequest(peer=peer), room_pb2.PeerInfoResponse
        )
        return reply.peer

    async def _complete_join(self, me: room_pb2.Peer) -> None:
        """The rest of a join once the room join is accepted: peers, chat, media, publishing."""
        sig = self._require_sig()
        self.roster.learn_peer(me)
        await sig.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
        peers = await sig.request(
            RoomEvent.GET_ROOM_PEERS_INFO, room_pb2.RoomPeersInfoRequest(), room_pb2.RoomPeersInfoResponse
        )
        self._present = set()
        for p in peers.peers:
            if p.peer_id != sig.peer_id:
                self._remember_peer(p.peer_id, p.user_id, p.display_name)
                self._present.add(p.peer_id)
                self.roster.learn_peer(p)
        with contextlib.suppress(SignallingError):
            await sig.request(
                ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse, reply_timeout=5.0
            )
        complete = await sig.request(
            MediaEvent.SELF_JOIN_COMPLETE,
            media_edge_pb2.PeerJoinCompleteRequest(),
            media_edge_pb2.PeerJoinCompleteResponse,
        )
        for participant in complete.participants:
            if participant.peer_id == sig.peer_id:
                continue
            remote = self._remember_peer(participant.peer_id, participant.user_id, participant.display_name)
            self._present.add(participant.peer_id)
            remote.producers = {state.producer_id: state for state in participant.producer_states}
        self.roster.learn_room_state(complete)
        for remote in list(self.peers.values()):
            for state in list(remote.producers.values()):
                if state.kind == media_pb2.AUDIO:
                    await self._consume(remote.peer_id, state)
        for published in self._published.values():
            await self._produce(published)
        await self.roster.after_join()

    def _on_admitted(self, frame: Frame) -> None:
        """A host let the bot in: join the room again (as the SDK does) and complete the join."""
        if self.state in (BotState.JOINING, BotState.RECONNECTING):
            # The acceptance overtook the end of our own join step: act on it once that step
            # has set the state to WAITLISTED (see _admit_if_pending).
            self._admission_pending = True
            return
        if self.state is BotState.WAITLISTED:
            self._admitted()

    def _admit_if_pending(self) -> None:
        pending, self._admission_pending = self._admission_pending, False
        if pending and self.state is BotState.WAITLISTED:
            self._admitted()

    def _admitted(self) -> None:
        self._emit("admitted", peer_id=self.peer_id, participant_id=self.participant_id)
        self._spawn(self._finish_admission())

    async def _finish_admission(self) -> None:
        sig = self._require_sig()
        try:
            me = await self._room_join()
            if me.waitlisted:  # pragma: no cover - the server held the bot again
                return
            await self._complete_join(me)
            if self.config.listen_via == "agent":
                await self._start_agent_listen()
        except Exception as exc:
            if sig.closed.done() or isinstance(exc, SocketClosed):
                # The connection dropped under us: the supervisor reconnects, and the server, which
                # remembers the admission, lets the bot straight in (see _supervise).
                return
            if self.state is BotState.WAITLISTED:
                self._spawn(
                    self._finish(BotState.FAILED, f"join after admission failed: {_join_failure(exc)}")
                )
            return
        if self.state is BotState.WAITLISTED:
            self._joined()

    async def _create_transport(self, transport: SendTransport | RecvTransport, consuming: bool) -> None:
        sig = self._require_sig()
        target = media_pb2.SUBSCRIBER if consuming else media_pb2.PUBLISHER

        async def exchange(sdp: str) -> str:
            reply = await sig.request(
                MediaEvent.CREATE_WEBRTC_TRANSPORT,
                media_pb2.CreateTransportRequest(
                    consuming=consuming,
                    description=media_pb2.SessionDescription(target=target, type="offer", sdp=sdp),
                ),
                media_pb2.CreateTransportResponse,
            )
            transport.server_id = reply.transport_id
            return reply.description.sdp

        await transport.connect(exchange)

    def _remember_peer(self, peer_id: str, user_id: str, name: str) -> RemotePeer:
        remote = self.peers.get(peer_id)
        if remote is None:
            remote = self.peers[peer_id] = RemotePeer(peer_id)
        if user_id:
            remote.user_id = user_id
        if name:
            remote.name = name
        return remote

    # ------------------------------------------------------------------ media

    async def _consume(self, peer_id: str, state: media_pb2.ProducerState) -> None:
        if not self.config.subscribe_audio or state.producer_id in self._consumed or self._recv is None:
            return
        self._consumed.add(state.producer_id)
        sig = self._require_sig()
        recv = self._recv
        owner: dict[str, str] = {}

        async def request() -> ConsumeOffer:
            req = media_edge_pb2.ConsumePeersRequest(consuming_transport_id=recv.server_id or "")
            item = req.requests.add(producing_peer_id=peer_id, producer_id=state.producer_id)
            if state.HasField("producing_transport_id"):
                item.producing_transport_id = state.producing_transport_id
            item.simulcast.preferred_rid = "f"
            item.simulcast.priority_ordering = "asciibetical"
            item.simulcast.rid_not_available = "asciibetical"
            reply = await sig.request(MediaEvent.CONSUME, req, media_edge_pb2.ConsumePeerResponse)
            mids = []
            for producer_id, consumer in reply.consumer_ids_map.map.items():
                if consumer.HasField("error_code") and consumer.error_code:
                    logger.info("consume %s failed: %s", producer_id, consumer.error_code)
                    continue
                mid = consumer.producer_track.stream_id
                owner[mid] = producer_id
                mids.append(mid)
            return ConsumeOffer(sdp=reply.description.sdp, mids=mids)

        async def renegotiate(sdp: str) -> str:
            await sig.request(
                MediaEvent.RENEGOTIATE_SESSION_DESCRIPTION,
                media_pb2.RenegotiateRequest(
                    transport_id=recv.server_id or "",
                    description=media_pb2.SessionDescription(
                        target=media_pb2.SUBSCRIBER, type="answer", sdp=sdp
                    ),
                ),
                media_pb2.RenegotiateResponse,
            )
            return ""

        try:
            tracks = await recv.consume(request, renegotiate)
        except Exception as exc:  # signalling, SDP, or the connection closing under us
            self._consumed.discard(state.producer_id)
            logger.info("consume of %s failed: %s", state.producer_id, exc)
            return
        remote = self.peers.get(peer_id) or self._remember_peer(peer_id, "", "")
        for mid, track in tracks.items():
            self._mid_owner[mid] = owner.get(mid, state.producer_id)
            if track.kind != "audio":
                continue
            key = remote.user_id or peer_id
            buffer = self.audio.get(key)
            if buffer is None:
                max_bytes = int(self.config.max_buffered_audio_seconds * SAMPLE_RATE) * 2
                buffer = self.audio[key] = AudioBuffer(peer_id=peer_id, name=remote.name, max_bytes=max_bytes)
            buffer.peer_id = peer_id
            buffer.name = remote.name or buffer.name
            if self._listener is not None:
                self._listener.attach(key, buffer, remote.user_id or peer_id)
            self.roster.attach_audio(key, buffer)
            old = self._receivers.pop(mid, None)
            if old is not None:
                await old.stop()
            self._receivers[mid] = AudioReceiver(track, buffer)
        self._emit(
            "subscribed",
            peer_id=peer_id,
            participant_id=remote.user_id,
            producer_id=state.producer_id,
            kind="audio" if state.kind == media_pb2.AUDIO else "video",
        )

    async def _produce(self, published: _Published) -> None:
        sig = self._require_sig()
        send = self._send
        if send is None:
            raise PeerError("no send transport")

        async def exchange(offer: ProduceOffer) -> str:
            reply = await sig.request(
                MediaEvent.PRODUCE,
                media_edge_pb2.ProducerCreateRequest(
                    kind=offer.kind,
                    paused=published.paused,
                    screen_share=published.screen_share,
                    description=media_pb2.SessionDescription(
                        target=media_pb2.PUBLISHER, type="offer", sdp=offer.sdp
                    ),
                    msid=offer.msid,
                    app_data=json.dumps(
                        {"screenShare": published.screen_share, "e2ee": False, "mid": offer.mid},
                        separators=(",", ":"),
                    ),
                    mime_type="audio/opus" if offer.kind == "audio" else "video/VP8",
                    producing_transport_id=send.server_id or "",
                ),
                media_edge_pb2.ProducerCreateResponse,
            )
            published.producer_id = reply.producer_id
            return reply.description.sdp

        published.mid = await send.produce(published.make_track(), exchange)
        self._emit("published", kind=published.kind, producer_id=published.producer_id)

    async def _publish(self, kind: str, make_track: Callable[[], MediaStreamTrack]) -> None:
        """Publish (or replace) the producer under ``kind``: "audio", "video" or "screenshare"."""
        self._require_joined()
        self.stage.check_produce(kind)  # StageError off a webinar stage (before any offer goes out)
        existing = self._published.get(kind)
        if existing is not None:
            await self._unpublish(kind)
        published = _Published(kind=kind, make_track=make_track, screen_share=kind == "screenshare")
        self._published[kind] = published
        try:
            await self._produce(published)
        except BaseException:
            # A refused produce must not linger: status would show it and a rejoin would retry it.
            if self._published.get(kind) is published:
                del self._published[kind]
            raise

    async def _unpublish(self, kind: str) -> None:
        published = self._published.pop(kind, None)
        if published is None or published.mid is None or self._send is None:
            return
        sig = self._require_sig()
        send = self._send

        async def exchange(sdp: str) -> str:
            reply = await sig.request(
                MediaEvent.CLOSE_PRODUCER,
                media_edge_pb2.ProducerCloseRequest(
                    producer_id=published.producer_id or "",
                    description=media_pb2.SessionDescription(
                        target=media_pb2.PUBLISHER, type="offer", sdp=sdp
                    ),
                    producing_transport_id=send.server_id or "",
                ),
                media_edge_pb2.ProducerClosingResponse,
            )
            return reply.description.sdp

        await send.close_producer(published.mid, exchange)
        self._emit("unpublished", kind=kind, producer_id=published.producer_id)

    async def publish_audio(self) -> None:
        """Publish the bot's audio track (fed by :meth:`play_pcm` and friends; silence when idle)."""
        if "audio" not in self._published:
            await self._publish("audio", lambda: PcmAudioTrack(self.audio_source))
            if not self._reporting_activity:
                self._reporting_activity = True
                self._spawn(self._report_audio_activity())

    async def _report_audio_activity(self) -> None:
        """Tell the server when the bot plays audio (``audioActivity``, as the SDK's reporter does).

        Every :data:`AUDIO_ACTIVITY_INTERVAL` seconds while audio is queued or a tone runs (and the
        bot is not muted): ``silent=false``; once when it stops: ``silent=true``. Other clients
        then show the bot as the active speaker.
        """
        was_active = False
        while True:
            await asyncio.sleep(AUDIO_ACTIVITY_INTERVAL)  # the reporting period, not a wait for state
            published = self._published.get("audio")
            sig = self._sig
            if self.state is not BotState.JOINED or published is None or not published.producer_id:
                continue
            if sig is None or not sig.connected:
                continue
            source = self.audio_source
            active = (
                not source.paused
                and not published.paused
                and (source.buffered_seconds > 0 or source.generator is not None)
            )
            if not active and not was_active:
                continue
            request = media_pb2.AudioActivityRequest(
                producer_id=published.producer_id, energy=80 if active else 1, silent=not active
            )
            with contextlib.suppress(SignallingError):
                await sig.send(MediaEvent.AUDIO_ACTIVITY, request)
            was_active = active

    async def play_pcm(self, pcm: bytes) -> asyncio.Future[None]:
        """Queue s16le mono 48 kHz PCM; publishes audio first if needed. The future resolves when played."""
        await self.publish_audio()
        return self.audio_source.enqueue(pcm)

    async def play_tone(
        self, frequency: float = 440.0, seconds: float = 1.0, amplitude: float = 0.5
    ) -> asyncio.Future[None]:
        """Queue a sine tone."""
        return await self.play_pcm(tone_pcm(frequency, seconds, amplitude=amplitude))

    async def play_file(self, path: str | Path) -> asyncio.Future[None]:
        """Decode an audio file (WAV, OGG, MP3, ...) and queue it. Decoding runs in a thread."""
        pcm = await asyncio.to_thread(decode_audio_file, path)
        return await self.play_pcm(pcm)

    async def play_continuous_tone(self, frequency: float = 440.0, amplitude: float = 0.5) -> None:
        """Send a tone whenever nothing is queued (until :meth:`stop_continuous_tone`)."""
        self.audio_source.generator = ToneGenerator(frequency, amplitude)
        await self.publish_audio()

    def stop_continuous_tone(self) -> None:
        """Stop the idle tone (silence when nothing is queued)."""
        self.audio_source.generator = None

    def stop_audio(self) -> None:
        """Drop queued audio (pending play futures are cancelled)."""
        self.audio_source.clear()

    async def publish_video(self, source: str | Path | av.VideoFrame, *, fps: float | None = None) -> None:
        """Publish a still image (path or frame, 2 fps default) or a video file (15 fps default), VP8."""
        await self._publish_visual("video", source, fps)

    async def publish_screenshare(
        self, source: str | Path | av.VideoFrame, *, fps: float | None = None
    ) -> None:
        """Share an image or a video file as the bot's screenshare (a producer flagged ``screen_share``).

        Independent of :meth:`publish_video`: a bot can show its camera video and a screenshare.
        """
        await self._publish_visual("screenshare", source, fps)

    async def stop_screenshare(self) -> None:
        """Stop the screenshare (no-op when not sharing)."""
        self._require_joined()
        await self._unpublish("screenshare")

    async def _publish_visual(self, key: str, source: str | Path | av.VideoFrame, fps: float | None) -> None:
        if isinstance(source, (str, Path)):
            path = Path(source)
            if path.suffix.lower() in _IMAGE_SUFFIXES:
                image = await asyncio.to_thread(load_image, path)
                rate = fps or 2.0
                await self._publish(key, lambda: StillImageTrack(image, rate))
            else:
                rate = fps or 15.0
                await asyncio.to_thread(VideoFileTrack, path, fps=rate)  # validate the file now
                await self._publish(key, lambda: VideoFileTrack(path, fps=rate))
        else:
            frame = source
            rate = fps or 2.0
            await self._publish(key, lambda: StillImageTrack(frame, rate))

    async def stop_video(self) -> None:
        """Stop publishing video."""
        self._require_joined()
        await self._unpublish("video")

    async def set_muted(self, muted: bool) -> None:
        """Mute or unmute the bot's audio (toggleProducer; silence is sent while muted)."""
        self._require_joined()
        self.audio_source.paused = muted
        published = self._published.get("audio")
        if published is None:
            return
        published.paused = muted
        if published.producer_id:
            await self._require_sig().request(
                MediaEvent.TOGGLE_PRODUCER,
                media_edge_pb2.ProducerToggleRequest(producer_id=published.producer_id, pause=muted),
                media_edge_pb2.ProducerToggleResponse,
            )
        self._emit("self_muted" if muted else "self_unmuted", by="self")

    # ------------------------------------------------------------------ speech

    def _voice(self) -> Speaker:
        if self._speaker is None:
            from realtimekit_mcp.bot.voice import Speaker

            self._speaker = Speaker(self.audio_source, self.config.tts, emit=self._emit)
        return self._speaker

    async def say(self, text: str, *, wait: bool = False, interrupt: bool = False) -> SpeechItem:
        """Speak ``text`` (synthesised sentence by sentence, queued behind earlier speech).

        Returns at once with the queued :class:`~realtimekit_mcp.bot.voice.SpeechItem`, or with
        ``wait=True`` when it has been played (or cut). ``interrupt=True`` is :meth:`interrupt`.

        Raises:
            SpeechUnavailableError: no TTS engine (install ``realtimekit-mcp[speech]``).
            RuntimeError: the bot is not joined.
        """
        self._require_joined()
        speaker = self._voice()
        await speaker.engine()
        await self.publish_audio()
        item = await (speaker.interrupt(text) if interrupt else speaker.say(text))
        if wait:
            await asyncio.shield(item.done)
        return item

    async def interrupt(self, text: str, *, wait: bool = False) -> SpeechItem:
        """Cut what is playing or queued and speak ``text`` now."""
        return await self.say(text, wait=wait, interrupt=True)

    def stop_speaking(self) -> int:
        """Flush the speech queue and queued audio: silence from the next 20 ms frame.

        Returns how many speech items were cut.
        """
        if self._speaker is None:
            self.audio_source.clear()
            return 0
        return self._speaker.stop()

    @property
    def speaking(self) -> bool:
        """Whether speech is playing or queued."""
        return self._speaker is not None and self._speaker.speaking

    async def start_transcription(self) -> None:
        """Transcribe every remote participant (VAD-segmented utterances, STT in worker threads).

        Finals arrive as ``transcript`` events (``source="bot"``) and in :meth:`transcript`.
        The bot's own audio is never transcribed. Idempotent.

        Raises:
            SpeechUnavailableError: no STT/VAD engine (install ``realtimekit-mcp[speech]``).
        """
        if self._listener is not None:
            return
        from realtimekit_mcp.bot.voice import Listener

        self._listener = await Listener.create(
            self.config.stt,
            self.config.vad,
            self._on_segment,
            max_pending=self.config.transcript_max_pending,
            options=self.config.vad_options,
        )
        for key, buffer in self.audio.items():
            self._listener.attach(key, buffer, key)

    async def stop_transcription(self) -> None:
        """Stop transcribing (what was already transcribed stays in :meth:`transcript`)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            await listener.aclose()

    @property
    def transcribing(self) -> bool:
        """Whether the bot is transcribing what it hears."""
        return self._listener is not None

    def _on_segment(self, segment: TranscriptSegment) -> None:
        if segment.participant_id == self.participant_id:
            return  # never the bot itself
        event = self._emit(
            "transcript",
            source="bot",
            text=segment.text,
            is_partial=False,
            participant_id=segment.participant_id,
            peer_id=segment.peer_id,
            speaker_name=segment.speaker_name,
            start=round(segment.start, 3),
            end=round(segment.end, 3),
            lag=round(segment.transcribed_at - segment.end, 3),
            segment_id=segment.id,
        )
        self._transcript.append((event.seq, segment))

    async def _start_agent_listen(self) -> None:
        """Open the Agent Participant socket with the bot's token (``listen_via="agent"``)."""
        from realtimekit_mcp.bot.agent_listen import AgentListener, agent_url_for

        listener = AgentListener(
            self._token,
            url=agent_url_for(self.config.api_base, self.config.agent_url),
            on_segment=self._on_agent_segment,
            skip_participant_id=self.participant_id,
            on_end=self._on_agent_end,
        )
        self._agent_listener = listener
        await listener.start()

    def _on_agent_segment(self, segment: TranscriptSegment, data: Mapping[str, Any]) -> None:
        if segment.participant_id == self.participant_id:
            return  # never the bot itself
        speaker = data.get("speaker") if isinstance(data.get("speaker"), Mapping) else {}
        event = self._emit(
            "transcript",
            source="agent",
            text=segment.text,
            is_partial=False,
            participant_id=segment.participant_id,
            peer_id=segment.peer_id,
            custom_participant_id=speaker.get("custom_participant_id") if speaker else None,
            speaker_name=segment.speaker_name,
            start=round(segment.start, 3),
            end=round(segment.end, 3),
            lag=round(segment.transcribed_at - segment.end, 3),
            confidence=data.get("confidence"),
            segment_id=segment.id,
        )
        self._transcript.append((event.seq, segment))

    def _on_agent_end(self, code: int | None, reason: str) -> None:
        self._emit("agent_listen_ended", code=code, reason=reason)

    @property
    def agent_listening(self) -> bool:
        """Whether the Agent Participant socket (``listen_via="agent"``) is open."""
        return self._agent_listener is not None and self._agent_listener.active

    def transcript(self, after: int = 0, *, limit: int | None = None) -> list[dict[str, Any]]:
        """The live transcript the bot heard: segments whose event ``seq > after``, oldest first."""
        out = [{"seq": seq, **segment.to_dict()} for seq, segment in self._transcript if seq > after]
        return out if limit is None else out[:limit]

    # ------------------------------------------------------------------ chat

    async def send_chat(self, text: str, *, to: Iterable[str] | None = None) -> None:
        """Send a text chat message to the room, or privately to the given peer ids or participant ids."""
        self._require_joined()
        sig = self._require_sig()
        if to is None:
            await sig.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM,
                chat_pb2.SendChatMessageToRoomRequest(payload_type=0, payload=text),
            )
        else:
            peer_ids = [self._resolve_peer(x) for x in to]
            await sig.send(
                ChatEvent.SEND_MESSAGE_TO_PEERS,
                chat_pb2.SendChatMessageToPeersRequest(peer_ids=peer_ids, payload_type=0, payload=text),
            )
        self._emit("chat_sent", text=text, to=list(to) if to is not None else None)

    def _resolve_peer(self, who: str) -> str:
        if who in self.peers:
            return who
        for remote in self.peers.values():
            if remote.user_id == who:
                return remote.peer_id
        raise KeyError(f"no peer or participant {who!r} in the room")

    # ------------------------------------------------------------------ pushes

    def _register_handlers(self, sig: SignallingClient) -> None:
        sig.on(RoomEvent.JOIN_ROOM, self._on_room_join)
        sig.on(RoomEvent.LEAVE_ROOM, self._on_room_leave)
        sig.on(RoomEvent.KICK, self._on_kick)
        sig.on(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, self._on_admitted)
        sig.on(
            RoomEvent.WAITING_ROOM_REQUEST_DENIED,
            lambda f: self._terminal_push(BotState.REJECTED, "rejected from the waiting room by a host"),
        )
        sig.on(
            RoomEvent.KICK_ALL, lambda f: self._terminal_push(BotState.MEETING_ENDED, "the meeting was ended")
        )
        sig.on(
            MediaEvent.MEDIA_ROOM_TERMINATION_BROADCAST,
            lambda f: self._terminal_push(
                BotState.MEETING_ENDED,
                "meeting ended: "
                + (
                    parse_payload(f, media_edge_pb2.MediaRoomTerminationBroadcastResponse).reason
                    or "media room closed"
                ),
            ),
        )
        sig.on(MediaEvent.HOST_CONTROL_PEER, self._on_host_control)
        sig.on(MediaEvent.PEER_JOINED_BROADCAST, self._on_peer_joined)
        sig.on(MediaEvent.PEER_LEAVE_BROADCAST, self._on_peer_left)
        sig.on(MediaEvent.PEER_PRODUCER_CREATE_BROADCAST, self._on_producer_create)
        sig.on(MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST, self._on_producer_toggle)
        sig.on(MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, self._on_producer_close)
        sig.on(ChatEvent.SEND_MESSAGE_TO_ROOM, lambda f: self._on_chat(f, private=False))
        sig.on(ChatEvent.SEND_MESSAGE_TO_PEERS, lambda f: self._on_chat(f, private=True))
        sig.on(RoomEvent.TRANSCRIPT, self._on_transcript)
        sig.on(RoomEvent.BROADCAST_MESSAGE, self._on_broadcast)
        sig.on(RoomEvent.BROADCAST_TO_ENTITY, self._on_broadcast)
        for feature in self.features:
            feature.register(sig)
        sig.on_default(lambda f: logger.debug("ignored push %r", f))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("bot background step failed: %s", redact(repr(task.exception())))

    def _on_room_join(self, frame: Frame) -> None:
        peer = parse_payload(frame, room_pb2.PeerInfoResponse).peer
        if not peer.peer_id or peer.peer_id == self.peer_id:
            return
        known = peer.peer_id in self.peers
        self._remember_peer(peer.peer_id, peer.user_id, peer.display_name)
        if not known:
            self._emit(
                "participant_joined",
                peer_id=peer.peer_id,
                participant_id=peer.user_id,
                name=peer.display_name,
            )

    def _on_room_leave(self, frame: Frame) -> None:
        peer = parse_payload(frame, room_pb2.PeerInfoResponse).peer
        self._peer_gone(peer.peer_id)

    def _on_peer_joined(self, frame: Frame) -> None:
        participant = parse_payload(frame, media_edge_pb2.PeerJoinBroadcastResponse).participant
        if not participant.peer_id or participant.peer_id == self.peer_id:
            return
        known = participant.peer_id in self.peers
        remote = self._remember_peer(participant.peer_id, participant.user_id, participant.display_name)
        if not known:
            self._emit(
                "participant_joined",
                peer_id=participant.peer_id,
                participant_id=remote.user_id,
                name=remote.name,
            )
        for state in participant.producer_states:
            self._on_new_producer(participant.peer_id, state)

    def _on_peer_left(self, frame: Frame) -> None:
        self._peer_gone(parse_payload(frame, media_edge_pb2.PeerLeaveBroadcastResponse).participant_id)

    def _peer_gone(self, peer_id: str) -> None:
        remote = self.peers.pop(peer_id, None)
        if remote is None:
            return
        for producer_id in remote.producers:
            self._drop_consumer(producer_id)
        if self._listener is not None:
            self._listener.detach(remote.user_id or peer_id)
        self._emit("participant_left", peer_id=peer_id, participant_id=remote.user_id, name=remote.name)

    def _on_producer_create(self, frame: Frame) -> None:
        push = parse_payload(frame, media_edge_pb2.PeerProducerCreateBroadcastResponse)
        if push.participant_id == self.peer_id:
            return
        self._on_new_producer(push.participant_id, push.producer_state)

    def _on_new_producer(self, peer_id: str, state: media_pb2.ProducerState) -> None:
        remote = self._remember_peer(peer_id, "", "")
        if state.producer_id in remote.producers:
            return
        remote.producers[state.producer_id] = state
        kind = "audio" if state.kind == media_pb2.AUDIO else "video"
        self._emit(
            "producer_added",
            peer_id=peer_id,
            participant_id=remote.user_id,
            producer_id=state.producer_id,
            kind=kind,
        )
        if kind == "audio" and self.state is BotState.JOINED:
            self._spawn(self._consume(peer_id, state))

    def _on_producer_toggle(self, frame: Frame) -> None:
        push = parse_payload(frame, media_edge_pb2.PeerProducerToggleBroadcastResponse)
        state = push.producer_state
        if push.participant_id == self.peer_id:
            published = self._published.get("audio")
            if (
                published
                and published.producer_id == state.producer_id
                and state.pause
                and not published.paused
            ):
                published.paused = True
                self.audio_source.paused = True
                by = push.initiator_participant_id if push.HasField("initiator_participant_id") else None
                self._emit("muted", by=by, kind="audio")
            return
        remote = self.peers.get(push.participant_id)
        if remote is not None and state.producer_id in remote.producers:
            remote.producers[state.producer_id].pause = state.pause
        self._emit(
            "producer_toggled", peer_id=push.participant_id, producer_id=state.producer_id, paused=state.pause
        )

    def _on_host_control(self, frame: Frame) -> None:
        request = parse_payload(frame, media_edge_pb2.HostMediaControlForPeerRequest)
        if request.participant_id and request.participant_id not in (self.peer_id, self.participant_id):
            return
        if request.audio and not self.audio_source.paused:
            self.audio_source.paused = True
            published = self._published.get("audio")
            if published is not None:
                published.paused = True
            self._emit("muted", by=None, kind="audio")

    def _on_producer_close(self, frame: Frame) -> None:
        push = parse_payload(frame, media_edge_pb2.PeerProducerCloseBroadcastResponse)
        producer_id = push.producer_state.producer_id
        remote = self.peers.get(push.participant_id)
        if remote is not None:
            remote.producers.pop(producer_id, None)
        self._drop_consumer(producer_id)
        self._emit("producer_removed", peer_id=push.participant_id, producer_id=producer_id)

    def _drop_consumer(self, producer_id: str) -> None:
        self._consumed.discard(producer_id)
        mids = [mid for mid, owner in self._mid_owner.items() if owner == producer_id]
        if not mids:
            return
        receivers = []
        for mid in mids:
            self._mid_owner.pop(mid, None)
            receiver = self._receivers.pop(mid, None)
            if receiver is not None:
                receivers.append(receiver)
        self._spawn(self._close_consumers(mids, receivers))

    async def _close_consumers(self, mids: list[str], receivers: list[AudioReceiver]) -> None:
        for receiver in receivers:
            await receiver.stop()
        recv, sig = self._recv, self._sig
        if recv is None or sig is None:
            return

        async def exchange(sdp: str) -> str:
            reply = await sig.request(
                MediaEvent.CLOSE_CONSUMER,
                media_edge_pb2.ConsumerCloseRequest(
                    consumer_ids=mids,
                    description=media_pb2.SessionDescription(
                        target=media_pb2.SUBSCRIBER, type="offer", sdp=sdp
                    ),
                    consuming_transport_id=recv.server_id or "",
                ),
                media_edge_pb2.ConsumerClosingResponse,
            )
            return reply.description.sdp

        try:
            await recv.close_consumers(mids, exchange if sig.connected else None)
        except Exception as exc:  # the connection may close under us (leave, reconnect)
            logger.info("closing consumers %s: %s", mids, exc)

    def _on_chat(self, frame: Frame, *, private: bool) -> None:
        if private:
            message = parse_payload(frame, chat_pb2.SendChatMessageToPeersResponse).message
        else:
            message = parse_payload(frame, chat_pb2.SendChatMessageToRoomResponse).message
        if message.peer_id and message.peer_id == self.peer_id:
            return
        kind = {0: "text", 1: "image", 2: "file"}.get(message.payload_type, "text")
        extra: dict[str, Any] = {}
        if kind != "text":
            url, name, size = file_link(message.payload)
            extra = {"url": url, "file_name": name, "size": size}
        self._emit(
            "chat",
            private=private,
            kind=kind,
            text=message.payload,
            **extra,
            payload_type=message.payload_type,
            from_peer_id=message.peer_id,
            from_participant_id=message.user_id,
            from_name=message.display_name,
            chat_id=message.chat_id,
        )

    def _on_transcript(self, frame: Frame) -> None:
        from realtimekit_mcp.protocol import ai_pb2

        transcript = parse_payload(frame, ai_pb2.MeetingTranscript)
        self._emit(
            "transcript",
            source="meeting",
            transcript=transcript.transcript,
            is_partial=transcript.is_partial,
        )

    def _on_broadcast(self, frame: Frame) -> None:
        message = parse_payload(frame, room_pb2.BroadcastMessage)
        self._emit("broadcast", kind=message.type, payload=message.payload.decode("utf-8", "replace"))

    def _on_kick(self, frame: Frame) -> None:
        peer = parse_payload(frame, room_pb2.PeerInfoResponse).peer
        if peer.peer_id and peer.peer_id != self.peer_id:
            self._peer_gone(peer.peer_id)
            return
        self._terminal_push(BotState.KICKED, "removed from the meeting by a host (kicked)")

    def _terminal_push(self, state: BotState, reason: str) -> None:
        if self.state.terminal:
            return
        self.state = state  # set now, so that the socket close that follows is not reconnected
        self._spawn(self._finish(state, reason))

    # ------------------------------------------------------------------ supervision

    async def _supervise(self) -> None:
        failures = 0
        while True:
            sig = self._require_sig()
            reason = await asyncio.shield(sig.closed)
            if self.state.terminal:
                return
            if not self.config.reconnect:
                await self._finish(BotState.FAILED, f"connection lost: {reason}")
                return
            self.state = BotState.RECONNECTING
            self._emit("reconnecting", reason=reason)
            await self._close_media()
            before = set(self.peers)
            try:
                await sig.reconnect(
                    backoff_base=self.config.reconnect_backoff_base,
                    backoff_cap=self.config.reconnect_backoff_cap,
                    max_attempts=self.config.reconnect_attempts,
                )
                if self.state.terminal:
                    return
                waitlisted = await self._join_session()
            except Exception as exc:
                if self.state.terminal:
                    return
                failures += 1
                if (
                    isinstance(exc, (HandshakeRefused, RequestError))
                    or failures >= self.config.reconnect_attempts
                ):
                    await self._finish(BotState.FAILED, f"could not rejoin: {_join_failure(exc)}")
                    return
                logger.info("rejoin failed (%s); trying again", _join_failure(exc))
                await sig.close("rejoin failed")  # resolves sig.closed: the loop reconnects again
                continue
            failures = 0
            for peer_id in before - self._present:
                self._peer_gone(peer_id)
            self.reconnects += 1
            self._emit("reconnected", peer_id=self.peer_id, waitlisted=waitlisted)
            if waitlisted:
                self.state = BotState.WAITLISTED
                self._admit_if_pending()
            elif self.joined_at is None:
                # Admitted while the connection was down (or during the rejoin): this is the join.
                self._joined()
                if self.config.listen_via == "agent" and self._agent_listener is None:
                    await self._start_agent_listen()
            else:
                self.state = BotState.JOINED

    # ------------------------------------------------------------------ leave and clean-up

    async def leave(self, reason: str = "left") -> None:
        """Leave the meeting (media and room), close the connections. Idempotent."""
        if self.state.terminal:
            await self._wait_finished()
            return
        sig = self._sig
        if sig is not None and sig.connected and self.state is BotState.JOINED:
            self.state = BotState.LEFT
            with contextlib.suppress(SignallingError):
                await sig.request(
                    MediaEvent.LEAVE_ROOM,
                    media_edge_pb2.PeerLeaveRequest(close_room=False),
                    media_edge_pb2.PeerLeaveResponse,
                    reply_timeout=2.0,
                )
            with contextlib.suppress(SignallingError):
                await sig.request(
                    RoomEvent.LEAVE_ROOM,
                    room_pb2.LeaveRoomRequest(),
                    room_pb2.PeerInfoResponse,
                    reply_timeout=2.0,
                )
        with anyio.CancelScope(shield=True):
            await self._finish(BotState.LEFT, reason)

    async def _wait_finished(self) -> None:
        await asyncio.shield(self.ended)

    async def _close_media(self) -> None:
        receivers, self._receivers = self._receivers, {}
        for receiver in receivers.values():
            await receiver.stop()
        self._mid_owner.clear()
        for transport in (self._send, self._recv):
            if transport is not None:
                await transport.close()
        self._send = self._recv = None

    async def _finish(self, state: BotState, reason: str) -> None:
        if self.ended.done():
            return
        self.state = state
        self.end_reason = redact(reason)
        current = asyncio.current_task()
        if self._supervisor is not None and self._supervisor is not current:
            self._supervisor.cancel()
            with contextlib.suppress(BaseException):
                await self._supervisor
        if self._speaker is not None:
            await self._speaker.aclose()
        self.audio_source.clear()
        if self._listener is not None:
            await self._listener.aclose()
        agent_listener, self._agent_listener = self._agent_listener, None
        if agent_listener is not None:
            with contextlib.suppress(Exception):
                await agent_listener.aclose(1000, "left" if state is BotState.LEFT else "")
        await self._close_media()
        if self._sig is not None:
            await self._sig.close(reason)
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        for task in list(self._tasks):
            if task is not current:
                with contextlib.suppress(BaseException):
                    await task
        if self._owns_http:
            await self._http.aclose()
        if not self.ended.done():
            self.ended.set_result(self.end_reason)
        if state is not BotState.FAILED or self.joined_at is not None or self._was_waitlisted:
            self._emit(
                {
                    BotState.LEFT: "left",
                    BotState.KICKED: "kicked",
                    BotState.MEETING_ENDED: "meeting_ended",
                    BotState.FAILED: "failed",
                    BotState.REJECTED: "rejected",
                }[state],
                reason=self.end_reason,
            )

    # ------------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        """A JSON-ready summary: state, reason, peers, published tracks, audio buffers, last event seq."""
        return {
            "state": self.state.value,
            "end_reason": self.end_reason,
            "meeting_id": self.meeting_id,
            "participant_id": self.participant_id,
            "peer_id": self.peer_id,
            "name": self.display_name,
            "reconnects": self.reconnects,
            "muted": self.audio_source.paused,
            "published": {
                k: {"producer_id": v.producer_id, "paused": v.paused} for k, v in self._published.items()
            },
            "outgoing_audio_queued_seconds": round(self.audio_source.buffered_seconds, 3),
            "speaking": self.speaking,
            "transcribing": self.transcribing,
            "listen_via": self.config.listen_via,
            "agent_listening": self.agent_listening,
            "peers": [
                {
                    "peer_id": p.peer_id,
                    "participant_id": p.user_id,
                    "name": p.name,
                    "producers": len(p.producers),
                }
                for p in self.peers.values()
            ],
            "audio_buffers": {
                key: {
                    "name": b.name,
                    "peer_id": b.peer_id,
                    "seconds": round(b.seconds, 3),
                    "dropped_bytes": b.dropped_bytes,
                }
                for key, b in self.audio.items()
            },
            "last_seq": self._seq,
            **{f.name: f.status() for f in self.features if f.name},
        }

    def audio_key(self, who: str) -> str:
        """The key of :attr:`audio` for a participant id or a peer id."""
        if who in self.audio:
            return who
        remote = self.peers.get(who)
        return remote.user_id if remote is not None and remote.user_id else who

    async def wait_audio(self, who: str, *, seconds: float = 0.0, new_frames: int = 0) -> AudioBuffer:
        """Wait until the audio of ``who`` (participant or peer id) holds ``seconds`` and ``new_frames`` more frames.

        Bound the wait with a timeout (``anyio.fail_after``).
        """
        key = self.audio_key(who)
        while key not in self.audio:
            await self.wait_event(
                "subscribed",
                after=0,
                where=lambda e: who in (e.data.get("participant_id"), e.data.get("peer_id")),
            )
            key = self.audio_key(who)
            if key not in self.audio:
                waiter = self._event_added
                await waiter.wait()
        buffer = self.audio[key]
        target = buffer.frames + new_frames
        await buffer.wait_until(lambda b: b.seconds >= seconds and b.frames >= target)
        return buffer

    def buffered_audio_bytes(self) -> int:
        """Bytes of received PCM held across all remote participants."""
        return sum(b.size for b in self.audio.values())

    # ------------------------------------------------------------------ helpers

    def _require_sig(self) -> SignallingClient:
        if self._sig is None:
            raise BotJoinError("the bot has not joined")
        return self._sig

    def _require_joined(self) -> None:
        if self.state is BotState.WAITLISTED:
            raise RuntimeError("bot is waiting in the waiting room for a host to admit it")
        if self.state is not BotState.JOINED:
            raise RuntimeError(
                f"bot is {self.state.value}" + (f" ({self.end_reason})" if self.end_reason else "")
            )


def _join_failure(exc: BaseException) -> str:
    if isinstance(exc, HandshakeRefused):
        return f"join refused by the socket edge: {exc.reason or exc}"
    if isinstance(exc, RequestError):
        return f"join refused: {exc.server_message}"
    if isinstance(exc, asyncio.CancelledError):
        return "join cancelled"
    if isinstance(exc, (SignallingError, PeerError, BotJoinError, ValueError)):
        return str(exc)
    return f"join failed: {type(exc).__name__}: {redact(str(exc))}"
