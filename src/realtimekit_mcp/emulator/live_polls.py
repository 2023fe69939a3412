"""Live plane feature: polls over the socket (``createPoll``, ``votePoll``, ``getPolls``).

What SDK 2.0.2 does (protocol/README.md, "Polls"): ``createPoll`` and ``votePoll`` are sent
fire-and-forget; every peer that may view polls gets the poll as it now stands in an
``UpdatePollResponse`` on the same event (the requester gets it with its request id, which the SDK
treats like any push); ``getPolls`` (no payload) after the room join answers ``GetPollsResponse``.

Polls live in the session record (:meth:`EmulatorBackend.create_live_poll`), shared with REST
``POST active-session/poll``: a poll created over REST is pushed to the room here (backend notice
``poll.created``), and socket-created polls and votes show up in
``GET /_emulator/sessions/{session_id}/polls``.

What each peer sees: anonymous polls carry no voter names (counts and the ids of who voted
remain, so a client knows whether it has voted); with ``hide_votes`` a peer that has neither voted
nor created the poll gets the options without counts or votes (REST's "votes are visible once a
person votes").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from realtimekit_mcp.protocol import polls_pb2
from realtimekit_mcp.protocol.events import PollEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

from .live import LivePeer

if TYPE_CHECKING:
    from .edge import Connection, Handler, LivePlane

__all__ = ["LivePolls", "poll_proto"]

logger = logging.getLogger(__name__)


def poll_proto(poll: Mapping[str, Any], *, viewer: str | None = None) -> polls_pb2.Poll:
    """The socket view of a stored poll for the participant ``viewer`` (None: everything visible).

    Anonymous polls carry no voter names, and their ``votes`` (who voted) hold only the viewer
    itself (else consecutive pushes would tell who picked what); ``hide_votes`` hides counts and
    votes from a viewer that has neither voted nor created the poll.
    """
    voted = [str(v) for v in poll.get("voted") or []]
    creator = str(poll.get("created_by_user_id") or "")
    hidden = bool(poll.get("hide_votes")) and viewer is not None and viewer not in voted and viewer != creator
    anonymous = bool(poll.get("anonymous"))
    proto = polls_pb2.Poll(
        poll_id=str(poll["id"]),
        created_by=str(poll.get("created_by") or ""),
        created_by_user_id=creator,
        question=str(poll["question"]),
        hide_votes=bool(poll.get("hide_votes")),
        anonymous=anonymous,
        votes=([viewer] if viewer in voted else []) if anonymous and viewer is not None else voted,
    )
    for option in poll["options"]:
        item = proto.options.add(text=str(option["text"]))
        if hidden:
            continue
        item.count = int(option.get("count") or 0)
        if not anonymous:
            for vote in option.get("votes") or []:
                item.votes.add(user_id=str(vote["id"]), name=str(vote.get("name") or ""))
    return proto


class LivePolls:
    """Socket poll handlers of the live plane, and the push of REST-created polls."""

    def __init__(self, plane: LivePlane) -> None:
        self.plane = plane
        plane.backend.listeners.append(self._on_notice)

    def handlers(self) -> dict[int, Handler]:
        """Socket request handlers of this feature, by event number."""
        return {
            PollEvent.CREATE_POLL: self._create,
            PollEvent.VOTE_POLL: self._vote,
            PollEvent.GET_POLLS: self._list,
        }

    # -- requests ---------------------------------------------------------------------------------
    def _check(self, peer: LivePeer, key: str, action: str) -> str:
        from .edge import RequestError

        self.plane._need_room(peer)
        if not self.plane.allows(peer, "polls", key):
            raise RequestError(403, f"The preset of this participant does not allow {action} (polls.{key})")
        if peer.session_id is None:  # pragma: no cover - a room join always lands in a session
            raise RequestError(409, "Join the room (joinRoom) first")
        return peer.session_id

    async def _create(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        session_id = self._check(peer, "can_create", "creating polls")
        request = parse_payload(frame, polls_pb2.NewPollRequest)
        poll = self.plane.backend.create_live_poll(
            session_id,
            question=request.question,
            options=list(request.options),
            anonymous=request.anonymous,
            hide_votes=request.hide_votes,
            created_by=peer.display_name,
            created_by_user_id=peer.participant_id,
        )
        self._push(
            peer.meeting_id, session_id, PollEvent.CREATE_POLL, poll, requester=conn, request_id=frame.id
        )

    async def _vote(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        session_id = self._check(peer, "can_vote", "voting on polls")
        request = parse_payload(frame, polls_pb2.VotePollRequest)
        if not request.poll_id:
            from .edge import RequestError

            raise RequestError(400, "votePoll needs a poll_id")
        poll = self.plane.backend.vote_poll(
            session_id,
            request.poll_id,
            int(request.index),
            participant_id=peer.participant_id,
            name=peer.display_name,
        )
        self._push(
            peer.meeting_id, session_id, PollEvent.VOTE_POLL, poll, requester=conn, request_id=frame.id
        )

    async def _list(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        session_id = self._check(peer, "can_view", "viewing polls")
        polls = self.plane.backend.session_polls(session_id)
        response = polls_pb2.GetPollsResponse(
            polls=[poll_proto(p, viewer=peer.participant_id) for p in polls]
        )
        conn.push(frame.event, response, id=frame.id)

    # -- pushes -----------------------------------------------------------------------------------
    def _push(
        self,
        meeting_id: str,
        session_id: str,
        event: int,
        poll: Mapping[str, Any],
        *,
        requester: Connection | None = None,
        request_id: str | None = None,
    ) -> None:
        """The poll as it stands to every room member of the session that may view polls."""
        room = self.plane.state.rooms.get(meeting_id.lower())
        if room is None:
            return
        for member in room.room_members():
            if member.session_id != session_id:
                continue
            conn = self.plane.connections.get(member.peer_id)
            if conn is None or conn.peer is not member:
                continue
            mine = requester is not None and conn is requester
            if not mine and not self.plane.allows(member, "polls", "can_view"):
                continue
            message = polls_pb2.UpdatePollResponse(poll=poll_proto(poll, viewer=member.participant_id))
            conn.push(event, message, id=request_id if mine else None)

    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        """Backend listener: a poll created over REST goes to the room (runs after the commit)."""
        if notice != "poll.created" or data.get("origin") != "rest":
            return
        meeting_id = str(data.get("meeting_id") or "")
        session_id = str(data.get("session_id") or "")
        poll = dict(data["poll"])

        async def push() -> None:
            self._push(meeting_id, session_id, PollEvent.CREATE_POLL, poll)

        self.plane._soon(push())
