"""host toolset (bot_moderate, bot_poll, bot_plugin) and the bot tools' issue-6 parts (image chat,
screenshare, the participants view and its resource) over the in-memory SDK client on both protocol
eras, against a real loopback emulator with real bots (WebSocket + WebRTC on 127.0.0.1)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import ElicitRequestParams, ElicitResult

from tests.media_files import write_png, write_tone_wav
from tests.server.support import accept, call_ok, connect, text
from tests.tools.livebots import WAIT, Live

pytestmark = pytest.mark.anyio

WAITING_PRESET = "guests_wait"


async def _meeting(client: Client, title: str = "Host tools") -> str:
    created = await call_ok(client, "meeting_create", {"title": title})
    assert created.structured_content is not None
    return str(created.structured_content["id"])


async def _join(client: Client, meeting_id: str, name: str, **extra: Any) -> dict[str, Any]:
    with anyio.fail_after(WAIT):
        joined = await call_ok(client, "bot_join", {"meeting_id": meeting_id, "name": name, **extra})
    data = joined.structured_content
    assert data is not None
    data["text"] = text(joined)
    return data


async def _waiting_preset(live: Live, name: str = WAITING_PRESET) -> str:
    """A group-call preset without host rights whose participants wait until a host admits them."""
    from realtimekit_mcp.emulator.presets import default_preset_body

    body = default_preset_body(name, "GROUP_CALL", host=False)
    body["permissions"]["waiting_room_type"] = "ON_PRIVILEGED_USER_ENTRY"
    created = await live.rest("POST", "/presets", json=body)
    assert created.status_code == 201, created.text
    return name


async def _waitlisted(client: Client, live: Live, host_id: str, meeting_id: str, name: str) -> dict[str, Any]:
    """A guest bot that joins through the waiting-room preset, once the host bot sees it waiting."""
    guest = await _join(client, meeting_id, name, preset=WAITING_PRESET)
    assert guest["state"] == "waitlisted", guest["text"]
    assert "waiting room" in guest["text"] and "a host must admit it" in guest["text"]
    with anyio.fail_after(WAIT):
        await live.bot(host_id).wait_event(
            "waitlist_added", where=lambda e: e.data.get("participant_id") == guest["participant_id"]
        )
    return guest


def _asking(answer: str, asked: list[str]) -> Any:
    async def callback(_ctx: Any, params: ElicitRequestParams) -> ElicitResult:
        asked.append(str(getattr(params, "message", "")))
        if answer == "accept":
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action="decline")

    return callback


async def test_a_host_bot_admits_one_waiting_guest_and_rejects_another_after_the_user_confirms(
    live: Live, mode: str
) -> None:
    asked: list[str] = []
    async with connect(live.server, mode, elicitation_callback=_asking("accept", asked)) as client:
        meeting_id = await _meeting(client)
        await _waiting_preset(live)
        host = await _join(client, meeting_id, "Host")
        assert host["state"] == "joined"
        guest = await _waitlisted(client, live, host["bot_id"], meeting_id, "Guest")

        early = await client.call_tool(
            "bot_send", {"bot_id": guest["bot_id"], "action": "chat", "text": "hi"}
        )
        assert early.is_error and "waiting in the waiting room" in text(early)
        waiting = text(await call_ok(client, "bot_status", {"bot_id": guest["bot_id"]}))
        assert ": waitlisted" in waiting and "waiting in the waiting room" in waiting

        status = text(await call_ok(client, "bot_status", {"bot_id": host["bot_id"]}))
        assert f"waiting room (1): Guest ({guest['participant_id']})" in status
        doc = json.loads(
            (await client.read_resource(f"realtimekit://bots/{host['bot_id']}/participants")).contents[0].text  # type: ignore[union-attr]
        )
        assert [p["participant_id"] for p in doc["waitlisted"]] == [guest["participant_id"]]
        assert doc["state"] == "joined" and doc["meeting_id"] == meeting_id

        admitted = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "admit", "participant_ids": [guest["participant_id"]]},
        )
        assert f"Admitted 1: Guest ({guest['participant_id']})" in text(admitted)
        assert asked == []  # letting someone in is not confirmed
        guest_bot = live.bot(guest["bot_id"])
        with anyio.fail_after(WAIT):
            await guest_bot.wait_event("joined")
        assert guest_bot.state.value == "joined"
        await call_ok(client, "bot_send", {"bot_id": guest["bot_id"], "action": "chat", "text": "thanks"})

        other = await _waitlisted(client, live, host["bot_id"], meeting_id, "Latecomer")
        rejected = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "reject", "participant_ids": [other["participant_id"]]},
        )
        assert f"Rejected 1: Latecomer ({other['participant_id']})" in text(rejected)
        assert len(asked) == 1
        assert "Reject Latecomer" in asked[0] and meeting_id in asked[0] and "cannot join" in asked[0]
        late_bot = live.bot(other["bot_id"])
        with anyio.fail_after(WAIT):
            await late_bot.ended
        assert late_bot.state.value == "rejected"
        ended = await client.call_tool("bot_send", {"bot_id": other["bot_id"], "action": "chat", "text": "x"})
        assert ended.is_error and "has ended (rejected" in text(ended)

        view = json.loads(
            (await client.read_resource(f"realtimekit://bots/{host['bot_id']}/participants")).contents[0].text  # type: ignore[union-attr]
        )
        assert view["waitlisted"] == []
        assert guest["participant_id"] in {p["participant_id"] for p in view["joined"]}


async def test_a_declined_rejection_leaves_the_guest_waiting(live: Live, mode: str) -> None:
    asked: list[str] = []
    async with connect(live.server, mode, elicitation_callback=_asking("decline", asked)) as client:
        meeting_id = await _meeting(client)
        await _waiting_preset(live)
        host = await _join(client, meeting_id, "Host")
        guest = await _waitlisted(client, live, host["bot_id"], meeting_id, "Guest")
        result = await client.call_tool("bot_moderate", {"bot_id": host["bot_id"], "action": "reject"})
        assert result.is_error and "the user declined" in text(result)
        assert len(asked) == 1 and "everyone in the waiting room" in asked[0]
        assert live.bot(guest["bot_id"]).state.value == "waitlisted"
        # admitting everyone waiting is not asked
        admitted = await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "admit"})
        assert "Admitted 1" in text(admitted) and len(asked) == 1
        with anyio.fail_after(WAIT):
            await live.bot(guest["bot_id"]).wait_event("joined")


async def test_without_elicitation_removing_people_fails_closed_but_admitting_works(
    live: Live, mode: str
) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        await _waiting_preset(live)
        host = await _join(client, meeting_id, "Host")
        guest = await _waitlisted(client, live, host["bot_id"], meeting_id, "Guest")
        for action in ("reject", "kick_all", "mute_all"):
            result = await client.call_tool("bot_moderate", {"bot_id": host["bot_id"], "action": action})
            assert result.is_error and "cannot show confirmation prompts" in text(result), action
        kick = await client.call_tool(
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "kick", "participant_ids": [guest["participant_id"]]},
        )
        assert kick.is_error and "cannot show confirmation prompts" in text(kick)
        assert live.bot(guest["bot_id"]).state.value == "waitlisted"
        assert live.bot(host["bot_id"]).state.value == "joined"
        await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "admit"})
        with anyio.fail_after(WAIT):
            await live.bot(guest["bot_id"]).wait_event("joined")


async def test_bad_moderation_requests_say_what_to_fix(live: Live, mode: str) -> None:
    asked: list[str] = []
    async with connect(live.server, mode, elicitation_callback=_asking("accept", asked)) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host")
        bot_id = host["bot_id"]
        cases = {
            ("pin", None): "needs participant_ids",
            ("pin", ("a", "b")): "exactly one",
            ("kick_all", ("a",)): "takes no participant_ids (use action=kick",
            ("mute", ("nobody-here",)): "Unknown participant",
            ("kick", ("nobody-here",)): "Unknown participant(s): nobody-here",
            ("reject", ("nobody-here",)): "Unknown participant(s): nobody-here",
        }
        for (action, ids), message in cases.items():
            args: dict[str, Any] = {"bot_id": bot_id, "action": action}
            if ids is not None:
                args["participant_ids"] = list(ids)
            result = await client.call_tool("bot_moderate", args)
            assert result.is_error and message in text(result), (action, text(result))
        unknown = await client.call_tool("bot_moderate", {"bot_id": "bot_nope", "action": "unpin"})
        assert unknown.is_error and "Unknown bot_id 'bot_nope'" in text(unknown)
        assert live.bot(bot_id).state.value == "joined"
        assert asked == []  # nobody is asked to confirm a request that cannot be carried out


async def test_a_bot_whose_preset_lacks_host_rights_is_refused_with_what_to_do(live: Live, mode: str) -> None:
    asked: list[str] = []
    async with connect(live.server, mode, elicitation_callback=_asking("accept", asked)) as client:
        meeting_id = await _meeting(client)
        plain = await _join(client, meeting_id, "Plain", preset="group_call_participant")
        other = await _join(client, meeting_id, "Other")
        with anyio.fail_after(WAIT):
            await live.bot(plain["bot_id"]).wait_event(
                "participant_joined", where=lambda e: e.data.get("name") == "Other"
            )
        for action in ("pin", "kick", "reject"):
            result = await client.call_tool(
                "bot_moderate",
                {"bot_id": plain["bot_id"], "action": action, "participant_ids": [other["participant_id"]]},
            )
            message = text(result)
            assert result.is_error and "Not done: " in message, (action, message)
            assert "preset does not allow" in message and "bot_join without preset" in message, message
        for action in ("kick_all", "mute_all"):
            result = await client.call_tool("bot_moderate", {"bot_id": plain["bot_id"], "action": action})
            assert result.is_error and "preset does not allow" in text(result), (action, text(result))
        assert asked == []  # the user is never asked to confirm what the preset would refuse
        assert live.bot(other["bot_id"]).state.value == "joined"  # nobody was kicked
        poll = await client.call_tool(
            "bot_poll",
            {"bot_id": plain["bot_id"], "action": "create", "question": "Q?", "options": ["a", "b"]},
        )
        assert poll.is_error and "creating the poll was refused" in text(poll), text(poll)
        assert "does not allow" in text(poll) and "bot_join without preset" in text(poll)


async def test_a_poll_created_by_one_bot_is_voted_by_another_and_both_see_the_result(
    live: Live, mode: str
) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        a = await _join(client, meeting_id, "Asker")
        b = await _join(client, meeting_id, "Voter", preset="group_call_participant")
        empty = await call_ok(client, "bot_poll", {"bot_id": b["bot_id"]})
        assert "No polls" in text(empty)
        created = await call_ok(
            client,
            "bot_poll",
            {"bot_id": a["bot_id"], "action": "create", "question": "Lunch?", "options": ["Pizza", "Sushi"]},
        )
        assert "posted poll" in text(created) and "Lunch?" in text(created)
        poll_id = text(created).split("posted poll ")[1].split()[0]
        with anyio.fail_after(WAIT):
            await live.bot(b["bot_id"]).wait_event("poll", where=lambda e: e.data.get("poll_id") == poll_id)
        bad = await client.call_tool(
            "bot_poll", {"bot_id": b["bot_id"], "action": "vote", "poll_id": poll_id, "option": "Tacos"}
        )
        assert bad.is_error and "no option 'Tacos'" in text(bad) and "1. Pizza" in text(bad)
        voted = await call_ok(
            client,
            "bot_poll",
            {"bot_id": b["bot_id"], "action": "vote", "poll_id": poll_id, "option": "sushi"},
        )
        assert "Sushi 1 (Voter)" in text(voted) and "this bot voted" in text(voted)
        with anyio.fail_after(WAIT):
            await live.bot(a["bot_id"]).wait_event(
                "poll", where=lambda e: e.data.get("action") == "updated" and e.data.get("votes") == 1
            )
        listed = text(await call_ok(client, "bot_poll", {"bot_id": a["bot_id"], "action": "list"}))
        assert f"poll {poll_id} by " in listed and "Pizza 0" in listed and "Sushi 1 (Voter)" in listed
        assert "(1 vote)" in listed
        status = text(await call_ok(client, "bot_status", {"bot_id": b["bot_id"]}))
        assert "polls (1)" in status and "Sushi 1" in status
        again = await client.call_tool(
            "bot_poll", {"bot_id": b["bot_id"], "action": "vote", "poll_id": poll_id, "option": "1"}
        )
        assert again.is_error and "the vote was refused" in text(again), text(again)
        missing = await client.call_tool(
            "bot_poll", {"bot_id": b["bot_id"], "action": "vote", "poll_id": "nope", "option": "1"}
        )
        assert missing.is_error and "Unknown poll 'nope'" in text(missing)

        # a poll posted over REST (session_poll_create) reaches the bots too, and they vote in it
        await call_ok(
            client,
            "session_poll_create",
            {"meeting_id": meeting_id, "question": "Coffee?", "options": ["Tea", "Coffee"]},
        )
        with anyio.fail_after(WAIT):
            rest_poll = await live.bot(b["bot_id"]).wait_event(
                "poll", where=lambda e: e.data.get("question") == "Coffee?"
            )
        await call_ok(
            client,
            "bot_poll",
            {"bot_id": b["bot_id"], "action": "vote", "poll_id": rest_poll.data["poll_id"], "option": "2"},
        )
        with anyio.fail_after(WAIT):
            await live.bot(a["bot_id"]).wait_event(
                "poll",
                where=lambda e: (
                    e.data.get("poll_id") == rest_poll.data["poll_id"] and e.data.get("votes") == 1
                ),
            )
        both = text(await call_ok(client, "bot_poll", {"bot_id": a["bot_id"]}))
        assert "Polls in meeting" in both and "(2)" in both
        assert "Coffee? | Tea 0 | Coffee 1 (Voter)" in both


async def test_a_plugin_activated_by_one_bot_is_seen_by_the_other(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        a = await _join(client, meeting_id, "Presenter")
        b = await _join(client, meeting_id, "Viewer")
        catalogue = text(await call_ok(client, "bot_plugin", {"bot_id": a["bot_id"]}))
        assert "Whiteboard" in catalogue and "0 active" in catalogue
        line = next(x for x in catalogue.splitlines() if "Whiteboard" in x)
        plugin_id = line.removeprefix("- ").split(" | ")[0]
        done = await call_ok(
            client, "bot_plugin", {"bot_id": a["bot_id"], "action": "activate", "plugin_id": plugin_id}
        )
        assert f"plugin {plugin_id} is active for everyone" in text(done)
        with anyio.fail_after(WAIT):
            await live.bot(b["bot_id"]).wait_event(
                "plugin_activated", where=lambda e: e.data.get("plugin_id") == plugin_id
            )
        seen = text(await call_ok(client, "bot_status", {"bot_id": b["bot_id"]}))
        assert f"plugins active: Whiteboard ({plugin_id})" in seen
        listed = text(await call_ok(client, "bot_plugin", {"bot_id": b["bot_id"]}))
        assert "1 active" in listed and "| active (by " in listed
        await call_ok(
            client, "bot_plugin", {"bot_id": a["bot_id"], "action": "deactivate", "plugin_id": plugin_id}
        )
        with anyio.fail_after(WAIT):
            await live.bot(b["bot_id"]).wait_event("plugin_deactivated")
        unknown = await client.call_tool(
            "bot_plugin", {"bot_id": a["bot_id"], "action": "activate", "plugin_id": "no-such-plugin"}
        )
        assert unknown.is_error and "unknown plugin 'no-such-plugin'" in text(unknown)
        assert "Whiteboard" in text(unknown)  # the refusal lists the catalogue
        needs = await client.call_tool("bot_plugin", {"bot_id": a["bot_id"], "action": "activate"})
        assert needs.is_error and "needs plugin_id" in text(needs)


async def test_an_image_chat_message_goes_round_trip_with_a_url(live: Live, mode: str) -> None:
    png = write_png(live.media / "card.png")
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        a = await _join(client, meeting_id, "Sender", listen=False)
        b = await _join(client, meeting_id, "Receiver", listen=False)
        with anyio.fail_after(WAIT):
            await live.bot(a["bot_id"]).wait_event(
                "participant_joined", where=lambda e: e.data.get("name") == "Receiver"
            )
        sent = text(
            await call_ok(client, "bot_send", {"bot_id": a["bot_id"], "action": "image", "file": "card.png"})
        )
        assert "sent image card.png to everyone (http://127.0.0.1:" in sent
        url = sent.split("(")[1].split(")")[0]
        with anyio.fail_after(WAIT):
            event = await live.bot(b["bot_id"]).wait_event(
                "chat", where=lambda e: e.data.get("kind") == "image"
            )
        assert event.data["url"] == url
        assert await live.bot(b["bot_id"]).chat_files.fetch(url) == png
        status = text(await call_ok(client, "bot_status", {"bot_id": b["bot_id"]}))
        assert f"chat from Sender: [image] {url}" in status

        private = text(
            await call_ok(
                client,
                "bot_send",
                {"bot_id": a["bot_id"], "action": "image", "file": "card.png", "to": [b["participant_id"]]},
            )
        )
        assert f"to {b['participant_id']}" in private
        with anyio.fail_after(WAIT):
            await live.bot(b["bot_id"]).wait_event(
                "chat", where=lambda e: e.data.get("kind") == "image" and bool(e.data.get("private"))
            )
        for args, message in (
            ({"file": "tone.wav"}, "is not an image file"),
            ({"file": "card.png", "to": ["nobody"]}, "not in the room"),
            ({}, "needs file"),
        ):
            result = await client.call_tool("bot_send", {"bot_id": a["bot_id"], "action": "image", **args})
            assert result.is_error and message in text(result), (args, text(result))

        # Any other file goes as a file message (the web SDK's {link, name, size}).
        notes = live.media / "notes.pdf"
        notes.write_bytes(b"%PDF-1.4 minutes of the meeting")
        attached = text(
            await call_ok(
                client, "bot_send", {"bot_id": a["bot_id"], "action": "attach", "file": "notes.pdf"}
            )
        )
        assert "sent file notes.pdf to everyone (http://127.0.0.1:" in attached, attached
        with anyio.fail_after(WAIT):
            got = await live.bot(b["bot_id"]).wait_event("chat", where=lambda e: e.data.get("kind") == "file")
        assert (got.data["file_name"], got.data["size"]) == ("notes.pdf", len(notes.read_bytes()))
        assert await live.bot(b["bot_id"]).chat_files.fetch(got.data["url"]) == notes.read_bytes()
        (live.media / "run.sh").write_text("echo hi")
        odd = await client.call_tool(
            "bot_send", {"bot_id": a["bot_id"], "action": "attach", "file": "run.sh"}
        )
        assert odd.is_error and "a document, image, audio or video file" in text(odd), text(odd)


async def test_screenshare_and_pin_show_in_the_other_bots_participants_view(live: Live, mode: str) -> None:
    write_png(live.media / "slide.png", 64, 48)
    async with connect(live.server, mode, elicitation_callback=accept) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host", listen=False)
        presenter = await _join(client, meeting_id, "Presenter", listen=False)
        shared = await call_ok(
            client, "bot_send", {"bot_id": presenter["bot_id"], "action": "share", "file": "slide.png"}
        )
        assert "sharing slide.png as the bot's screenshare" in text(shared)
        host_bot = live.bot(host["bot_id"])
        with anyio.fail_after(WAIT):
            await host_bot.wait_event(
                "media_changed",
                where=lambda e: (
                    e.data.get("kind") == "screenshare"
                    and e.data.get("on")
                    and e.data.get("participant_id") == presenter["participant_id"]
                ),
            )
        pinned = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "pin", "participant_ids": [presenter["participant_id"]]},
        )
        assert f"Pinned Presenter ({presenter['participant_id']})" in text(pinned)
        with anyio.fail_after(WAIT):
            await live.bot(presenter["bot_id"]).wait_event("pinned")
        status = text(await call_ok(client, "bot_status", {"bot_id": host["bot_id"]}))
        assert f"Presenter ({presenter['participant_id']}) [" in status
        flags = status.split(f"Presenter ({presenter['participant_id']}) [")[1].split("]")[0]
        assert "screen" in flags and "pinned" in flags
        assert f"pinned: Presenter ({presenter['participant_id']})" in status
        doc = json.loads(
            (await client.read_resource(f"realtimekit://bots/{host['bot_id']}/participants")).contents[0].text  # type: ignore[union-attr]
        )
        seen = next(p for p in doc["joined"] if p["participant_id"] == presenter["participant_id"])
        assert seen["screenshare"] is True and seen["pinned"] is True
        assert doc["pinned"] == presenter["participant_id"]

        stopped = await call_ok(
            client, "bot_send", {"bot_id": presenter["bot_id"], "action": "stop", "what": "screenshare"}
        )
        assert "stopped screenshare" in text(stopped)
        with anyio.fail_after(WAIT):
            await host_bot.wait_event(
                "media_changed",
                where=lambda e: e.data.get("kind") == "screenshare" and e.data.get("on") is False,
            )
        await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "unpin"})
        with anyio.fail_after(WAIT):
            await host_bot.wait_event("pinned", where=lambda e: e.data.get("participant_id") is None)


async def test_mute_acts_at_once_and_kick_after_confirmation_removes_the_participant(
    live: Live, mode: str
) -> None:
    asked: list[str] = []
    async with connect(live.server, mode, elicitation_callback=_asking("accept", asked)) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host", listen=False)
        guest = await _join(client, meeting_id, "Guest", listen=False)
        with anyio.fail_after(WAIT):
            await live.bot(host["bot_id"]).wait_event(
                "participant_joined", where=lambda e: e.data.get("name") == "Guest"
            )
        guest_bot = live.bot(guest["bot_id"])
        await call_ok(client, "bot_send", {"bot_id": guest["bot_id"], "action": "play", "file": "tone.wav"})
        muted = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "mute", "participant_ids": [guest["participant_id"]]},
        )
        assert f"Muted Guest ({guest['participant_id']})" in text(muted) and asked == []
        with anyio.fail_after(WAIT):
            event = await guest_bot.wait_event("muted")
        assert event.data.get("kind") == "audio"
        kicked = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "kick", "participant_ids": [guest["participant_id"]]},
        )
        assert f"Removed Guest ({guest['participant_id']})" in text(kicked)
        assert len(asked) == 1 and f"Remove Guest ({guest['participant_id']})" in asked[0]
        with anyio.fail_after(WAIT):
            await guest_bot.ended
        assert guest_bot.state.value == "kicked"
        ended = await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "kick_all"})
        assert "Removed everyone: the session has ended" in text(ended)
        assert len(asked) == 2 and "ends the session for all participants" in asked[1]
        host_bot = live.bot(host["bot_id"])
        with anyio.fail_after(WAIT):
            await host_bot.ended
        assert host_bot.state.value == "meeting_ended"


async def test_joining_with_an_unknown_preset_says_to_check_the_preset(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        result = await client.call_tool(
            "bot_join", {"meeting_id": meeting_id, "name": "X", "preset": "no_such_preset"}
        )
        assert result.is_error and f"Could not join meeting {meeting_id}" in text(result)
        assert "Check the preset name (preset_list)" in text(result), text(result)
        assert "No bots" in text(await call_ok(client, "bot_status", {}))


async def test_the_participants_resource_of_an_unknown_bot_is_a_clear_error(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        with pytest.raises(Exception, match="Unknown bot bot_nope"):
            await client.read_resource("realtimekit://bots/bot_nope/participants")


async def test_host_tools_are_off_by_default(tmp_path: Any, mode: str) -> None:
    from tests.server.support import make_rig

    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "bot_join" in names and not names & {"bot_moderate", "bot_poll", "bot_plugin"}
        result = await client.call_tool("bot_poll", {"bot_id": "bot_x"})
        assert result.is_error and "--toolsets host" in text(result)


async def test_a_webinar_host_bot_accepts_and_denies_stage_requests(live: Live, mode: str) -> None:
    from realtimekit_mcp.protocol.events import RoomEvent

    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host", listen=False, preset="webinar_host")
        ann = await _join(client, meeting_id, "Ann", listen=False, preset="webinar_participant")
        ben = await _join(client, meeting_id, "Ben", listen=False, preset="webinar_participant")
        host_bot = live.bot(host["bot_id"])
        for who in (ann, ben):  # raw requests, as the web UI sends them (test_bot_stage.py: bot_send)
            await live.bot(who["bot_id"])._require_sig().send(RoomEvent.REQUEST_STAGE_ACCESS)
            with anyio.fail_after(WAIT):
                await host_bot.wait_event(
                    "stage_changed",
                    where=lambda e, w=who: (
                        e.data.get("participant_id") == w["participant_id"]
                        and e.data.get("stage") == "requested"
                    ),
                )
        status = text(await call_ok(client, "bot_status", {"bot_id": host["bot_id"]}))
        assert f"Ann ({ann['participant_id']}) [stage requested]" in status
        accepted = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "stage_accept", "participant_ids": [ann["participant_id"]]},
        )
        assert f"Accepted onto the stage 1: Ann ({ann['participant_id']})" in text(accepted)
        denied = await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "stage_deny"})
        assert f"Denied the stage 1: Ben ({ben['participant_id']})" in text(denied)
        with anyio.fail_after(WAIT):
            await live.bot(ann["bot_id"]).wait_event(
                "stage_changed", where=lambda e: e.data.get("stage") == "approved"
            )
        none_left = await call_ok(
            client, "bot_moderate", {"bot_id": host["bot_id"], "action": "stage_accept"}
        )
        assert "Nobody asked for the stage" in text(none_left)
        refused = await client.call_tool(
            "bot_moderate",
            {"bot_id": ann["bot_id"], "action": "stage_accept", "participant_ids": [ben["participant_id"]]},
        )
        assert refused.is_error and "accept_stage_requests" in text(refused), text(refused)
        write_png(live.media / "slide.png")
        share = await client.call_tool(
            "bot_send", {"bot_id": ben["bot_id"], "action": "share", "file": "slide.png"}
        )
        message = text(share)  # Ben is off the stage: the bot refuses before asking (as the SDK does)
        assert share.is_error and "not on the stage (off_stage)" in message, message
        assert "publish screenshare" in message and "action=stage_request" in message


async def test_an_active_speaker_shows_in_bot_status_and_the_participants_resource(
    live: Live, mode: str
) -> None:
    write_tone_wav(live.media / "long.wav", seconds=4.0)  # still speaking when bot_status is read
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host")
        talker = await _join(client, meeting_id, "Talker", listen=False)
        host_bot = live.bot(host["bot_id"])
        with anyio.fail_after(WAIT):
            await host_bot.wait_event("participant_joined", where=lambda e: e.data.get("name") == "Talker")
        await call_ok(client, "bot_send", {"bot_id": talker["bot_id"], "action": "play", "file": "long.wav"})
        with anyio.fail_after(WAIT):
            await host_bot.wait_event(
                "speaking_started", where=lambda e: e.data.get("participant_id") == talker["participant_id"]
            )
            status = text(await call_ok(client, "bot_status", {"bot_id": host["bot_id"]}))
        assert "speaking now: Talker" in status, status
        flags = status.split(f"Talker ({talker['participant_id']}) [")[1].split("]")[0]
        assert "mic" in flags and "speaking" in flags
        doc = json.loads(
            (await client.read_resource(f"realtimekit://bots/{host['bot_id']}/participants")).contents[0].text  # type: ignore[union-attr]
        )
        assert doc["active_speakers"][0] == talker["participant_id"]


def test_image_and_file_chat_events_show_their_url_name_and_size() -> None:
    from types import SimpleNamespace

    from realtimekit_mcp.tools.bot import event_line

    url = "http://127.0.0.1:9/_emulator/chat-files/abc/report.pdf?expires=1&sig=" + "f" * 64
    file_event = SimpleNamespace(
        seq=3,
        at=0.0,
        type="chat",
        data={
            "from_name": "Ana",
            "private": True,
            "kind": "file",
            "text": '{"link": "…", "name": "report.pdf", "size": 1234}',
            "url": url,
            "file_name": "report.pdf",
            "size": 1234,
        },
    )
    assert event_line(file_event).endswith(f"chat from Ana (private): [file] report.pdf (1234 bytes) {url}")
    image = SimpleNamespace(
        seq=4, at=0.0, type="chat", data={"from_name": "Bo", "kind": "image", "text": url, "url": url}
    )
    assert event_line(image).endswith(f"chat from Bo: [image] {url}")  # the whole URL, once
    sent = SimpleNamespace(
        seq=5, at=0.0, type="chat_sent", data={"kind": "image", "url": url, "name": "x.png"}
    )
    assert f"url={url}" in event_line(sent)
