"""Polls over the socket edge (raw sockets): create, vote, list, pushes, permissions, REST both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from google.protobuf.message import Message

from realtimekit_mcp.protocol import polls_pb2, room_pb2
from realtimekit_mcp.protocol.events import PollEvent, RoomEvent

from .conftest import LiveEmu
from .hostkit import refused
from .rawpeer import RawPeer

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def room_peers(live: LiveEmu, meeting: str, *people: tuple[str, str]) -> AsyncIterator[list[RawPeer]]:
    """Raw peers (name, preset) connected and room-joined (no media: polls need none)."""
    out: list[RawPeer] = []
    try:
        for name, preset in people:
            token = (await live.add_participant(meeting, name.lower(), name, preset=preset))["token"]
            peer = RawPeer(live.ws_url, meeting, token)
            out.append(peer)
            with anyio.fail_after(10):
                await peer.connect()
                await peer.request(
                    RoomEvent.JOIN_ROOM,
                    room_pb2.JoinRoomRequest(peer=room_pb2.Peer(peer_id=peer.peer_id, display_name=name)),
                    room_pb2.PeerInfoResponse,
                )
        yield out
    finally:
        for peer in out:
            await peer.close()


async def create(peer: RawPeer, question: str, options: list[str], **flags: bool) -> polls_pb2.Poll:
    reply = await peer.request(
        PollEvent.CREATE_POLL,
        polls_pb2.NewPollRequest(question=question, options=options, **flags),
        polls_pb2.UpdatePollResponse,
    )
    return reply.poll


async def vote(peer: RawPeer, poll_id: str, index: int) -> polls_pb2.Poll:
    reply = await peer.request(
        PollEvent.VOTE_POLL,
        polls_pb2.VotePollRequest(poll_id=poll_id, index=index),
        polls_pb2.UpdatePollResponse,
    )
    return reply.poll


async def test_a_host_creates_a_poll_everyone_gets_it_and_votes_are_counted_once_each(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with room_peers(
        live, meeting, ("Host", "group_call_host"), ("Guest", "group_call_participant")
    ) as (host, guest):
        with anyio.fail_after(10):
            poll = await create(host, "Lunch?", ["Pizza", "Sushi"])
            assert poll.question == "Lunch?" and [o.text for o in poll.options] == ["Pizza", "Sushi"]
            assert poll.created_by == "Host" and poll.created_by_user_id
            pushed = (await guest.wait_push(PollEvent.CREATE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert pushed.poll_id == poll.poll_id and [o.count for o in pushed.options] == [0, 0]
            assert host.pushes[PollEvent.CREATE_POLL] == []  # the creator got it as its reply, once

            voted = await vote(guest, poll.poll_id, 1)
            assert [o.count for o in voted.options] == [0, 1]
            assert [(v.name, v.user_id) for v in voted.options[1].votes] == [("Guest", voted.votes[0])]
            seen = (await host.wait_push(PollEvent.VOTE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert [o.count for o in seen.options] == [0, 1] and list(seen.votes) == list(voted.votes)

            again = await refused(guest, PollEvent.VOTE_POLL, polls_pb2.VotePollRequest(poll_id=poll.poll_id))
            assert again.code == 409 and "already voted" in again.message
            await vote(host, poll.poll_id, 0)
            listed = await guest.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
            assert [[o.count for o in p.options] for p in listed.polls] == [[1, 1]]
        r = await live.client.get(f"/_emulator/meetings/{meeting}/polls")
        assert r.status_code == 200
        (stored,) = r.json()["data"]["polls"]
        assert stored["id"] == poll.poll_id and [o["count"] for o in stored["options"]] == [1, 1]
        assert sorted(stored["voted"]) == sorted(listed.polls[0].votes)
        assert stored["options"][1]["votes"][0]["name"] == "Guest"


async def test_anonymous_polls_never_name_voters_and_hidden_votes_show_only_after_voting(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    async with room_peers(
        live,
        meeting,
        ("Host", "group_call_host"),
        ("Ann", "group_call_participant"),
        ("Ben", "group_call_participant"),
    ) as (host, ann, ben):
        with anyio.fail_after(10):
            secret = await create(host, "Rate it", ["1", "2", "3"], anonymous=True, hide_votes=True)
            assert secret.anonymous and secret.hide_votes
            assert [o.count for o in secret.options] == [0, 0, 0]  # the creator sees counts
            before = (await ben.wait_push(PollEvent.CREATE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert [o.HasField("count") for o in before.options] == [False, False, False]

            mine = await vote(ann, secret.poll_id, 2)
            assert [o.count for o in mine.options] == [0, 0, 1]  # Ann voted: she sees the result
            assert all(len(o.votes) == 0 for o in mine.options)  # ... but no names
            assert len(mine.votes) == 1 and mine.votes[0]  # Ann is told that she voted (her own id only)
            host_view = (await host.wait_push(PollEvent.VOTE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert [o.count for o in host_view.options] == [0, 0, 1] and not host_view.options[2].votes
            assert list(host_view.votes) == []  # anonymous: others are not told who voted
            ben_view = (await ben.wait_push(PollEvent.VOTE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert not any(o.HasField("count") for o in ben_view.options)
            listed = await ben.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
            assert not any(o.HasField("count") for o in listed.polls[0].options)
        (stored,) = (await live.client.get(f"/_emulator/meetings/{meeting}/polls")).json()["data"]["polls"]
        assert stored["anonymous"] is True and all(o["votes"] == [] for o in stored["options"])
        assert [o["count"] for o in stored["options"]] == [0, 0, 1]


async def test_a_poll_created_through_rest_reaches_the_room_and_socket_votes_show_in_the_read(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    async with room_peers(live, meeting, ("Guest", "group_call_participant")) as (guest,):
        r = await live.rest(
            "POST",
            f"/meetings/{meeting}/active-session/poll",
            json={"question": "REST?", "options": ["a", "b"]},
        )
        assert r.status_code == 201, r.text
        rest_poll = r.json()["data"]["poll"]
        with anyio.fail_after(10):
            pushed = (await guest.wait_push(PollEvent.CREATE_POLL, polls_pb2.UpdatePollResponse))[0].poll
            assert pushed.poll_id == rest_poll["id"] and pushed.question == "REST?"
            await vote(guest, rest_poll["id"], 0)
        session_id = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]["id"]
        r = await live.client.get(f"/_emulator/sessions/{session_id}/polls")
        (stored,) = r.json()["data"]["polls"]
        assert stored["id"] == rest_poll["id"] and stored["options"][0]["count"] == 1


async def test_a_late_joiner_loads_existing_polls_with_get_polls(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with room_peers(live, meeting, ("Host", "group_call_host")) as (host,):
        with anyio.fail_after(10):
            first = await create(host, "One?", ["y", "n"])
            second = await create(host, "Two?", ["y", "n"])
        async with room_peers(live, meeting, ("Late", "group_call_participant")) as (late,):
            with anyio.fail_after(10):
                listed = await late.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
        assert [p.poll_id for p in listed.polls] == [first.poll_id, second.poll_id]


async def test_poll_requests_are_refused_with_the_protocol_error_never_a_server_error(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    async with room_peers(
        live, meeting, ("Host", "group_call_host"), ("Guest", "group_call_participant")
    ) as (host, guest):
        with anyio.fail_after(10):
            no_right = await refused(
                guest, PollEvent.CREATE_POLL, polls_pb2.NewPollRequest(question="q", options=["a", "b"])
            )
            assert no_right.code == 403 and "polls.can_create" in no_right.message
            poll = await create(host, "Q", ["a", "b"])
            cases: list[tuple[int, Message | bytes | None, int, str]] = [
                (
                    PollEvent.CREATE_POLL,
                    polls_pb2.NewPollRequest(question=" ", options=["a", "b"]),
                    400,
                    "question",
                ),
                (
                    PollEvent.CREATE_POLL,
                    polls_pb2.NewPollRequest(question="q", options=["a"]),
                    400,
                    "two options",
                ),
                (
                    PollEvent.CREATE_POLL,
                    polls_pb2.NewPollRequest(question="q", options=["a", ""]),
                    400,
                    "option",
                ),
                (
                    PollEvent.CREATE_POLL,
                    polls_pb2.NewPollRequest(question="q", options=["o"] * 21),
                    400,
                    "at most",
                ),
                (PollEvent.CREATE_POLL, b"\xff\xff\xff", 400, "not a valid"),
                (PollEvent.VOTE_POLL, polls_pb2.VotePollRequest(poll_id="nope", index=0), 404, "No poll"),
                (
                    PollEvent.VOTE_POLL,
                    polls_pb2.VotePollRequest(poll_id=poll.poll_id, index=2),
                    400,
                    "no option 2",
                ),
                (PollEvent.VOTE_POLL, polls_pb2.VotePollRequest(index=0), 400, "poll_id"),
                (PollEvent.VOTE_POLL, b"\x0a\xff", 400, "not a valid"),
                (PollEvent.UPDATE_POLL, None, 404, "not supported"),
            ]
            for event, payload, code, words in cases:
                error = await refused(host, event, payload)
                assert (error.code, words in error.message) == (code, True), (event, payload, error)
            listed = await host.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
            assert [p.poll_id for p in listed.polls] == [poll.poll_id]  # nothing bad was stored
    idle = await live.create_meeting()
    assert (await live.client.get(f"/_emulator/meetings/{idle}/polls")).status_code == 404  # no live session
    assert (await live.client.get("/_emulator/sessions/not-a-session/polls")).status_code == 404


async def test_polls_need_the_room_join_first(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    token = (await live.add_participant(meeting, "early", "Early"))["token"]
    peer = RawPeer(live.ws_url, meeting, token)
    try:
        with anyio.fail_after(10):
            await peer.connect()
            error = await refused(peer, PollEvent.GET_POLLS, None)
            assert error.code == 409 and "joinRoom" in error.message
    finally:
        await peer.close()
