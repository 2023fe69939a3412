"""The bot's own webinar stage over real WebRTC: request, accept/deny, join, speak, leave, cancel.

A webinar participant bot may publish only on the stage (the bot refuses before any offer, the
emulator refuses too); leaving the stage, or a host taking it off, stops its producers for everyone.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from realtimekit_mcp.bot.participant import BotEvent, BotParticipant
from realtimekit_mcp.bot.stage import StageError
from realtimekit_mcp.bot.tracks import color_bars
from realtimekit_mcp.emulator.routes.client_api import live_plane

from .conftest import Dropper, Live
from .test_host import guest, token

pytestmark = pytest.mark.anyio


def sfu_kinds(live: Live, bot: BotParticipant) -> list[str]:
    """Kinds of the bot's producers the emulator's SFU holds."""
    return sorted(p.kind for p in live_plane(live.app).sfu.producers_of(bot.peer_id))


def own_stage_events(bot: BotParticipant) -> list[str]:
    """The stage states the bot announced for itself, in order."""
    return [
        e.data["stage"]
        for e in bot.events_since(0, limit=10_000)
        if e.type == "stage_changed" and e.data.get("peer_id") == bot.peer_id
    ]


def stage_of(bot: BotParticipant, who: BotParticipant, stage: str) -> Any:
    """A ``where`` for the stage_changed event of ``who`` reaching ``stage``."""

    def match(e: BotEvent) -> bool:
        return e.data.get("peer_id") == who.peer_id and e.data.get("stage") == stage

    return match


async def test_a_participant_bot_asks_is_accepted_speaks_on_stage_and_leaves_it(live: Live) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    ann = await guest(live, m, "ann", "webinar_participant")
    with anyio.fail_after(30):
        assert host.stage.state == "on_stage" and ann.stage.state == "off_stage"
        assert ann.status()["stage"] == {"state": "off_stage"}
        # Off the stage: nothing is published, and the bot says why before asking the server.
        with pytest.raises(StageError, match=r"not on the stage \(off_stage\)"):
            await ann.play_tone(seconds=0.2)
        with pytest.raises(StageError, match="not on the stage"):
            await ann.publish_screenshare(color_bars(64, 48))
        assert ann.status()["published"] == {} and sfu_kinds(live, ann) == []
        with pytest.raises(StageError, match="has not approved"):
            await ann.stage.join()
        with pytest.raises(StageError, match="not on the stage"):
            await ann.stage.leave()

        assert await ann.stage.request() == "requested"
        assert await ann.stage.request() == "requested"  # asking twice: still one request
        await host.wait_event("stage_changed", where=stage_of(host, ann, "requested"))
        assert [r["name"] for r in host.roster.stage_requests()] == ["ann"]
        assert await host.host.stage_accept() == [ann.participant_id]
        await ann.wait_event("stage_changed", where=stage_of(ann, ann, "approved"))
        assert ann.stage.state == "approved"
        with pytest.raises(StageError, match="already approved"):
            await ann.stage.request()

        assert await ann.stage.join() == "on_stage"
        await host.wait_event("stage_changed", where=stage_of(host, ann, "on_stage"))
        assert own_stage_events(ann) == ["requested", "approved", "on_stage"]  # one event per change
        me = next(p for p in ann.roster.status()["joined"] if p["participant_id"] == ann.participant_id)
        assert me["stage"] == "on_stage"
        with pytest.raises(StageError, match="already on the stage"):
            await ann.stage.join()

        await ann.play_continuous_tone(660.0)
        await host.wait_audio(ann.participant_id, seconds=0.5)
        producer_id = ann.status()["published"]["audio"]["producer_id"]
        assert sfu_kinds(live, ann) == ["audio"]

        assert await ann.stage.leave() == "off_stage"
        await host.wait_event("producer_removed", where=lambda e: e.data["producer_id"] == producer_id)
        await host.wait_event("stage_changed", where=stage_of(host, ann, "off_stage"))
        assert ann.status()["published"] == {} and sfu_kinds(live, ann) == []
        assert own_stage_events(ann)[-1] == "off_stage" and ann.status()["stage"]["state"] == "off_stage"
        with pytest.raises(StageError, match="not on the stage"):
            await ann.play_tone(seconds=0.2)


async def test_a_denied_request_and_a_cancelled_one_leave_the_bot_off_the_stage(live: Live) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    ben = await guest(live, m, "ben", "webinar_participant")
    with anyio.fail_after(30):
        with pytest.raises(StageError, match="no pending stage request"):
            await ben.stage.cancel()
        await ben.stage.request()
        await host.wait_event("stage_changed", where=stage_of(host, ben, "requested"))
        assert await host.host.stage_deny() == [ben.participant_id]
        await ben.wait_event("stage_changed", where=stage_of(ben, ben, "off_stage"))
        assert ben.stage.state == "off_stage"
        with pytest.raises(StageError, match="has not approved"):
            await ben.stage.join()

        cursor = host.last_seq
        assert await ben.stage.request() == "requested"
        await host.wait_event("stage_changed", after=cursor, where=stage_of(host, ben, "requested"))
        with pytest.raises(StageError, match="cancel the pending request"):
            await ben.stage.leave()
        assert await ben.stage.cancel() == "off_stage"
        await host.wait_event("stage_changed", after=cursor, where=stage_of(host, ben, "off_stage"))
        assert host.roster.stage_requests() == []
        assert await host.host.stage_accept() == []  # nothing left to decide
        assert own_stage_events(ben) == ["requested", "off_stage", "requested", "off_stage"]


async def test_a_host_taking_the_bot_off_the_stage_stops_its_media_and_it_can_come_back(
    live: Live,
) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    ann = await guest(live, m, "ann", "webinar_participant")
    with anyio.fail_after(40):
        await ann.stage.request()
        await host.wait_event("stage_changed", where=stage_of(host, ann, "requested"))
        await host.host.stage_accept()
        await ann.wait_event("stage_changed", where=stage_of(ann, ann, "approved"))
        await ann.stage.join()
        await ann.publish_video(color_bars(64, 48))
        await ann.play_continuous_tone()
        await host.wait_audio(ann.participant_id, seconds=0.3)
        assert sfu_kinds(live, ann) == ["audio", "video"]

        # The host takes Ann off the stage (leaveStage naming her, as the SDK's stage.kick does).
        cursor = ann.last_seq
        assert await host.host.stage_remove([ann.peer_id]) == [ann.participant_id]
        for kind in ("audio", "video"):
            await ann.wait_event("unpublished", after=cursor, where=lambda e, k=kind: e.data["kind"] == k)
        assert ann.stage.state == "off_stage" and ann.status()["published"] == {}
        assert sfu_kinds(live, ann) == []
        assert host.peers[ann.peer_id].producers == {}

        # Asked and accepted again, her send connection still works: she is heard again.
        await ann.stage.request()
        await host.wait_event("stage_changed", after=cursor, where=stage_of(host, ann, "requested"))
        await host.host.stage_accept([ann.participant_id])
        await ann.wait_event("stage_changed", after=cursor, where=stage_of(ann, ann, "approved"))
        await ann.stage.join()
        await ann.play_continuous_tone(880.0)
        buffer = await host.wait_audio(ann.participant_id)
        await host.wait_audio(ann.participant_id, new_frames=25)
        assert buffer.frames >= 25
        assert sfu_kinds(live, ann) == ["audio"]


async def test_a_host_preset_with_stage_access_goes_off_and_back_on_without_a_request(live: Live) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    viewer = await guest(live, m, "viewer", "webinar_participant")
    with anyio.fail_after(30):
        await host.play_continuous_tone()
        assert sfu_kinds(live, host) == ["audio"]
        assert await host.stage.leave() == "off_stage"
        assert host.status()["published"] == {} and sfu_kinds(live, host) == []
        await viewer.wait_event("stage_changed", where=stage_of(viewer, host, "off_stage"))
        assert await host.stage.request() == "approved"  # stage_access ALLOWED: no host needed
        assert viewer.roster.stage_requests() == []
        assert await host.stage.join() == "on_stage"
        await viewer.wait_event("stage_changed", where=stage_of(viewer, host, "on_stage"))
        await host.play_continuous_tone()
        await viewer.wait_audio(host.participant_id, seconds=0.3)
        assert own_stage_events(host) == ["off_stage", "approved", "on_stage"]


async def test_a_group_call_bot_has_no_stage_and_publishes_freely(live: Live) -> None:
    m = await live.meeting()
    bot = await live.bot(m, "alice")
    with anyio.fail_after(20):
        assert bot.stage.state is None and bot.status()["stage"] == {"state": None}
        for action in (bot.stage.request, bot.stage.cancel, bot.stage.join, bot.stage.leave):
            with pytest.raises(StageError, match="no stage"):
                await action()
        await bot.play_tone(seconds=0.2)
        assert sfu_kinds(live, bot) == ["audio"]


async def test_stage_actions_need_a_joined_bot(live: Live) -> None:
    m = await live.meeting()
    bot = await guest(live, m, "ann", "webinar_participant", join=False)
    assert bot.stage.state is None  # not joined: nothing known yet
    with pytest.raises(RuntimeError):
        await bot.stage.request()


async def test_a_preset_that_may_not_go_on_stage_is_refused_by_the_server(live: Live) -> None:
    m = await live.meeting()
    viewer = await guest(live, m, "viewer", "livestream_viewer")  # stage_access NOT_ALLOWED
    with anyio.fail_after(20):
        assert viewer.stage.state == "off_stage"
        with pytest.raises(StageError, match=r"stage request refused by the server: .*stage_access"):
            await viewer.stage.request()
        assert viewer.stage.state == "off_stage" and own_stage_events(viewer) == []
        with pytest.raises(StageError, match="has not approved"):
            await viewer.stage.join()


async def test_a_bot_that_reconnects_comes_back_off_the_stage_without_its_media(live: Live) -> None:
    m = await live.meeting()
    host = await guest(live, m, "host", "webinar_host")
    dropper = Dropper()
    ann = BotParticipant(
        await token(live, m, "ann", "webinar_participant"), live.config(connect=dropper), display_name="ann"
    )
    live.bots.append(ann)
    with anyio.fail_after(40):
        await ann.join()
        await ann.stage.request()
        await host.wait_event("stage_changed", where=stage_of(host, ann, "requested"))
        await host.host.stage_accept()
        await ann.wait_event("stage_changed", where=stage_of(ann, ann, "approved"))
        await ann.stage.join()
        await ann.play_continuous_tone()
        await host.wait_audio(ann.participant_id, seconds=0.3)
        cursor = ann.last_seq
        dropper.drop_last()
        await ann.wait_event("reconnected", after=cursor)
        # The server starts the new connection off the stage: the bot does not offer its audio
        # again (it would be refused and the rejoin fail), and says so.
        assert ann.stage.state == "off_stage" and ann.status()["published"] == {}
        (dropped,) = [e for e in ann.events_since(cursor) if e.type == "unpublished"]
        assert dropped.data["kind"] == "audio" and dropped.data["reason"] == "off stage"
        assert sfu_kinds(live, ann) == []
        assert await ann.stage.request() == "requested"
