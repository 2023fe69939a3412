"""Screenshare between bots over real WebRTC on loopback (issue 6 items 5 and 9).

Bot A shares an image or a video file; bot B sees a video producer flagged ``screen_share`` (its
``ProducerState`` and ``app_data``, and the ``screenshare`` flag of its participants view). The
bot subscribes to audio only, so an independent raw socket client (tests/emulator/live) consumes
the share and decodes real frames; stopping the share closes the producer for everyone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import av
import pytest

from realtimekit_mcp.bot.participant import BotEvent, BotParticipant
from realtimekit_mcp.bot.signalling import SignallingError
from realtimekit_mcp.bot.tracks import color_bars
from realtimekit_mcp.emulator.routes.client_api import live_plane
from realtimekit_mcp.protocol import media_pb2

from ..emulator.live.rawpeer import RawPeer
from ..media_files import write_png
from .conftest import Live

pytestmark = pytest.mark.anyio


def write_webm(path: Path, width: int = 96, height: int = 64, frames: int = 5) -> Path:
    with av.open(str(path), "w") as container:
        vp8: Any = container.add_stream("libvpx", rate=10)
        vp8.width, vp8.height, vp8.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            frame = color_bars(width, height)
            frame.pts = i
            for packet in vp8.encode(frame):
                container.mux(packet)
        for packet in vp8.encode(None):
            container.mux(packet)
    return path


def sfu_producers(live: Live, bot: BotParticipant) -> list[Any]:
    return list(live_plane(live.app).sfu.producers_of(bot.peer_id))


def roster_entry(bot: BotParticipant, participant_id: str) -> dict[str, Any]:
    """The participants view's entry for a participant."""
    joined: list[dict[str, Any]] = bot.roster.status()["joined"]
    return next(p for p in joined if p["participant_id"] == participant_id)


def video_added_by(bot: BotParticipant) -> Any:
    return lambda e: e.data.get("kind") == "video" and e.data.get("peer_id") == bot.peer_id


async def test_an_image_screenshare_is_flagged_for_the_other_bot_carries_frames_and_stops(
    live: Live, tmp_path: Path
) -> None:
    image = tmp_path / "slide.png"
    write_png(image, 64, 48)
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    viewer = RawPeer(live.ws_url, m, await live.token(m, "viewer"))
    try:
        with anyio.fail_after(15):
            await viewer.connect()
            await viewer.join("viewer")
            after = b.last_seq
            await a.publish_screenshare(image)
            added: BotEvent = await b.wait_event("producer_added", after=after, where=video_added_by(a))
            producer_id = added.data["producer_id"]
            state = b.peers[a.peer_id].producers[producer_id]
            assert state.kind == media_pb2.VIDEO and state.screen_share is True
            assert json.loads(state.app_data)["screenShare"] is True
            (shared,) = sfu_producers(live, a)
            assert (shared.id, shared.kind, shared.screen_share) == (producer_id, "video", True)
            entry = roster_entry(b, a.participant_id)
            assert entry["screenshare"] is True and entry["video"] is False
            # real frames reach a consumer of the share
            track = await viewer.subscribe(a.peer_id, producer_id)
            frame = await track.recv()
            assert (frame.width, frame.height) == (64, 48)
            # stopping the share closes the producer for everyone
            await a.stop_screenshare()
            removed = await b.wait_event(
                "producer_removed", where=lambda e: e.data.get("producer_id") == producer_id
            )
            assert removed.data["peer_id"] == a.peer_id
        assert producer_id not in b.peers[a.peer_id].producers
        assert sfu_producers(live, a) == []
        assert roster_entry(b, a.participant_id)["screenshare"] is False
        await a.stop_screenshare()  # stopping again is a no-op
    finally:
        await viewer.close()


async def test_a_video_file_screenshare_runs_beside_the_camera_and_only_it_is_flagged(
    live: Live, tmp_path: Path
) -> None:
    clip = write_webm(tmp_path / "demo.webm")
    camera = tmp_path / "face.png"
    write_png(camera, 32, 32)
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    viewer = RawPeer(live.ws_url, m, await live.token(m, "viewer"))
    try:
        with anyio.fail_after(15):
            await viewer.connect()
            await viewer.join("viewer")
            after = b.last_seq
            await a.publish_video(camera)
            await a.publish_screenshare(clip)
            await b.wait_event("producer_added", after=after, where=video_added_by(a))
            second = await b.wait_event(
                "producer_added",
                after=after,
                where=lambda e: video_added_by(a)(e) and len(b.peers[a.peer_id].producers) == 2,
            )
            states = list(b.peers[a.peer_id].producers.values())
            assert sorted(s.screen_share for s in states) == [False, True]
            share = next(s for s in states if s.screen_share)
            assert second.data["producer_id"] in {s.producer_id for s in states}
            frame = await (await viewer.subscribe(a.peer_id, share.producer_id)).recv()
            assert (frame.width, frame.height) == (96, 64)  # the clip, not the camera image
            await a.stop_screenshare()
            await b.wait_event(
                "producer_removed", where=lambda e: e.data.get("producer_id") == share.producer_id
            )
        (left,) = b.peers[a.peer_id].producers.values()
        assert left.screen_share is False
        assert [p.screen_share for p in sfu_producers(live, a)] == [False]
    finally:
        await viewer.close()


async def test_a_preset_that_may_not_share_its_screen_is_refused_and_nothing_is_shared(
    live: Live, tmp_path: Path
) -> None:
    image = tmp_path / "slide.png"
    write_png(image, 64, 48)
    presets = (await live.rest("GET", "/presets")).json()["data"]
    host = next(p for p in presets if p["name"] == "group_call_host")
    patch = {"permissions": {"media": {"screenshare": {"can_produce": "NOT_ALLOWED"}}}}
    assert (await live.rest("PATCH", f"/presets/{host['id']}", json=patch)).status_code == 200
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    with anyio.fail_after(10), pytest.raises(SignallingError, match="does not allow screen sharing"):
        await a.publish_screenshare(image)
    assert sfu_producers(live, a) == []
    assert b.peers[a.peer_id].producers == {}
    assert "screenshare" not in a.status()["published"]  # a refused producer does not linger
