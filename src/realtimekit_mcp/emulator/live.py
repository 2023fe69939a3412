"""Rooms, peers and chat of the emulator's live plane: pure state, no I/O, no protobuf.

A *peer* is one socket connection of a participant (``peerID`` of the socket URL). It goes
through two joins, as with the web SDK: the media join (``media.joinRoom``, then
``selfJoinComplete``) and the room join (``joinRoom``), in either order. Who receives which push
is decided here (:meth:`Room.room_members`, :meth:`Room.media_members`, :meth:`ChatEntry.visible_to`);
:mod:`.edge` encodes and sends, :mod:`.sfu` moves media, :mod:`.backend` keeps sessions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "CHAT_HISTORY_LIMIT",
    "ENTERED_LIMIT",
    "STAGE_STATES",
    "ChatEntry",
    "LivePeer",
    "LiveState",
    "RemovalReason",
    "Room",
    "named_peers",
]

ENTERED_LIMIT = 10_000
"""Peers remembered as having entered a room (for reconnects past the waiting room)."""

CHAT_HISTORY_LIMIT = 1000
"""Messages a room keeps for ``getMessages`` (the chat export keeps every room message)."""


class RemovalReason(StrEnum):
    """Why a peer left the room; decides the pushes it gets and the socket close code."""

    LEFT = "left"
    """It sent leaveRoom or its socket closed."""
    KICKED = "kicked"
    """A REST kick removed it."""
    MEETING_ENDED = "meeting_ended"
    """Kick-all or a host ended the session."""
    REPLACED = "replaced"
    """A new socket with the same peer id, or one naming it as ``oldPeerID``."""
    REJECTED = "rejected"
    """A host denied its waiting-room request."""


STAGE_STATES = ("ON_STAGE", "APPROVED_STAGE", "REQUESTED_STAGE", "OFF_STAGE")
"""Stage states of a peer whose preset has a stage (``socket.room.StageType`` names without prefix)."""


@dataclass(eq=False)
class LivePeer:
    """One connected peer and its progress through the joins."""

    peer_id: str
    participant_id: str
    meeting_id: str
    app_id: str
    display_name: str
    custom_participant_id: str | None = None
    preset_id: str | None = None
    preset_name: str | None = None
    picture: str | None = None
    media_joined: bool = False
    """``media.joinRoom`` accepted."""
    media_complete: bool = False
    """``selfJoinComplete`` done: receives producer and peer broadcasts."""
    room_joined: bool = False
    """``joinRoom`` accepted: counted in the session, receives room pushes and chat."""
    session_id: str | None = None
    muted: bool = False
    removed: RemovalReason | None = None
    waitlisted: bool = False
    """Held in the waiting room: its joinRoom was answered with ``waitlisted``; not a room member."""
    admitted: bool = False
    """A host admitted it (or it replaced an admitted peer): its next joinRoom is not held."""
    stage: str | None = None
    """One of :data:`STAGE_STATES` when its preset has a stage (webinar presets), else None."""


@dataclass(frozen=True)
class ChatEntry:
    """One chat message of a room; ``targets`` are peer ids (empty for a room message)."""

    chat_id: str
    peer_id: str
    user_id: str
    display_name: str
    payload_type: int
    payload: str
    created_at_ms: int
    targets: tuple[str, ...] = ()

    @property
    def private(self) -> bool:
        """True for a message to chosen peers."""
        return bool(self.targets)

    def visible_to(self, peer_id: str) -> bool:
        """Whether ``peer_id`` may read this message (room messages: everyone)."""
        return not self.targets or peer_id == self.peer_id or peer_id in self.targets


@dataclass(eq=False)
class Room:
    """The live state of one meeting."""

    meeting_id: str
    peers: dict[str, LivePeer] = field(default_factory=dict)
    session_id: str | None = None
    chat: list[ChatEntry] = field(default_factory=list)
    pinned_peer_id: str | None = None
    """The peer pinned for everyone (globalPinPeer), if any."""
    top_speaker: str | None = None
    """The peer last announced as the active speaker (selectedPeerDiff)."""

    def waitlist(self) -> list[LivePeer]:
        """Peers waiting in the waiting room, in arrival order."""
        return [p for p in self.peers.values() if p.waitlisted]

    def in_stage(self, state: str) -> list[LivePeer]:
        """Room members whose stage state is ``state``."""
        return [p for p in self.room_members() if p.stage == state]

    def room_members(self, *, exclude: str | None = None) -> list[LivePeer]:
        """Peers that completed the room join (receive room pushes and chat), in join order."""
        return [p for p in self.peers.values() if p.room_joined and p.peer_id != exclude]

    def media_members(self, *, exclude: str | None = None) -> list[LivePeer]:
        """Peers that completed the media join (receive producer and peer broadcasts)."""
        return [p for p in self.peers.values() if p.media_complete and p.peer_id != exclude]

    def enter_session(self, session_id: str) -> None:
        """Note the session a room join landed in; a new session starts with an empty chat."""
        if session_id != self.session_id:
            self.session_id = session_id
            self.chat = []

    def add_chat(self, entry: ChatEntry) -> None:
        """Keep a message in the room's history (the newest :data:`CHAT_HISTORY_LIMIT`)."""
        self.chat.append(entry)
        if len(self.chat) > CHAT_HISTORY_LIMIT:
            del self.chat[: len(self.chat) - CHAT_HISTORY_LIMIT]

    def history_for(self, peer_id: str) -> list[ChatEntry]:
        """The chat messages ``peer_id`` may read, oldest first."""
        return [entry for entry in self.chat if entry.visible_to(peer_id)]


@dataclass
class LiveState:
    """Every room and peer of the emulator."""

    rooms: dict[str, Room] = field(default_factory=dict)
    peers: dict[str, LivePeer] = field(default_factory=dict)
    accepted: dict[str, set[str]] = field(default_factory=dict)
    """Per meeting, the participants a host admitted once (``SKIP_ON_ACCEPT`` lets them in after)."""
    entered: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Peer id -> (participant id, meeting id) of peers that joined the room or were admitted (the
    newest :data:`ENTERED_LIMIT`): a reconnect naming one as ``oldPeerID`` skips the waiting room.
    Only a dropped connection keeps that right: a kick, a rejection or the end of the session
    forgets it (:meth:`forget_entered`, :meth:`forget_meeting`)."""

    def note_entered(self, peer: LivePeer) -> None:
        """Remember that ``peer`` got into the room (for a later reconnect)."""
        self.entered.pop(peer.peer_id, None)
        self.entered[peer.peer_id] = (peer.participant_id, peer.meeting_id)
        while len(self.entered) > ENTERED_LIMIT:
            del self.entered[next(iter(self.entered))]

    def entered_before(self, old_peer_id: str, participant_id: str) -> bool:
        """Whether ``old_peer_id`` was a peer of this participant that got into the room."""
        known = self.entered.get(old_peer_id) if old_peer_id else None
        return known is not None and known[0] == participant_id

    def forget_entered(self, peer_id: str) -> None:
        """A peer was removed for good (kicked, rejected, meeting ended): no skipping the waiting room."""
        self.entered.pop(peer_id, None)

    def forget_meeting(self, meeting_id: str) -> None:
        """The meeting's session ended: its peers wait again next time."""
        for peer_id in [p for p, (_, m) in self.entered.items() if m == meeting_id]:
            del self.entered[peer_id]

    def add(self, peer: LivePeer) -> Room:
        """Register a connected peer; returns its room."""
        room = self.rooms.setdefault(peer.meeting_id, Room(peer.meeting_id))
        room.peers[peer.peer_id] = peer
        self.peers[peer.peer_id] = peer
        return room

    def room_of(self, peer: LivePeer) -> Room:
        """The room of a registered peer."""
        return self.rooms.setdefault(peer.meeting_id, Room(peer.meeting_id))

    def discard(self, peer: LivePeer) -> None:
        """Forget a peer (only if this exact peer object is registered); drops an empty room."""
        if self.peers.get(peer.peer_id) is peer:
            del self.peers[peer.peer_id]
        room = self.rooms.get(peer.meeting_id)
        if room is not None and room.peers.get(peer.peer_id) is peer:
            del room.peers[peer.peer_id]
            if not room.peers and not room.chat:
                del self.rooms[peer.meeting_id]


def named_peers(candidates: Iterable[LivePeer], ids: list[str]) -> tuple[list[LivePeer], list[str]]:
    """The candidates that ``ids`` name (by participant id or peer id), and the ids naming none."""
    wanted = set(ids)
    found = [p for p in candidates if p.participant_id in wanted or p.peer_id in wanted]
    known = {p.participant_id for p in found} | {p.peer_id for p in found}
    return found, [i for i in dict.fromkeys(ids) if i not in known]
