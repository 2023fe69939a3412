"""Bot plugins over real WebRTC on loopback: catalogue, activation seen by the other bot, rights."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import httpx
import pytest

from realtimekit_mcp.bot.participant import BotParticipant
from realtimekit_mcp.bot.plugins import PluginError
from realtimekit_mcp.bot.signalling import WebSocketLike, default_connect
from realtimekit_mcp.client import RealtimeKitClient
from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.config import DEFAULT_PLUGINS
from realtimekit_mcp.emulator.routes.client_api import live_plane
from realtimekit_mcp.emulator.server import run_emulator

from .conftest import Live

pytestmark = pytest.mark.anyio

HOST = "group_call_host"
GUEST = "group_call_participant"
WHITEBOARD = DEFAULT_PLUGINS[0]
DOCS = DEFAULT_PLUGINS[1]


async def joined_bot(live: Live, meeting: str, name: str, preset: str) -> BotParticipant:
    bot = await BotParticipant.create(
        live.client, meeting, name=name, preset_name=preset, config=live.config()
    )
    live.bots.append(bot)
    await bot.join()
    return bot


async def test_activation_and_deactivation_by_one_bot_are_seen_by_the_other_and_late_joiners(
    live: Live,
) -> None:
    meeting = await live.meeting()
    host = await joined_bot(live, meeting, "Host", HOST)
    guest = await joined_bot(live, meeting, "Guest", GUEST)
    with anyio.fail_after(20):
        catalogue = await guest.plugins.catalogue()
        assert catalogue == [dict(p) for p in DEFAULT_PLUGINS]

        cursor = guest.last_seq
        await host.plugins.activate(WHITEBOARD["id"])
        expected = {"id": WHITEBOARD["id"], "name": "Whiteboard", "enabled_by": host.peer_id}
        assert host.plugins.active() == [expected]
        seen = await guest.wait_event("plugin_activated", after=cursor)
        assert seen.data == {"plugin_id": WHITEBOARD["id"], "name": "Whiteboard", "by": host.peer_id}
        assert guest.plugins.active() == [expected]
        assert guest.status()["plugins"] == {"active": [expected]}
        host_cursor = host.last_seq
        await host.plugins.activate("Whiteboard")  # by name; already active: nothing happens
        assert [e.type for e in host.events_since(host_cursor) if e.type.startswith("plugin")] == []

        late = await joined_bot(live, meeting, "Late", GUEST)
        loaded = await late.wait_event("plugin_activated")
        assert loaded.data["plugin_id"] == WHITEBOARD["id"] and late.plugins.active() == [expected]

        cursor = guest.last_seq
        late_cursor = late.last_seq
        await host.plugins.deactivate(WHITEBOARD["id"])
        assert host.plugins.active() == []
        gone = await guest.wait_event("plugin_deactivated", after=cursor)
        assert gone.data == {"plugin_id": WHITEBOARD["id"], "name": "Whiteboard", "by": host.peer_id}
        await late.wait_event("plugin_deactivated", after=late_cursor)
        assert guest.plugins.active() == [] and late.plugins.active() == []
        await host.plugins.deactivate(WHITEBOARD["id"])  # not active: a no-op
    plane = live_plane(live.app)
    assert plane.plugins.active(meeting) == []


async def test_a_bot_whose_preset_lacks_plugin_rights_is_refused_and_unknown_plugins_too(live: Live) -> None:
    meeting = await live.meeting()
    host = await joined_bot(live, meeting, "Host", HOST)
    guest = await joined_bot(live, meeting, "Guest", GUEST)
    with anyio.fail_after(20):
        with pytest.raises(PluginError, match=r"plugins\.can_start"):
            await guest.plugins.activate(DOCS["id"])
        assert guest.plugins.active() == [] and host.plugins.active() == []

        cursor = guest.last_seq
        await host.plugins.activate(DOCS["id"])
        await guest.wait_event("plugin_activated", after=cursor)
        with pytest.raises(PluginError, match=r"plugins\.can_close"):
            await guest.plugins.deactivate(DOCS["id"])
        assert [p["id"] for p in host.plugins.active()] == [DOCS["id"]]

        with pytest.raises(PluginError, match=r"unknown plugin 'Chess'.*Whiteboard"):
            await host.plugins.activate("Chess")
        with pytest.raises(PluginError, match="unknown plugin"):
            await host.plugins.deactivate("Chess")


async def test_the_catalogue_is_the_emulators_configured_one() -> None:
    catalogue = [{"id": "quiz", "name": "Quiz", "url": "http://127.0.0.1:9/quiz", "description": "A quiz"}]
    config = EmulatorConfig(
        account_id="0123456789abcdef0123456789abcdef",
        app_id="7d1b2c3e-0000-4000-8000-00000000c0de",
        api_token="plugins-catalogue-token",
        plugins=catalogue,
    )
    async with (
        run_emulator(config, host="127.0.0.1", port=0) as running,
        httpx.AsyncClient(base_url=running.origin, timeout=10.0) as http,
        RealtimeKitClient(
            account_id=config.account_id or "",
            app_id=config.app_id or "",
            api_token=config.api_token or "",
            base_url=running.base_url,
        ) as client,
    ):
        meeting = await client.meetings.create(title="quiz time")
        live = Live(running.origin, http, client, running.app)
        bot = await joined_bot(live, str(meeting.id), "Quizmaster", HOST)
        try:
            with anyio.fail_after(20):
                assert await bot.plugins.catalogue() == catalogue
                await bot.plugins.activate("quiz")
                assert bot.plugins.active() == [{"id": "quiz", "name": "Quiz", "enabled_by": bot.peer_id}]
                with pytest.raises(PluginError, match="unknown plugin"):
                    await bot.plugins.activate(WHITEBOARD["id"])
        finally:
            await bot.leave()


class _GatedConnect:
    """Connects at once the first time; later connects (reconnects) wait until the gate opens."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.gate = asyncio.Event()

    async def __call__(self, url: str) -> WebSocketLike:
        if self.sockets:
            await self.gate.wait()
        ws = await default_connect(url)
        self.sockets.append(ws)
        return ws


async def test_a_bot_that_was_away_catches_up_on_polls_and_plugins_after_reconnecting(live: Live) -> None:
    meeting = await live.meeting()
    host = await joined_bot(live, meeting, "Host", HOST)
    gated = _GatedConnect()
    away = await BotParticipant.create(
        live.client, meeting, name="Away", preset_name=GUEST, config=live.config(connect=gated)
    )
    live.bots.append(away)
    await away.join()
    with anyio.fail_after(20):
        cursor = away.last_seq
        await host.plugins.activate(WHITEBOARD["id"])
        await away.wait_event("plugin_activated", after=cursor)
        old_peer = away.peer_id
        cursor = away.last_seq
        gated.sockets[-1].transport.abort()
        await away.wait_event("reconnecting", after=cursor)
        await host.wait_event("participant_left", where=lambda e: e.data["peer_id"] == old_peer)
        # while the bot is away: a new poll, and the plugin closed
        poll = await host.polls.create("Missed me?", ["yes", "no"])
        await host.plugins.deactivate(WHITEBOARD["id"])
        assert away.polls.list() == [] and [p["id"] for p in away.plugins.active()] == [WHITEBOARD["id"]]
        gated.gate.set()
        await away.wait_event("reconnected", after=cursor)
        caught_up = await away.wait_event("poll", after=cursor)
        assert caught_up.data["poll_id"] == poll["id"]
        closed = await away.wait_event("plugin_deactivated", after=cursor)
        assert closed.data["plugin_id"] == WHITEBOARD["id"]
    assert away.plugins.active() == [] and [p["id"] for p in away.polls.list()] == [poll["id"]]
