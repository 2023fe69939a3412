"""Host controls through the bot over real WebRTC: waiting room, pin, mute, kick, stage, refusals."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from realtimekit_mcp.bot.host import HostActionError
from realtimekit_mcp.bot.manager import BotLimitError, BotManager, BotManagerLimits
from realtimekit_mcp.bot.participant import (
    BOT_PRESET_NAME,
    BotEvent,
    BotParticipant,
    BotState,
    bot_preset_body,
    ensure_bot_preset,
)
from realtimekit_mcp.protocol.events import RoomEvent
from tests.presets import make_preset

from .conftest import Dropper, Live

pytestmark = pytest.mark.anyio


async def token(live: Live, meeting: str, cpid: str, preset_name: str) -> str:
    return await live.token(meeting, cpid, preset=preset_name)


async def guest(
    live: Live, meeting: str, cpid: str, preset_name: str, *, join: bool = True
) -> BotParticipant:
    return await live.bot(meeting, cpid, preset=preset_name, join=join)


def of(bot: BotParticipant, type_: str) -> list[BotEvent]:
    return [e for e in bot.events_since(0, limit=10_000) if e.type == type_]


def waiting_names(bot: BotParticipant) -> list[str]:
    return [w["name"] for w in bot.roster.status()["waitlisted"]]


def joined_names(bot: BotParticipant) -> list[str]:
    return sorted(p["name"] for p in bot.roster.status()["joined"])


async def test_a_host_bot_admits_one_waitlisted_bot_and_rejects_another(live: Live) -> None:
    m = await live.meeting()
    lobby = await make_preset(live, "lobby", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await live.bot(m, "host")
    with anyio.fail_after(30):
        ann = await guest(live, m, "ann", lobby)
        ben = await guest(live, m, "ben", lobby)
        assert ann.state is BotState.WAITLISTED and ben.state is BotState.WAITLISTED
        assert of(ann, "waitlisted") and not of(ann, "joined")
        with pytest.raises(RuntimeError, match="waiting room"):
            await ann.send_chat("let me in")
        await host.wait_event("waitlist_added", where=lambda e: e.data["name"] == "ben")
        assert waiting_names(host) == ["ann", "ben"]
        assert joined_names(host) == ["host"]
        assert ann.roster.status()["waitlisted"] == []  # only a host sees the waitlist

        assert await host.host.admit([ann.participant_id]) == [ann.participant_id]
        assert waiting_names(host) == ["ben"]  # the list push came before the ack
        await ann.wait_event("joined")
        assert ann.state is BotState.JOINED
        assert [e.type for e in ann.events_since(0) if e.type in ("waitlisted", "admitted", "joined")] == [
            "waitlisted",
            "admitted",
            "joined",
        ]
        await host.wait_event(
            "participant_joined", where=lambda e: e.data["participant_id"] == ann.participant_id
        )
        assert joined_names(host) == ["ann", "host"]
        assert joined_names(ann) == ["ann", "host"]

        assert await host.host.reject() == [ben.participant_id]  # all who are still waiting
        assert await ben.ended == "rejected from the waiting room by a host"
        assert ben.state is BotState.REJECTED and of(ben, "rejected")
        assert waiting_names(host) == []
    removed = {e.data["name"]: e.data["outcome"] for e in of(host, "waitlist_removed")}
    assert removed == {"ann": "admitted", "ben": "rejected"}
    session = (await live.rest("GET", f"/meetings/{m}/active-session")).json()["data"]
    rows = (await live.rest("GET", f"/sessions/{session['id']}/participants")).json()["data"]["participants"]
    assert sorted(r["display_name"] for r in rows) == ["ann", "host"]


async def test_admit_all_lets_everyone_in_and_skip_on_accept_rejoins_directly(live: Live) -> None:
    m = await live.meeting()
    once = await make_preset(live, "lobby_once", waiting_room_type="SKIP_ON_ACCEPT")
    host = await live.bot(m, "host")
    with anyio.fail_after(30):
        cora = await guest(live, m, "cora", once)
        dan = await guest(live, m, "dan", once)
        await host.wait_event("waitlist_added", where=lambda e: e.data["name"] == "dan")
        admitted = await host.host.admit()
        assert sorted(admitted) == sorted([cora.participant_id, dan.participant_id])
        for bot in (cora, dan):
            await bot.wait_event("joined")
            assert bot.state is BotState.JOINED
        assert await host.host.admit() == []  # nobody is waiting
        token_again = cora._token
        await cora.leave()
        again = BotParticipant(token_again, live.config(), display_name="cora")
        live.bots.append(again)
        await again.join()
        assert again.state is BotState.JOINED and not of(again, "waitlisted")


async def test_a_pin_reaches_the_other_bot_with_the_right_participant(live: Live) -> None:
    m = await live.meeting()
    host = await live.bot(m, "host")
    bob = await live.bot(m, "bob")
    with anyio.fail_after(20):
        await host.host.pin(bob.participant_id)
        event = await bob.wait_event("pinned")
        assert event.data["participant_id"] == bob.participant_id
        assert bob.roster.status()["pinned"] == bob.participant_id
        mine = await host.wait_event("pinned")
        assert mine.data["participant_id"] == bob.participant_id and mine.data["by"] == host.participant_id
        entry = next(p for p in host.roster.status()["joined"] if p["participant_id"] == bob.participant_id)
        assert entry["pinned"]
        carol = await live.bot(m, "carol")  # a late joiner learns the pin
        assert carol.roster.status()["pinned"] == bob.participant_id
        await host.host.unpin()
        cleared = await bob.wait_event("pinned", after=event.seq)
        assert cleared.data["participant_id"] is None
        assert bob.roster.status()["pinned"] is None
        with pytest.raises(KeyError):
            await host.host.pin("nobody-here")


async def test_mute_and_kick_one_and_then_all(live: Live) -> None:
    m = await live.meeting()
    host = await live.bot(m, "host")
    bob = await live.bot(m, "bob")
    carol = await live.bot(m, "carol")
    with anyio.fail_after(30):
        for bot in (bob, carol):
            await bot.publish_audio()
        await host.wait_event(
            "media_changed", where=lambda e: e.data["participant_id"] == carol.participant_id and e.data["on"]
        )
        await host.host.mute(bob.peer_id)
        muted = await bob.wait_event("muted")
        assert muted.data["kind"] == "audio" and bob.audio_source.paused
        change = await host.wait_event(
            "media_changed",
            where=lambda e: e.data["participant_id"] == bob.participant_id and not e.data["on"],
        )
        assert change.data["kind"] == "audio"
        assert not carol.audio_source.paused
        await host.host.mute_all()
        await carol.wait_event("muted")
        assert not host.audio_source.paused  # the host does not mute itself

        await host.host.kick(bob.participant_id)
        assert "kicked" in await bob.ended
        assert bob.state is BotState.KICKED
        await host.wait_event(
            "participant_left", where=lambda e: e.data["participant_id"] == bob.participant_id
        )
        assert joined_names(host) == ["carol", "host"]
        await host.host.kick_all()
        await carol.ended
        await host.ended
        assert carol.state is BotState.MEETING_ENDED and host.state is BotState.MEETING_ENDED


async def test_a_webinar_host_bot_accepts_and_denies_stage_requests(live: Live) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    ann = await guest(live, m, "ann", "webinar_participant")
    ben = await guest(live, m, "ben", "webinar_participant")
    with anyio.fail_after(30):
        assert host.roster.self_stage == "on_stage" and ann.roster.self_stage == "off_stage"
        assert "stage" in host.host.status()["can"]
        await ann._require_sig().send(RoomEvent.REQUEST_STAGE_ACCESS)
        await host.wait_event(
            "stage_changed",
            where=lambda e: e.data["participant_id"] == ann.participant_id and e.data["stage"] == "requested",
        )
        assert [r["name"] for r in host.roster.stage_requests()] == ["ann"]
        assert await host.host.stage_accept() == [ann.participant_id]
        await ann.wait_event(
            "stage_changed",
            where=lambda e: e.data["peer_id"] == ann.peer_id and e.data["stage"] == "approved",
        )
        assert ann.roster.self_stage == "approved"
        await ben._require_sig().send(RoomEvent.REQUEST_STAGE_ACCESS)
        await host.wait_event(
            "stage_changed",
            where=lambda e: e.data["participant_id"] == ben.participant_id and e.data["stage"] == "requested",
        )
        assert await host.host.stage_deny([ben.peer_id]) == [ben.participant_id]
        await ben.wait_event(
            "stage_changed",
            where=lambda e: e.data["peer_id"] == ben.peer_id and e.data["stage"] == "off_stage",
        )
        stages = {p["name"]: p["stage"] for p in host.roster.status()["joined"]}
        assert stages == {"host": "on_stage", "ann": "approved", "ben": "off_stage"}
        assert await host.host.stage_accept() == []  # no request left
        with pytest.raises(HostActionError, match="accept_stage_requests"):
            await ann.host.stage_accept([ben.participant_id])


async def test_a_bot_whose_preset_lacks_host_rights_is_refused_by_the_server(live: Live) -> None:
    m = await live.meeting()
    host = await live.bot(m, "host")
    plain = await guest(live, m, "plain", "group_call_participant")
    with anyio.fail_after(20):
        assert plain.host.status() == {"can": []}
        assert plain.host.permissions()["kick_participant"] is False
        assert set(host.host.status()["can"]) >= {"admit", "pin", "mute", "kick"}
        attempts = [
            (plain.host.kick(host.participant_id), "kick_participant"),
            (plain.host.kick_all(), "kick_participant"),
            (plain.host.pin(host.participant_id), "pin_participant"),
            (plain.host.mute(host.participant_id), "disable_participant_audio"),
            (plain.host.mute_all(), "disable_participant_audio"),
            (plain.host.admit(), "accept_waiting_requests"),
            (plain.host.reject(["someone"]), "accept_waiting_requests"),
            (plain.host.stage_accept(), "accept_stage_requests"),
            (plain.host.stage_deny(), "accept_stage_requests"),
        ]
        for attempt, permission in attempts:
            with pytest.raises(HostActionError, match=f"does not allow {permission}"):
                await attempt
        assert host.state is BotState.JOINED and plain.state is BotState.JOINED
        with pytest.raises(KeyError):
            await host.host.admit(["not-waiting"])
    await plain.leave()
    with pytest.raises(RuntimeError, match="left"):
        await plain.host.kick(host.participant_id)


async def test_ensure_bot_preset_gives_an_older_bot_preset_the_host_rights(live: Live) -> None:
    old = bot_preset_body()
    old["permissions"].update(accept_waiting_requests=False, kick_participant=False, pin_participant=False)
    old["permissions"]["media"]["screenshare"]["can_produce"] = "NOT_ALLOWED"
    old["permissions"]["transcription_enabled"] = True  # an operator's own change: kept
    r = await live.rest("POST", "/presets", json=old)
    assert r.status_code == 201, r.text
    preset_id = r.json()["data"]["id"]
    assert await ensure_bot_preset(live.client) == BOT_PRESET_NAME
    now = (await live.rest("GET", f"/presets/{preset_id}")).json()["data"]["permissions"]
    assert now["accept_waiting_requests"] and now["kick_participant"] and now["pin_participant"]
    assert now["media"]["screenshare"]["can_produce"] == "ALLOWED"
    assert now["transcription_enabled"] is True
    assert now["media"]["audio"]["can_produce"] == "ALLOWED"
    listed = (await live.rest("GET", "/presets", params={"search": BOT_PRESET_NAME})).json()["data"]
    assert [p["name"] for p in listed].count(BOT_PRESET_NAME) == 1


async def test_a_waitlisted_bot_that_reconnects_waits_again_and_an_admitted_one_stays_in(live: Live) -> None:
    m = await live.meeting()
    lobby = await make_preset(live, "lobby", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await live.bot(m, "host")
    dropper = Dropper()
    ann = BotParticipant(await token(live, m, "ann", lobby), live.config(connect=dropper), display_name="ann")
    live.bots.append(ann)
    with anyio.fail_after(30):
        await ann.join()
        first = await host.wait_event("waitlist_added")
        cursor = ann.last_seq
        dropper.drop_last()
        back = await ann.wait_event("reconnected", after=cursor)
        assert back.data["waitlisted"] is True and ann.state is BotState.WAITLISTED
        await host.wait_event("waitlist_added", after=first.seq)
        assert [w["peer_id"] for w in host.roster.status()["waitlisted"]] == [ann.peer_id]
        await host.host.admit([ann.peer_id])
        await ann.wait_event("joined")
        cursor = ann.last_seq
        dropper.drop_last()
        back = await ann.wait_event("reconnected", after=cursor)
        assert back.data["waitlisted"] is False and ann.state is BotState.JOINED  # admitted stays admitted


async def test_the_manager_hands_out_a_waitlisted_bot_and_keeps_its_rejection(live: Live) -> None:
    m = await live.meeting()
    lobby = await make_preset(live, "lobby", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await live.bot(m, "host")
    async with BotManager(live.config(), limits=BotManagerLimits(max_bots=1)) as manager:
        with anyio.fail_after(30):
            bot_id = await manager.join(token=await token(live, m, "ann", lobby), name="ann")
            assert manager.status(bot_id)["state"] == "waitlisted"
            bot = manager.live(bot_id)  # a waitlisted bot is live ...
            with pytest.raises(BotLimitError):  # ... and counts against the limit
                await manager.join(token=await token(live, m, "ben", lobby), name="ben")
            await host.wait_event("waitlist_added")
            await host.host.reject()
            await bot.ended
            status = manager.status(bot_id)
            assert status["state"] == "rejected"
            assert status["end_reason"] == "rejected from the waiting room by a host"
            with pytest.raises(RuntimeError, match="rejected"):
                manager.live(bot_id)


@pytest.mark.parametrize("drop_at", ["admission", "completion"])
async def test_a_connection_lost_while_an_admitted_bot_joins_is_recovered_into_a_real_join(
    live: Live, drop_at: str
) -> None:
    # The network fails just as the admission arrives (before the bot re-sends joinRoom) or while it
    # completes its join: the supervisor reconnects, the server remembers the admission, and the bot
    # ends up joined with its bookkeeping (joined event, joined_at), not failed; leave() then ends it.
    m = await live.meeting()
    lobby = await make_preset(live, f"lobby_{drop_at}", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await live.bot(m, "host")
    dropper = Dropper()
    ann = BotParticipant(await token(live, m, "ann", lobby), live.config(connect=dropper), display_name="ann")
    live.bots.append(ann)
    if drop_at == "admission":
        finish = ann._finish_admission

        async def drop_then_finish() -> None:
            dropper.drop_last()
            await finish()

        ann._finish_admission = drop_then_finish  # type: ignore[method-assign]
    else:
        complete = ann._complete_join

        async def drop_then_complete(me: Any) -> None:
            if ann.state is BotState.WAITLISTED:
                dropper.drop_last()
            await complete(me)

        ann._complete_join = drop_then_complete  # type: ignore[method-assign]
    with anyio.fail_after(30):
        await ann.join()
        assert ann.state is BotState.WAITLISTED
        await host.wait_event("waitlist_added")
        cursor = ann.last_seq
        await host.host.admit([ann.participant_id])
        await ann.wait_event("joined", after=cursor)
        assert ann.state is BotState.JOINED and ann.joined_at is not None
        assert [e.type for e in ann.events_since(cursor) if e.type in ("joined", "failed")] == ["joined"]
        assert ann.reconnects == 1
        await host.wait_event(
            "participant_joined", where=lambda e: e.data.get("participant_id") == ann.participant_id
        )
        await ann.leave()
        assert ann.ended.done() and ann.state is BotState.LEFT


async def test_a_host_that_reconnects_keeps_its_waiting_room_view_without_repeating_it(live: Live) -> None:
    m = await live.meeting()
    lobby = await make_preset(live, "lobby_host_drop", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    dropper = Dropper()
    host = await live.bot(m, "host", connect=dropper)
    with anyio.fail_after(30):
        ann = await guest(live, m, "ann", lobby)
        assert ann.state is BotState.WAITLISTED
        await host.wait_event("waitlist_added")
        cursor = host.last_seq
        dropper.drop_last()
        await host.wait_event("reconnected", after=cursor)
        assert waiting_names(host) == ["ann"]
        changes = [e.type for e in host.events_since(cursor) if e.type.startswith("waitlist_")]
        assert changes == []  # the same person still waits: nothing to report
        await host.host.admit()
        await ann.wait_event("joined")
        assert waiting_names(host) == []
