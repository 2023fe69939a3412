"""Bot feature: the live participants view (joined, active speakers, waitlisted, pinned, stage).

Fed by the socket pushes (room joins and leaves, media peer and producer broadcasts, the pin
broadcast, waiting-room list pushes, stage updates, ``selectedPeerDiff`` speaker hints) and by the
audio the bot receives: a participant is *speaking* while the RMS level of its received audio stays
above :data:`SPEAKING_RMS` (started after :data:`SPEAKING_ONSET_CHUNKS` loud chunks, stopped
:data:`SPEAKING_HANG` seconds after the last loud one, or when its audio stops arriving).

Events: ``waitlist_added`` / ``waitlist_removed`` {participant_id, peer_id, name[, outcome]},
``pinned`` {participant_id, by}, ``speaking_started`` / ``speaking_stopped`` {participant_id, name},
``media_changed`` {participant_id, kind, on}, ``stage_changed`` {participant_id, stage}.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import math
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.protocol import livestreaming_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

if TYPE_CHECKING:
    from realtimekit_mcp.bot.participant import BotParticipant
    from realtimekit_mcp.bot.signalling import SignallingClient
    from realtimekit_mcp.bot.tracks import AudioBuffer

__all__ = ["SPEAKING_HANG", "SPEAKING_ONSET_CHUNKS", "SPEAKING_RMS", "Roster"]

SPEAKING_RMS = 500.0
"""RMS of s16 samples (about -36 dBFS) above which a received audio chunk counts as loud."""
SPEAKING_ONSET_CHUNKS = 3
"""Consecutive loud chunks (20 ms each) before a participant counts as speaking."""
SPEAKING_HANG = 0.6
"""Seconds after the last loud chunk before a participant stops counting as speaking."""
SERVER_SPEAKER_HANG = 1.5
"""Seconds a server speaker hint (``selectedPeerDiff``) keeps a participant speaking."""

_STAGE_NAMES: dict[int, str] = {
    int(room_pb2.STAGE_TYPE_ON_STAGE): "on_stage",
    int(room_pb2.STAGE_TYPE_APPROVED_STAGE): "approved",
    int(room_pb2.STAGE_TYPE_REQUESTED_STAGE): "requested",
    int(room_pb2.STAGE_TYPE_OFF_STAGE): "off_stage",
}


def stage_name(value: int) -> str | None:
    """``"on_stage"``, ``"approved"``, ``"requested"``, ``"off_stage"`` (None: no stage)."""
    return _STAGE_NAMES.get(int(value))


def chunk_rms(pcm: bytes) -> float:
    """RMS of s16le samples (every fourth sample; enough for a level)."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":  # pragma: no cover - little-endian hosts only in practice
        samples.byteswap()
    picked = samples[::4]
    if not picked:
        return 0.0
    return math.sqrt(sum(x * x for x in picked) / len(picked))


@dataclass(slots=True)
class _Voice:
    """Speaking state of one remote participant (by participant id)."""

    loud_chunks: int = 0
    last_loud: float = 0.0
    level: float = 0.0
    speaking: bool = False
    hang: float = SPEAKING_HANG


class Roster(BotFeature):
    """The participants of the bot's meeting as the bot sees them, live."""

    name = "participants"

    def __init__(self, bot: BotParticipant) -> None:
        super().__init__(bot)
        self._info: dict[str, dict[str, Any]] = {}  # peer id -> custom_participant_id, preset_name
        self._stage: dict[str, str | None] = {}  # peer id -> stage name
        self._media: dict[str, tuple[bool, bool, bool]] = {}  # peer id -> audio, video, screenshare
        self._pinned_peer: str | None = None
        self._pin_requested = False
        self._waitlist: dict[str, dict[str, str]] = {}  # participant id -> entry
        self._decisions: dict[str, str] = {}  # participant id -> "admitted" / "rejected" (by this bot)
        self._stage_requests: dict[str, dict[str, str]] = {}  # participant id -> entry
        self._voices: dict[str, _Voice] = {}  # participant id (or peer id) -> speaking state
        self._tapped: set[int] = set()
        self.self_stage: str | None = None
        """The bot's own stage state (webinar presets), from its join and stage updates."""

    # ------------------------------------------------------------------ plumbing

    def register(self, sig: SignallingClient) -> None:
        """Install the push handlers this view needs (after the bot's own, so its peers are current)."""
        sig.on(RoomEvent.JOIN_ROOM, self._on_room_peer)
        sig.on(RoomEvent.LEAVE_ROOM, self._on_room_leave)
        sig.on(MediaEvent.PEER_LEAVE_BROADCAST, self._on_peer_left)
        for event in (
            MediaEvent.PEER_JOINED_BROADCAST,
            MediaEvent.PEER_PRODUCER_CREATE_BROADCAST,
            MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST,
            MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST,
        ):
            sig.on(event, self._on_media_push)
        sig.on(MediaEvent.GLOBAL_PEER_PIN_BROADCAST, self._on_pin)
        sig.on(RoomEvent.GET_WAITING_ROOM_REQUESTS, self._on_waitlist)
        sig.on(RoomEvent.PEER_STAGE_STATUS_UPDATE, self._on_stage_update)
        sig.on(RoomEvent.GET_STAGE_REQUESTS, self._on_stage_requests)
        sig.on(MediaEvent.SELECTED_PEER_DIFF, self._on_selected_diff)

    def reset(self) -> None:
        """Forget per-connection state before a (re)join; speaking states end."""
        for key in [k for k, v in self._voices.items() if v.speaking]:
            self._stop_speaking(key)
        self._info.clear()
        self._stage.clear()
        self._pinned_peer = None
        # The waitlist is kept: after_join reloads it and reports only what changed meanwhile.
        self._stage_requests.clear()

    # ------------------------------------------------------------------ hooks from the bot

    def learn_peer(self, peer: room_pb2.Peer) -> None:
        """Details of a room member (from joinRoom pushes and getRoomPeersInfo)."""
        if not peer.peer_id:
            return
        info = self._info.setdefault(peer.peer_id, {})
        if peer.HasField("custom_participant_id"):
            info["custom_participant_id"] = peer.custom_participant_id
        if peer.flags.preset_name:
            info["preset_name"] = peer.flags.preset_name
        if peer.HasField("stage_type"):
            stage = stage_name(peer.stage_type)
            if peer.peer_id == self.bot.peer_id:
                self.self_stage = stage
            else:
                self._stage[peer.peer_id] = stage

    def learn_room_state(self, complete: media_edge_pb2.PeerJoinCompleteResponse) -> None:
        """The pin and the peers' media from the selfJoinComplete reply."""
        pinned = list(complete.room_state.pinned_peer_ids)
        self._pinned_peer = pinned[0] if pinned else None
        for peer_id in list(self.bot.peers):
            self._media[peer_id] = self._media_of(peer_id)

    async def after_join(self) -> None:
        """Load the waitlist and stage requests when the bot may decide on them (as the SDK does)."""
        permissions = self.bot.host.permissions()
        sig = self.bot._require_sig()
        with contextlib.suppress(Exception):
            if permissions.get("accept_waiting_requests"):
                listed = await sig.request(
                    RoomEvent.GET_WAITING_ROOM_REQUESTS,
                    None,
                    room_pb2.GetWaitingRoomRequests,
                    reply_timeout=5.0,
                )
                self._set_waitlist(listed)
            elif self._waitlist:
                self._set_waitlist(room_pb2.GetWaitingRoomRequests())
        with contextlib.suppress(Exception):
            if permissions.get("accept_stage_requests") and permissions.get("stage_enabled"):
                requests = await sig.request(
                    RoomEvent.GET_STAGE_REQUESTS,
                    None,
                    livestreaming_pb2.GetStageRequestsResponse,
                    reply_timeout=5.0,
                )
                self._set_stage_requests(requests)

    def attach_audio(self, key: str, buffer: AudioBuffer) -> None:
        """Watch a received audio buffer (``key``: the participant id) for speech."""
        if id(buffer) in self._tapped:
            return
        self._tapped.add(id(buffer))
        buffer.taps.append(lambda pcm: self._on_audio(key, pcm))

    def note_decisions(self, participant_ids: Iterable[str], outcome: str) -> None:
        """This bot admitted or rejected these participants (the outcome of their waitlist removal)."""
        for participant_id in participant_ids:
            self._decisions[participant_id] = outcome

    def drop_decisions(self, participant_ids: Iterable[str]) -> None:
        """A decision noted with :meth:`note_decisions` was refused: forget it."""
        for participant_id in participant_ids:
            self._decisions.pop(participant_id, None)

    def note_pin_request(self) -> None:
        """This bot asked for the next pin change (reported as ``by`` the bot)."""
        self._pin_requested = True

    # ------------------------------------------------------------------ queries

    def waitlisted(self) -> list[dict[str, str]]:
        """Participants waiting in the waiting room (known only to a bot that may admit them)."""
        return list(self._waitlist.values())

    def stage_requests(self) -> list[dict[str, str]]:
        """Participants asking to join the stage (known only to a bot that may accept them)."""
        return list(self._stage_requests.values())

    def participant_of(self, peer_id: str | None) -> str | None:
        """The participant id of a peer in the room (the bot included)."""
        if not peer_id:
            return None
        if peer_id == self.bot.peer_id:
            return str(self.bot.participant_id)
        remote = self.bot.peers.get(peer_id)
        return (remote.user_id or peer_id) if remote is not None else peer_id

    def active_speakers(self) -> list[str]:
        """Participant ids speaking now, loudest first."""
        speaking = [(v.level, v.last_loud, k) for k, v in self._voices.items() if v.speaking]
        return [k for _, _, k in sorted(speaking, reverse=True)]

    def status(self) -> dict[str, Any]:
        """``joined``, ``active_speakers``, ``waitlisted`` and ``pinned`` (see the contract of the bot API)."""
        bot = self.bot
        pinned = self.participant_of(self._pinned_peer)
        joined: list[dict[str, Any]] = []
        if bot.peer_id:
            published = bot._published
            joined.append(
                {
                    "participant_id": bot.participant_id,
                    "peer_id": bot.peer_id,
                    "name": bot.display_name,
                    "custom_participant_id": bot.details.custom_participant_id if bot.details else None,
                    "preset_name": bot.details.preset_name if bot.details else None,
                    "audio": "audio" in published and not published["audio"].paused,
                    "video": "video" in published and not published["video"].paused,
                    "screenshare": "screenshare" in published and not published["screenshare"].paused,
                    "speaking": bool(bot.speaking),
                    "pinned": pinned == bot.participant_id,
                    "stage": self.self_stage,
                }
            )
        for peer_id, remote in bot.peers.items():
            audio, video, screenshare = self._media_of(peer_id)
            info = self._info.get(peer_id, {})
            participant_id = remote.user_id or peer_id
            voice = self._voices.get(participant_id)
            joined.append(
                {
                    "participant_id": participant_id,
                    "peer_id": peer_id,
                    "name": remote.name,
                    "custom_participant_id": info.get("custom_participant_id"),
                    "preset_name": info.get("preset_name"),
                    "audio": audio,
                    "video": video,
                    "screenshare": screenshare,
                    "speaking": voice is not None and voice.speaking,
                    "pinned": self._pinned_peer == peer_id,
                    "stage": self._stage.get(peer_id),
                }
            )
        return {
            "joined": joined,
            "active_speakers": self.active_speakers(),
            "waitlisted": self.waitlisted(),
            "pinned": pinned,
        }

    # ------------------------------------------------------------------ media state

    def _media_of(self, peer_id: str) -> tuple[bool, bool, bool]:
        remote = self.bot.peers.get(peer_id)
        if remote is None:
            return (False, False, False)
        audio = video = screenshare = False
        for state in remote.producers.values():
            if state.pause:
                continue
            if state.screen_share:
                screenshare = True
            elif state.kind == media_pb2.AUDIO:
                audio = True
            else:
                video = True
        return (audio, video, screenshare)

    def _on_media_push(self, frame: Frame) -> None:
        peer_id = ""
        if frame.event == MediaEvent.PEER_JOINED_BROADCAST:
            peer_id = parse_payload(frame, media_edge_pb2.PeerJoinBroadcastResponse).participant.peer_id
        elif frame.event == MediaEvent.PEER_PRODUCER_CREATE_BROADCAST:
            peer_id = parse_payload(frame, media_edge_pb2.PeerProducerCreateBroadcastResponse).participant_id
        elif frame.event == MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST:
            peer_id = parse_payload(frame, media_edge_pb2.PeerProducerToggleBroadcastResponse).participant_id
        elif frame.event == MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST:
            peer_id = parse_payload(frame, media_edge_pb2.PeerProducerCloseBroadcastResponse).participant_id
        if not peer_id or peer_id == self.bot.peer_id:
            return
        before = self._media.get(peer_id, (False, False, False))
        after = self._media_of(peer_id)
        self._media[peer_id] = after
        participant_id = self.participant_of(peer_id)
        for kind, was, now in zip(("audio", "video", "screenshare"), before, after, strict=True):
            if was != now:
                self.bot._emit(
                    "media_changed", participant_id=participant_id, peer_id=peer_id, kind=kind, on=now
                )
        if before[0] and not after[0] and participant_id:
            self._stop_speaking(participant_id)

    # ------------------------------------------------------------------ room pushes

    def _on_room_peer(self, frame: Frame) -> None:
        self.learn_peer(parse_payload(frame, room_pb2.PeerInfoResponse).peer)

    def _on_room_leave(self, frame: Frame) -> None:
        self._forget(parse_payload(frame, room_pb2.PeerInfoResponse).peer.peer_id)

    def _on_peer_left(self, frame: Frame) -> None:
        self._forget(parse_payload(frame, media_edge_pb2.PeerLeaveBroadcastResponse).participant_id)

    def _forget(self, peer_id: str) -> None:
        if not peer_id or peer_id in self.bot.peers:
            return
        self._info.pop(peer_id, None)
        self._stage.pop(peer_id, None)
        self._media.pop(peer_id, None)
        for key in [k for k, v in self._voices.items() if v.speaking]:
            if key == peer_id or not any((r.user_id or r.peer_id) == key for r in self.bot.peers.values()):
                self._stop_speaking(key)

    def _on_pin(self, frame: Frame) -> None:
        peer_id = (
            parse_payload(frame, media_edge_pb2.GlobalPeerPinningBroadcastResponse).participant_id or None
        )
        by = self.bot.participant_id if self._pin_requested else None
        self._pin_requested = False
        if peer_id == self._pinned_peer:
            return
        self._pinned_peer = peer_id
        self.bot._emit("pinned", participant_id=self.participant_of(peer_id), peer_id=peer_id, by=by)

    # ------------------------------------------------------------------ waiting room

    def _on_waitlist(self, frame: Frame) -> None:
        self._set_waitlist(parse_payload(frame, room_pb2.GetWaitingRoomRequests))

    def _set_waitlist(self, listed: room_pb2.GetWaitingRoomRequests) -> None:
        current = {
            r.user_id or r.peer_id: {
                "participant_id": r.user_id or r.peer_id,
                "peer_id": r.peer_id,
                "name": r.display_name,
            }
            for r in listed.requests
        }
        for participant_id, entry in current.items():
            if participant_id not in self._waitlist:
                self._decisions.pop(participant_id, None)
                self.bot._emit("waitlist_added", **entry)
        for participant_id, entry in self._waitlist.items():
            if participant_id not in current:
                outcome = self._decisions.pop(participant_id, "gone")
                self.bot._emit("waitlist_removed", **entry, outcome=outcome)
        self._waitlist = current

    # ------------------------------------------------------------------ stage

    def _on_stage_update(self, frame: Frame) -> None:
        update = parse_payload(frame, room_pb2.PeerStatusUpdate)
        stage = stage_name(update.stage_type) if update.HasField("stage_type") else None
        if update.peer_id == self.bot.peer_id:
            if stage == self.self_stage:
                return
            self.self_stage = stage
        else:
            if self._stage.get(update.peer_id) == stage:
                return
            self._stage[update.peer_id] = stage
        participant_id = update.user_id or self.participant_of(update.peer_id)
        self.bot._emit("stage_changed", participant_id=participant_id, peer_id=update.peer_id, stage=stage)

    def _on_stage_requests(self, frame: Frame) -> None:
        self._set_stage_requests(parse_payload(frame, livestreaming_pb2.GetStageRequestsResponse))

    def _set_stage_requests(self, listed: livestreaming_pb2.GetStageRequestsResponse) -> None:
        self._stage_requests = {
            r.user_id or r.peer_id: {
                "participant_id": r.user_id or r.peer_id,
                "peer_id": r.peer_id,
                "name": r.display_name,
            }
            for r in listed.stage_requests
        }

    # ------------------------------------------------------------------ speakers

    def _name_of(self, participant_id: str) -> str:
        for remote in self.bot.peers.values():
            if (remote.user_id or remote.peer_id) == participant_id:
                return str(remote.name)
        buffer = self.bot.audio.get(participant_id)
        return str(buffer.name) if buffer is not None else ""

    def _on_audio(self, key: str, pcm: bytes) -> None:
        rms = chunk_rms(pcm)
        voice = self._voices.setdefault(key, _Voice())
        voice.level = 0.7 * voice.level + 0.3 * rms
        if rms < SPEAKING_RMS:
            voice.loud_chunks = 0
            return
        voice.loud_chunks += 1
        voice.last_loud = time.monotonic()
        voice.hang = SPEAKING_HANG
        if not voice.speaking and voice.loud_chunks >= SPEAKING_ONSET_CHUNKS:
            self._start_speaking(key, voice)

    def _on_selected_diff(self, frame: Frame) -> None:
        diff = parse_payload(frame, media_edge_pb2.SelectedPeersDiffResponse)
        top = min(diff.entries, key=lambda e: e.priority, default=None)
        if (
            top is None
            or top.priority < 1
            or top.peer_id == self.bot.peer_id
            or top.peer_id not in self.bot.peers
        ):
            return
        key = self.participant_of(top.peer_id) or top.peer_id
        voice = self._voices.setdefault(key, _Voice())
        voice.last_loud = time.monotonic()
        voice.hang = SERVER_SPEAKER_HANG
        if not voice.speaking:
            self._start_speaking(key, voice)

    def _start_speaking(self, key: str, voice: _Voice) -> None:
        voice.speaking = True
        self.bot._emit("speaking_started", participant_id=key, name=self._name_of(key))
        self.bot._spawn(self._watch_silence(key, voice))

    async def _watch_silence(self, key: str, voice: _Voice) -> None:
        """Stop ``key`` speaking once no loud audio came for its hang time (also when audio stops)."""
        while voice.speaking:
            remaining = voice.last_loud + voice.hang - time.monotonic()
            if remaining <= 0:
                self._stop_speaking(key)
                return
            await asyncio.sleep(remaining)  # a timer for the hang time, not a poll

    def _stop_speaking(self, key: str) -> None:
        voice = self._voices.get(key)
        if voice is None or not voice.speaking:
            return
        voice.speaking = False
        voice.loud_chunks = 0
        self.bot._emit("speaking_stopped", participant_id=key, name=self._name_of(key))
