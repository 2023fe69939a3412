"""Bot polls over real WebRTC on loopback: create, vote, live results, REST both ways, refusals."""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.bot.participant import BotParticipant
from realtimekit_mcp.bot.polls import PollError

from .conftest import Live

pytestmark = pytest.mark.anyio

HOST = "group_call_host"
GUEST = "group_call_participant"


async def joined_bot(live: Live, meeting: str, name: str, preset: str) -> BotParticipant:
    bot = await BotParticipant.create(
        live.client, meeting, name=name, preset_name=preset, config=live.config()
    )
    live.bots.append(bot)
    await bot.join()
    return bot


async def test_a_poll_by_bot_a_voted_by_bot_b_shows_the_result_to_both_and_through_rest(live: Live) -> None:
    meeting = await live.meeting()
    alice = await joined_bot(live, meeting, "Alice", HOST)
    bob = await joined_bot(live, meeting, "Bob", GUEST)
    with anyio.fail_after(20):
        cursor = bob.last_seq
        poll = await alice.polls.create("Ship on Friday?", ["Yes", "No", "Later"])
        assert poll["question"] == "Ship on Friday?" and poll["created_by"] == "Alice"
        assert [o["count"] for o in poll["options"]] == [0, 0, 0] and poll["voted"] == []
        created = await bob.wait_event("poll", after=cursor)
        assert created.data == {
            "poll_id": poll["id"],
            "question": "Ship on Friday?",
            "action": "created",
            "votes": 0,
        }

        cursor = alice.last_seq
        after_vote = await bob.polls.vote(poll["id"], "later")  # by text, any case
        assert [o["count"] for o in after_vote["options"]] == [0, 0, 1]
        assert after_vote["options"][2]["votes"] == [{"id": bob.participant_id, "name": "Bob"}]
        seen = await alice.wait_event("poll", after=cursor, where=lambda e: e.data["votes"] == 1)
        assert seen.data["action"] == "updated"
        assert alice.polls.get(poll["id"])["voted"] == [bob.participant_id]
        assert alice.status()["polls"]["polls"][0]["options"][2]["count"] == 1

        await alice.polls.vote(poll["id"], 0)
        await bob.wait_event("poll", after=created.seq, where=lambda e: e.data["votes"] == 2)
        assert [o["count"] for o in bob.polls.get(poll["id"])["options"]] == [1, 0, 1]

        with pytest.raises(PollError, match="already voted"):
            await bob.polls.vote(poll["id"], 1)
        with pytest.raises(PollError, match="no option 'Maybe'"):
            await bob.polls.vote(poll["id"], "Maybe")
        with pytest.raises(PollError, match="no option 7"):
            await bob.polls.vote(poll["id"], 7)
        with pytest.raises(PollError, match=r"polls\.can_create"):
            await bob.polls.create("Mine?", ["a", "b"])
        with pytest.raises(PollError, match="2 to 20 options"):
            await alice.polls.create("Lonely?", ["only"])
        with pytest.raises(KeyError):
            bob.polls.get("no-such-poll")
    r = await live.http.get(f"/_emulator/meetings/{meeting}/polls")
    (stored,) = r.json()["data"]["polls"]
    assert stored["id"] == poll["id"] and [o["count"] for o in stored["options"]] == [1, 0, 1]
    assert sorted(stored["voted"]) == sorted([alice.participant_id, bob.participant_id])
    assert stored["options"][2]["votes"] == [{"id": bob.participant_id, "name": "Bob"}]


async def test_a_rest_created_poll_reaches_a_bot_which_votes_and_a_later_bot_loads_it_at_join(
    live: Live,
) -> None:
    meeting = await live.meeting()
    carol = await joined_bot(live, meeting, "Carol", GUEST)
    with anyio.fail_after(20):
        cursor = carol.last_seq
        r = await live.rest(
            "POST",
            f"/meetings/{meeting}/active-session/poll",
            json={
                "question": "Pick a colour",
                "options": ["red", "blue"],
                "anonymous": True,
                "hide_votes": True,
            },
        )
        assert r.status_code == 201, r.text
        rest_poll = r.json()["data"]["poll"]
        event = await carol.wait_event("poll", after=cursor)
        assert event.data["poll_id"] == rest_poll["id"] and event.data["action"] == "created"
        hidden = carol.polls.get(rest_poll["id"])
        assert hidden["hide_votes"] and [o["count"] for o in hidden["options"]] == [None, None]
        voted = await carol.polls.vote(rest_poll["id"], "blue")
        assert [o["count"] for o in voted["options"]] == [0, 1]
        assert all(o["votes"] == [] for o in voted["options"])  # anonymous: no names

        dave = await joined_bot(live, meeting, "Dave", GUEST)
        loaded = await dave.wait_event("poll", where=lambda e: e.data["poll_id"] == rest_poll["id"])
        # Anonymous: nobody else is told who voted; hide_votes: no counts before voting.
        assert loaded.data["votes"] == 0
        assert [o["count"] for o in dave.polls.get(rest_poll["id"])["options"]] == [None, None]
        assert [p["id"] for p in dave.polls.list()] == [rest_poll["id"]]
        assert [p["id"] for p in await dave.polls.refresh()] == [rest_poll["id"]]
    session = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]["id"]
    (stored,) = (await live.http.get(f"/_emulator/sessions/{session}/polls")).json()["data"]["polls"]
    assert stored["voted"] == [carol.participant_id] and stored["options"][1]["count"] == 1


async def test_poll_calls_need_a_joined_bot(live: Live) -> None:
    meeting = await live.meeting()
    bot = await BotParticipant.create(
        live.client, meeting, name="Idle", preset_name=HOST, config=live.config()
    )
    live.bots.append(bot)
    with pytest.raises(RuntimeError, match="new"):
        await bot.polls.create("q", ["a", "b"])
    assert bot.status()["polls"] == {"polls": []}
