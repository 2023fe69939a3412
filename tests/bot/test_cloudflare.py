"""Opt-in: two bots join a real Cloudflare RealtimeKit meeting, one hears the other (skipped without credentials).

Needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, REALTIMEKIT_APP_ID and REALTIMEKIT_TEST_MEETING_ID (an
ACTIVE meeting set aside for tests; the test adds two participants to it, creates the bot preset
``realtimekit_mcp_bot`` if missing, and leaves). Network access to api.realtime.cloudflare.com,
socket-edge.realtime.cloudflare.com and the SFU (UDP, or TURN from /iceservers) is needed. Run with
``pytest -m cloudflare tests/bot``. It is the one check of Path A's unverified points (aiortc's SDP
accepted by the real SFU, participant-details shape, the query flags).
"""

from __future__ import annotations

import os

import anyio
import pytest

from realtimekit_mcp.bot.participant import BotConfig, BotParticipant
from realtimekit_mcp.bot.tracks import peak_frequency
from realtimekit_mcp.client import RealtimeKitClient

NEEDED = (
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
    "REALTIMEKIT_APP_ID",
    "REALTIMEKIT_TEST_MEETING_ID",
)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.cloudflare,
    pytest.mark.skipif(not all(os.environ.get(k) for k in NEEDED), reason=f"needs {', '.join(NEEDED)}"),
]


async def test_two_bots_join_a_real_meeting_hear_each_other_and_chat() -> None:
    meeting_id = os.environ["REALTIMEKIT_TEST_MEETING_ID"]
    config = BotConfig(
        api_base=os.environ.get("REALTIMEKIT_CLIENT_API_BASE", "https://api.realtime.cloudflare.com"),
        socket_url=os.environ.get("REALTIMEKIT_SOCKET_URL") or None,
        connect_timeout=30.0,
    )
    async with RealtimeKitClient(
        account_id=os.environ["CLOUDFLARE_ACCOUNT_ID"],
        app_id=os.environ["REALTIMEKIT_APP_ID"],
        api_token=os.environ["CLOUDFLARE_API_TOKEN"],
    ) as client:
        a = await BotParticipant.create(client, meeting_id, name="rtk-mcp test speaker", config=config)
        b = await BotParticipant.create(client, meeting_id, name="rtk-mcp test listener", config=config)
        try:
            with anyio.fail_after(60):
                await a.join()
                await b.join()
                await a.play_continuous_tone(440.0)
                buffer = await b.wait_audio(a.participant_id, seconds=1.0)
                assert abs(peak_frequency(buffer.peek_last(48_000), low=100, high=2000) - 440.0) <= 5
                await a.send_chat("hello from realtimekit-mcp")
                got = await b.wait_event("chat")
                assert got.data["text"] == "hello from realtimekit-mcp"
        finally:
            await a.leave()
            await b.leave()
