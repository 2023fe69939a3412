"""bot_send stage_request / stage_leave and the stage in bot_status, on both protocol eras, against a
real loopback emulator with real bots (WebSocket + WebRTC on 127.0.0.1)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from tests.media_files import write_png
from tests.server.support import call_ok, connect, text
from tests.tools.livebots import WAIT, Live

pytestmark = pytest.mark.anyio


async def _meeting(client: Client) -> str:
    created = await call_ok(client, "meeting_create", {"title": "Stage tools"})
    assert created.structured_content is not None
    return str(created.structured_content["id"])


async def _join(client: Client, meeting_id: str, name: str, **extra: Any) -> dict[str, Any]:
    with anyio.fail_after(WAIT):
        joined = await call_ok(client, "bot_join", {"meeting_id": meeting_id, "name": name, **extra})
    assert joined.structured_content is not None
    return {**joined.structured_content, "text": text(joined)}


async def _send(client: Client, bot_id: str, action: str, **extra: Any) -> str:
    with anyio.fail_after(WAIT):
        return text(await call_ok(client, "bot_send", {"bot_id": bot_id, "action": action, **extra}))


async def _status(client: Client, bot_id: str) -> str:
    return text(await call_ok(client, "bot_status", {"bot_id": bot_id}))


async def test_a_webinar_participant_bot_asks_joins_speaks_and_leaves_the_stage(
    live: Live, mode: str
) -> None:
    write_png(live.media / "slide.png")
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host", preset="webinar_host")
        ann = await _join(client, meeting_id, "Ann", listen=False, preset="webinar_participant")
        assert "it is off stage: bot_send action=stage_request before it speaks" in ann["text"], ann["text"]
        assert "stage_request" not in host["text"]  # on the stage from the start
        ann_bot, host_bot = live.bot(ann["bot_id"]), live.bot(host["bot_id"])
        assert "; stage: on stage" in (await _status(client, host["bot_id"]))
        assert "; stage: off stage" in (await _status(client, ann["bot_id"]))

        refused = await client.call_tool(
            "bot_send", {"bot_id": ann["bot_id"], "action": "share", "file": "slide.png"}
        )
        assert refused.is_error and "not on the stage (off_stage)" in text(refused), text(refused)
        assert "action=stage_request" in text(refused)
        assert "nothing to leave" in await _send(client, ann["bot_id"], "stage_leave")

        assert "asked the hosts for the stage" in await _send(client, ann["bot_id"], "stage_request")
        assert "still waiting for a host" in await _send(client, ann["bot_id"], "stage_request")
        with anyio.fail_after(WAIT):
            await host_bot.wait_event(
                "stage_changed",
                where=lambda e: (
                    e.data.get("participant_id") == ann["participant_id"]
                    and e.data.get("stage") == "requested"
                ),
            )
        assert "; stage: requested" in (await _status(client, ann["bot_id"]))
        accepted = await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "stage_accept"})
        assert ann["participant_id"] in text(accepted)
        with anyio.fail_after(WAIT):
            await ann_bot.wait_event(
                "stage_changed",
                where=lambda e: (
                    e.data.get("peer_id") == ann_bot.peer_id and e.data.get("stage") == "approved"
                ),
            )
        assert "joined the stage" in await _send(client, ann["bot_id"], "stage_request")
        assert "already on the stage" in await _send(client, ann["bot_id"], "stage_request")
        status = await _status(client, ann["bot_id"])
        assert "; stage: on stage" in status and status.endswith(" stage=on_stage")

        await _send(client, ann["bot_id"], "play", file="tone.wav")
        await _send(client, ann["bot_id"], "share", file="slide.png")
        with anyio.fail_after(WAIT):
            await host_bot.wait_audio(ann["participant_id"], seconds=0.3)
        assert set(ann_bot.status()["published"]) == {"audio", "screenshare"}

        cursor = host_bot.last_seq
        left = await _send(client, ann["bot_id"], "stage_leave")
        assert "left the stage" in left and "stopped" in left
        with anyio.fail_after(WAIT):
            for _ in range(2):  # audio and screenshare close for the host
                seen = await host_bot.wait_event("producer_removed", after=cursor)
                cursor = seen.seq
        status = await _status(client, ann["bot_id"])
        assert "publishing: nothing" in status and "; stage: off stage" in status

        # A pending request is withdrawn by stage_leave.
        await _send(client, ann["bot_id"], "stage_request")
        assert "cancelled its stage request" in await _send(client, ann["bot_id"], "stage_leave")
        assert "; stage: off stage" in (await _status(client, ann["bot_id"]))


async def test_a_bot_without_a_stage_is_told_so(live: Live, mode: str) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        bot = await _join(client, meeting_id, "Plain", listen=False)  # the bot preset: a group call
        for action in ("stage_request", "stage_leave"):
            result = await client.call_tool("bot_send", {"bot_id": bot["bot_id"], "action": action})
            assert result.is_error and "preset has no stage" in text(result), text(result)
        assert "stage:" not in (await _status(client, bot["bot_id"]))


async def test_a_host_bot_takes_a_speaker_off_the_stage_and_a_participant_may_not(
    live: Live, mode: str
) -> None:
    async with connect(live.server, mode) as client:
        meeting_id = await _meeting(client)
        host = await _join(client, meeting_id, "Host", preset="webinar_host")
        ann = await _join(client, meeting_id, "Ann", listen=False, preset="webinar_participant")
        ann_bot, host_bot = live.bot(ann["bot_id"]), live.bot(host["bot_id"])
        await _send(client, ann["bot_id"], "stage_request")
        with anyio.fail_after(WAIT):
            await host_bot.wait_event(
                "stage_changed",
                where=lambda e: (
                    e.data.get("participant_id") == ann["participant_id"]
                    and e.data.get("stage") == "requested"
                ),
            )
        await call_ok(client, "bot_moderate", {"bot_id": host["bot_id"], "action": "stage_accept"})
        with anyio.fail_after(WAIT):
            await ann_bot.wait_event("stage_changed", where=lambda e: e.data.get("stage") == "approved")
        assert "joined the stage" in await _send(client, ann["bot_id"], "stage_request")
        await _send(client, ann["bot_id"], "play", file="tone.wav")
        with anyio.fail_after(WAIT):
            await host_bot.wait_audio(ann["participant_id"], seconds=0.3)

        # Ann, a participant, may not take the host off the stage: the server refuses, and says why.
        refused = await client.call_tool(
            "bot_moderate",
            {"bot_id": ann["bot_id"], "action": "stage_remove", "participant_ids": [host["participant_id"]]},
        )
        assert refused.is_error and "accept_stage_requests" in text(refused), text(refused)
        missing = await client.call_tool("bot_moderate", {"bot_id": host["bot_id"], "action": "stage_remove"})
        assert missing.is_error and "needs participant_ids" in text(missing), text(missing)

        cursor = ann_bot.last_seq
        removed = await call_ok(
            client,
            "bot_moderate",
            {"bot_id": host["bot_id"], "action": "stage_remove", "participant_ids": [ann["participant_id"]]},
        )
        assert "off the stage" in text(removed) and ann["participant_id"] in text(removed), text(removed)
        with anyio.fail_after(WAIT):
            await ann_bot.wait_event("unpublished", after=cursor, where=lambda e: e.data["kind"] == "audio")
        assert ann_bot.stage.state == "off_stage" and ann_bot.status()["published"] == {}
        assert "; stage: off stage" in (await _status(client, ann["bot_id"]))
