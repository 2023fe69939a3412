"""The waiting room of the emulator's live plane (preset ``permissions.waiting_room_type``).

* ``SKIP``: joinRoom joins directly.
* ``ON_PRIVILEGED_USER_ENTRY``: every joinRoom is held until a host decides.
* ``SKIP_ON_ACCEPT``: held until a host admits the participant once; later joins of the same
  participant in that meeting skip the waiting room (remembered while the emulator runs).

A participant whose own preset has ``accept_waiting_requests`` is never held. A held peer gets a
joinRoom reply with ``peer.waitlisted``; it is no room member (no room pushes, no chat, not in the
session, no webhook) and may not complete the media join or produce. Hosts (room members whose
preset has ``accept_waiting_requests``) get ``getWaitingRoomRequests`` pushed whenever the waitlist
changes. ``acceptWaitingRoomRequests`` pushes ``waitingRoomRequestAccepted`` to the peer, which then
sends joinRoom again (as SDK 2.0.2 does) and joins for real; ``denyWaitingRoomRequests`` pushes
``waitingRoomRequestDenied`` and closes the peer's socket (lifecycle: waitlisted -> rejected -> ended).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from realtimekit_mcp.protocol import room_pb2
from realtimekit_mcp.protocol.events import RoomEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

from .live import LivePeer, RemovalReason, Room, named_peers

if TYPE_CHECKING:
    from .edge import Connection, Handler, LivePlane

__all__ = ["WAITING_ROOM_TYPES", "LiveWaitingRoom"]

logger = logging.getLogger(__name__)

WAITING_ROOM_TYPES = ("SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT")
"""The preset's ``waiting_room_type`` values (an unknown value counts as ``SKIP``)."""


class LiveWaitingRoom:
    """Holds joins, tells hosts, and carries out their decisions."""

    def __init__(self, plane: LivePlane) -> None:
        self.plane = plane

    def handlers(self) -> dict[int, Handler]:
        """Socket handlers of the waiting-room events."""
        return {
            RoomEvent.GET_WAITING_ROOM_REQUESTS: self._list,
            RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS: self._accept,
            RoomEvent.DENY_WAITING_ROOM_REQUESTS: self._deny,
        }

    # -- decisions ---------------------------------------------------------------------------------
    def holds(self, peer: LivePeer) -> bool:
        """Whether a joinRoom of ``peer`` now goes to the waiting room."""
        if peer.admitted:
            return False
        permissions = self.plane.permissions(peer)
        if permissions.get("accept_waiting_requests"):
            return False
        kind = permissions.get("waiting_room_type") or "SKIP"
        if kind == "ON_PRIVILEGED_USER_ENTRY":
            return True
        if kind == "SKIP_ON_ACCEPT":
            return peer.participant_id not in self.plane.state.accepted.get(peer.meeting_id, set())
        return False

    def hold(self, conn: Connection, frame: Frame) -> None:
        """Answer a held joinRoom (``waitlisted``) and tell the hosts."""
        peer = conn.peer
        peer.waitlisted = True
        conn.push(frame.event, room_pb2.PeerInfoResponse(peer=self.plane._peer_proto(peer)), id=frame.id)
        logger.info("peer %s waits in the waiting room of %s", peer.peer_id, peer.meeting_id)
        self.changed(self.plane.state.room_of(peer))

    def changed(self, room: Room) -> None:
        """Push the whole waitlist to every host in the room."""
        push = self._requests(room)
        for member in room.room_members():
            if self.plane.permissions(member).get("accept_waiting_requests"):
                self.plane._conn(member).push(RoomEvent.GET_WAITING_ROOM_REQUESTS, push)

    def _requests(self, room: Room) -> room_pb2.GetWaitingRoomRequests:
        requests = []
        for peer in room.waitlist():
            item = room_pb2.WaitingRoomRequest(
                peer_id=peer.peer_id, user_id=peer.participant_id, display_name=peer.display_name
            )
            if peer.picture:
                item.picture = peer.picture
            if peer.custom_participant_id:
                item.custom_participant_id = peer.custom_participant_id
            if peer.preset_name:
                item.preset_name = peer.preset_name
            requests.append(item)
        return room_pb2.GetWaitingRoomRequests(requests=requests)

    def _host_check(self, conn: Connection) -> Room:
        self.plane._need_room(conn.peer)
        self.plane._require(conn.peer, "accept_waiting_requests")
        return self.plane.state.room_of(conn.peer)

    def _targets(self, room: Room, ids: list[str]) -> list[LivePeer]:
        """Waitlisted peers named by user id (the SDK's choice) or peer id; 404 naming the unknown ones."""
        from .edge import RequestError

        wanted = list(dict.fromkeys(i for i in ids if i))
        if not wanted:
            raise RequestError(400, "Name at least one waitlisted participant (user_ids is empty)")
        found, missing = named_peers(room.waitlist(), wanted)
        if missing:
            raise RequestError(404, f"Not waiting in this meeting's waiting room: {', '.join(missing)}")
        return found

    # -- handlers ----------------------------------------------------------------------------------
    async def _list(self, conn: Connection, frame: Frame) -> None:
        room = self._host_check(conn)
        conn.push(frame.event, self._requests(room), id=frame.id)

    async def _accept(self, conn: Connection, frame: Frame) -> None:
        room = self._host_check(conn)
        request = parse_payload(frame, room_pb2.AcceptWaitingRoomRequests)
        targets = self._targets(room, list(request.user_ids))
        accepted = self.plane.state.accepted.setdefault(conn.peer.meeting_id, set())
        for peer in targets:
            peer.waitlisted = False
            peer.admitted = True
            accepted.add(peer.participant_id)
            self.plane.state.note_entered(peer)
            self.plane._conn(peer).push(RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED, None)
            logger.info("peer %s admitted by %s", peer.peer_id, conn.peer.peer_id)
        self.changed(room)  # before the ack: the host's list is current when its request returns
        if frame.id is not None:
            conn.push(frame.event, None, id=frame.id)

    async def _deny(self, conn: Connection, frame: Frame) -> None:
        room = self._host_check(conn)
        request = parse_payload(frame, room_pb2.DenyWaitingRoomRequests)
        targets = self._targets(room, list(request.user_ids))
        for peer in targets:
            peer.waitlisted = False
            target = self.plane._conn(peer)
            target.push(RoomEvent.WAITING_ROOM_REQUEST_DENIED, None)
            logger.info("peer %s rejected by %s", peer.peer_id, conn.peer.peer_id)
            await self.plane._teardown(target, RemovalReason.REJECTED, backend_leave=False)
        self.changed(room)  # before the ack: the host's list is current when its request returns
        if frame.id is not None:
            conn.push(frame.event, None, id=frame.id)
