"""Pin, active speaker and stage in the emulator's live plane.

* **Pin** (``globalPinPeer``, media 19, needs ``pin_participant``): the room keeps one pinned peer;
  everyone in the room gets ``globalPeerPinBroadcast`` (media 30); an empty ``participant_id``
  unpins; a pinned peer that leaves is unpinned. New joiners learn the pin from
  ``room_state.pinned_peer_ids`` of their selfJoinComplete reply (what SDK 2.0.2 reads).
* **Active speaker**: a peer's non-silent ``audioActivity`` (media 100) for its own producer makes it
  the room's top speaker; the other peers get ``selectedPeerDiff`` (media 40) with the peer at
  priority 1 (the SDK's active speaker is the first of its priority-ordered list). Silence sends
  nothing (the SDK keeps the last speaker until another one speaks).
* **Stage** (presets with ``stage_enabled``): ``stage_access`` ALLOWED peers start ON_STAGE,
  others OFF_STAGE. requestStageAccess / cancelStageRequest (by the peer), grantStageAccess /
  denyStageAccess (by a peer with ``accept_stage_requests``), joinStage (approved or ALLOWED peers),
  leaveStage (own user id; others' needs ``accept_stage_requests``). Stage changes go to the room
  as ``peerStageStatusUpdate`` (38); hosts get the request list as ``getStageRequests`` (12)
  pushes.
* **Stage-gated media**: a peer whose preset has ``stage_enabled`` may produce audio, video or a
  screenshare only while ON_STAGE (else the media ERROR_RESPONSE ``not_on_stage``). When it leaves
  the stage (itself, or taken off by a host with ``leaveStage``), its producers close: the others get
  ``peerProducerCloseBroadcast``. The SDK cleans up its own media after its leaveStage
  (``stageLeft``): a later ``closeProducer`` of such a producer is answered normally (the offer
  gets its answer) and a ``toggleProducer`` of it is acknowledged, without pushes to the others.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from realtimekit_mcp.protocol import livestreaming_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

from .live import LivePeer, Room, named_peers
from .sfu import SfuError

if TYPE_CHECKING:
    from .edge import Connection, Handler, LivePlane

__all__ = ["LiveHostFeatures"]

logger = logging.getLogger(__name__)

_STAGE_TYPE = {
    "ON_STAGE": room_pb2.STAGE_TYPE_ON_STAGE,
    "APPROVED_STAGE": room_pb2.STAGE_TYPE_APPROVED_STAGE,
    "REQUESTED_STAGE": room_pb2.STAGE_TYPE_REQUESTED_STAGE,
    "OFF_STAGE": room_pb2.STAGE_TYPE_OFF_STAGE,
}


def stage_type(state: str) -> room_pb2.StageType:
    """The protobuf enum value of a stage state name."""
    return _STAGE_TYPE[state]


class LiveHostFeatures:
    """Pin, active speaker and stage handlers of one live plane."""

    def __init__(self, plane: LivePlane) -> None:
        self.plane = plane
        self._stage_closed: dict[str, dict[str, str]] = {}
        """peer id -> {producer id: transport id} of producers closed when the peer left the stage."""

    def handlers(self) -> dict[int, Handler]:
        """Socket handlers of pin, audio activity and stage events."""
        return {
            MediaEvent.GLOBAL_PIN_PEER: self._pin,
            MediaEvent.AUDIO_ACTIVITY: self._audio_activity,
            RoomEvent.GET_STAGE_PEERS: self._stage_peers,
            RoomEvent.GET_STAGE_REQUESTS: self._stage_requests,
            RoomEvent.REQUEST_STAGE_ACCESS: self._request_stage,
            RoomEvent.CANCEL_STAGE_REQUEST: self._cancel_stage_request,
            RoomEvent.GRANT_STAGE_ACCESS: self._grant_stage,
            RoomEvent.DENY_STAGE_ACCESS: self._deny_stage,
            RoomEvent.JOIN_STAGE: self._join_stage,
            RoomEvent.LEAVE_STAGE: self._leave_stage,
            RoomEvent.GET_ROOM_STAGE_STATE: self._room_stage_state,
        }

    # -- hooks from the edge -----------------------------------------------------------------------
    def initial_stage(self, peer: LivePeer) -> str | None:
        """The stage state a peer joins with (None: its preset has no stage)."""
        permissions = self.plane.permissions(peer)
        if not permissions.get("stage_enabled"):
            return None
        return "ON_STAGE" if permissions.get("stage_access") == "ALLOWED" else "OFF_STAGE"

    def peer_gone(self, room: Room, peer: LivePeer) -> None:
        """A peer left: unpin it, forget it as speaker, drop its stage request."""
        if room.pinned_peer_id == peer.peer_id:
            room.pinned_peer_id = None
            self._broadcast_pin(room, "")
        if room.top_speaker == peer.peer_id:
            room.top_speaker = None
        self._stage_closed.pop(peer.peer_id, None)
        if peer.stage == "REQUESTED_STAGE":
            peer.stage = None
            self._push_requests(room)

    def check_produce(self, peer: LivePeer, kind: str, *, screen_share: bool) -> None:
        """Refuse media from a peer whose preset has a stage unless it is on the stage."""
        from .edge import RequestError

        if not self.plane.permissions(peer).get("stage_enabled") or peer.stage == "ON_STAGE":
            return
        what = "a screenshare" if screen_share else (kind or "media")
        state = peer.stage or "not in the room yet"
        raise RequestError(
            403,
            f"This participant is not on the stage ({state}): its preset has a stage, so it may "
            f"produce {what} only after joinStage (request the stage and have a host accept it)",
            media_code="not_on_stage",
        )

    def closed_by_stage(self, peer: LivePeer, producer_id: str) -> bool:
        """True for a producer of the peer that the stage closed (its client may still pause it)."""
        return producer_id in (self._stage_closed.get(peer.peer_id) or {})

    async def answer_closed(self, peer: LivePeer, producer_id: str, offer_sdp: str | None) -> str | None:
        """Answer a client's closeProducer for a producer the stage already closed.

        Raises SfuError ``not_found_track_error`` when ``producer_id`` is not such a producer.
        """
        closed = self._stage_closed.get(peer.peer_id) or {}
        transport_id = closed.pop(producer_id, None)
        if transport_id is None:
            raise SfuError("not_found_track_error", f"No producer {producer_id!r} of this peer")
        sfu = self.plane.sfu
        transport = sfu.transports.get(transport_id)
        if not offer_sdp or transport is None:
            return None
        async with transport.lock:
            return await sfu._answer(transport.pc, offer_sdp)

    async def _close_media(self, room: Room, peer: LivePeer) -> None:
        """Close every producer of a peer that left the stage and tell the others."""
        sfu = self.plane.sfu
        for producer in sfu.producers_of(peer.peer_id):
            try:
                await sfu.close_producer(peer.peer_id, producer.id, offer_sdp=None)
            except SfuError:  # pragma: no cover - closed concurrently by the peer itself
                continue
            self._stage_closed.setdefault(peer.peer_id, {})[producer.id] = producer.transport_id
            push = media_edge_pb2.PeerProducerCloseBroadcastResponse(
                participant_id=peer.peer_id, producer_state=self.plane._producer_state(producer)
            )
            for other in room.media_members(exclude=peer.peer_id):
                self.plane._conn(other).push(MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, push)

    # -- pin ---------------------------------------------------------------------------------------
    def _everyone(self, room: Room) -> list[LivePeer]:
        members = {p.peer_id: p for p in room.room_members()}
        for p in room.media_members():
            members.setdefault(p.peer_id, p)
        return list(members.values())

    def _broadcast_pin(self, room: Room, peer_id: str) -> None:
        push = media_edge_pb2.GlobalPeerPinningBroadcastResponse(participant_id=peer_id)
        for member in self._everyone(room):
            self.plane._conn(member).push(MediaEvent.GLOBAL_PEER_PIN_BROADCAST, push)

    async def _pin(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        self.plane._need_room(peer)
        self.plane._require(peer, "pin_participant")
        request = parse_payload(frame, media_edge_pb2.GlobalPeerPinningRequest)
        room = self.plane.state.room_of(peer)
        target = request.participant_id
        if target and target not in {p.peer_id for p in self._everyone(room)}:
            raise RequestError(404, f"No peer {target} in this room", media_code="not_found")
        room.pinned_peer_id = target or None
        conn.push(frame.event, media_edge_pb2.GlobalPeerPinningResponse(), id=frame.id)
        self._broadcast_pin(room, target)

    # -- active speaker ----------------------------------------------------------------------------
    async def _audio_activity(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        request = parse_payload(frame, media_pb2.AudioActivityRequest)
        if not peer.media_complete:
            raise RequestError(409, "Complete the media join first")
        producer = self.plane.sfu.producers.get(request.producer_id)
        if producer is None or producer.peer_id != peer.peer_id or producer.kind != "audio":
            raise RequestError(404, f"No audio producer {request.producer_id!r} of this peer")
        room = self.plane.state.room_of(peer)
        if request.silent or room.top_speaker == peer.peer_id:
            return
        room.top_speaker = peer.peer_id
        push = media_edge_pb2.SelectedPeersDiffResponse(
            entries=[media_edge_pb2.SelectedPeersDiffEntry(peer_id=peer.peer_id, priority=1)]
        )
        for other in room.media_members(exclude=peer.peer_id):
            self.plane._conn(other).push(MediaEvent.SELECTED_PEER_DIFF, push)

    # -- stage -------------------------------------------------------------------------------------
    def _stage_member(self, peer: LivePeer) -> Room:
        from .edge import RequestError

        self.plane._need_room(peer)
        if peer.stage is None:
            raise RequestError(403, "The preset of this participant has no stage (stage_enabled is false)")
        return self.plane.state.room_of(peer)

    def _requests(self, room: Room) -> livestreaming_pb2.GetStageRequestsResponse:
        return livestreaming_pb2.GetStageRequestsResponse(
            stage_requests=[
                livestreaming_pb2.StageRequest(
                    display_name=p.display_name, user_id=p.participant_id, peer_id=p.peer_id
                )
                for p in room.in_stage("REQUESTED_STAGE")
            ]
        )

    def _push_requests(self, room: Room) -> None:
        push = self._requests(room)
        for member in room.room_members():
            if self.plane.permissions(member).get("accept_stage_requests"):
                self.plane._conn(member).push(RoomEvent.GET_STAGE_REQUESTS, push)

    def _set_stage(self, room: Room, peer: LivePeer, state: str, *, reply_to: Frame | None = None) -> None:
        """Change a peer's stage state and tell the room (the peer itself in reply to its request)."""
        peer.stage = state
        update = room_pb2.PeerStatusUpdate(
            peer_id=peer.peer_id, user_id=peer.participant_id, stage_type=stage_type(state)
        )
        for member in room.room_members():
            if reply_to is not None and member is peer and reply_to.id is not None:
                self.plane._conn(member).push(RoomEvent.PEER_STAGE_STATUS_UPDATE, update, id=reply_to.id)
            else:
                self.plane._conn(member).push(RoomEvent.PEER_STAGE_STATUS_UPDATE, update)

    def _stage_targets(self, room: Room, ids: list[str], states: tuple[str, ...]) -> list[LivePeer]:
        from .edge import RequestError

        wanted = list(dict.fromkeys(i for i in ids if i))
        if not wanted:
            raise RequestError(400, "Name at least one participant (user_ids is empty)")
        found, missing = named_peers((p for p in room.room_members() if p.stage in states), wanted)
        if missing:
            raise RequestError(404, f"No stage request from: {', '.join(missing)}")
        return found

    async def _stage_peers(self, conn: Connection, frame: Frame) -> None:
        self.plane._need_room(conn.peer)
        room = self.plane.state.room_of(conn.peer)
        peers = [p.peer_id for p in room.in_stage("ON_STAGE")]
        conn.push(frame.event, livestreaming_pb2.GetStagePeersResponse(stage_peers=peers), id=frame.id)

    async def _stage_requests(self, conn: Connection, frame: Frame) -> None:
        self.plane._need_room(conn.peer)
        self.plane._require(conn.peer, "accept_stage_requests")
        conn.push(frame.event, self._requests(self.plane.state.room_of(conn.peer)), id=frame.id)

    async def _request_stage(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        room = self._stage_member(peer)
        if peer.stage in ("ON_STAGE", "APPROVED_STAGE"):
            raise RequestError(409, f"This peer is already {peer.stage}")
        if self.plane.permissions(peer).get("stage_access") == "NOT_ALLOWED":
            raise RequestError(403, "The preset of this participant does not allow the stage (stage_access)")
        if peer.stage != "REQUESTED_STAGE":
            self._set_stage(room, peer, "REQUESTED_STAGE")
            self._push_requests(room)
        if frame.id is not None:
            conn.push(frame.event, self._requests(room), id=frame.id)

    async def _cancel_stage_request(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        room = self._stage_member(peer)
        if peer.stage == "REQUESTED_STAGE":
            self._set_stage(room, peer, "OFF_STAGE")
            self._push_requests(room)
        if frame.id is not None:
            conn.push(frame.event, self._requests(room), id=frame.id)

    async def _decide_stage(self, conn: Connection, frame: Frame, *, grant: bool) -> None:
        self.plane._need_room(conn.peer)
        self.plane._require(conn.peer, "accept_stage_requests")
        room = self.plane.state.room_of(conn.peer)
        if grant:
            user_ids = list(parse_payload(frame, livestreaming_pb2.GrantStageAccessRequest).user_ids)
        else:
            user_ids = list(parse_payload(frame, livestreaming_pb2.DenyStageAccessRequest).user_ids)
        states = ("REQUESTED_STAGE", "OFF_STAGE") if grant else ("REQUESTED_STAGE",)
        targets = self._stage_targets(room, user_ids, states)
        event = RoomEvent.GRANT_STAGE_ACCESS if grant else RoomEvent.DENY_STAGE_ACCESS
        for peer in targets:
            self.plane._conn(peer).push(event, None)
            self._set_stage(room, peer, "APPROVED_STAGE" if grant else "OFF_STAGE")
        self._push_requests(room)  # before the ack, as for the waiting room
        if frame.id is not None:
            conn.push(frame.event, None, id=frame.id)

    async def _grant_stage(self, conn: Connection, frame: Frame) -> None:
        await self._decide_stage(conn, frame, grant=True)

    async def _deny_stage(self, conn: Connection, frame: Frame) -> None:
        await self._decide_stage(conn, frame, grant=False)

    async def _join_stage(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        room = self._stage_member(peer)
        allowed = self.plane.permissions(peer).get("stage_access") == "ALLOWED"
        if peer.stage != "APPROVED_STAGE" and not allowed and peer.stage != "ON_STAGE":
            raise RequestError(403, "A host has not approved this peer's stage request")
        self._set_stage(room, peer, "ON_STAGE", reply_to=frame)

    async def _leave_stage(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        room = self._stage_member(peer)
        request = parse_payload(frame, livestreaming_pb2.LeaveStageRequest)
        ids = list(dict.fromkeys(request.user_ids)) or [peer.participant_id]
        others = [i for i in ids if i not in (peer.participant_id, peer.peer_id)]
        if others:
            self.plane._require(peer, "accept_stage_requests")
        targets, missing = named_peers((p for p in room.room_members() if p.stage is not None), ids)
        if missing:
            raise RequestError(404, f"No stage participant: {', '.join(missing)}")
        for target in targets:
            was_requested = target.stage == "REQUESTED_STAGE"
            await self._close_media(room, target)
            self._set_stage(room, target, "OFF_STAGE", reply_to=frame if target is peer else None)
            if was_requested:
                self._push_requests(room)
        if peer not in targets and frame.id is not None:
            conn.push(frame.event, None, id=frame.id)

    async def _room_stage_state(self, conn: Connection, frame: Frame) -> None:
        self.plane._need_room(conn.peer)
        room = self.plane.state.room_of(conn.peer)
        response = room_pb2.GetRoomStageStateResponse(
            on_stage_peers=[p.peer_id for p in room.in_stage("ON_STAGE")],
            approved_stage_peers=[p.peer_id for p in room.in_stage("APPROVED_STAGE")],
            requested_stage_peers=[p.peer_id for p in room.in_stage("REQUESTED_STAGE")],
        )
        conn.push(frame.event, response, id=frame.id)
