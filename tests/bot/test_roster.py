"""The bot's live participants view over real WebRTC: media flags, speakers, leave, and its units."""

from __future__ import annotations

import array

import anyio
import av
import pytest

from realtimekit_mcp.bot.participant import BotParticipant
from realtimekit_mcp.bot.roster import SERVER_SPEAKER_HANG, SPEAKING_RMS, chunk_rms, stage_name
from realtimekit_mcp.bot.tracks import tone_pcm
from realtimekit_mcp.emulator.routes.client_api import live_plane
from realtimekit_mcp.protocol import media_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent

from .conftest import Live

pytestmark = pytest.mark.anyio


def entry(bot: BotParticipant, participant_id: str) -> dict[str, object]:
    return next(p for p in bot.roster.status()["joined"] if p["participant_id"] == participant_id)


def screen() -> av.VideoFrame:
    frame = av.VideoFrame(64, 48, "yuv420p")
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    return frame


async def test_the_view_shows_everyone_with_their_media_and_follows_changes(live: Live) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice")
    bob = await live.bot(m, "bob")
    with anyio.fail_after(30):
        view = alice.roster.status()
        assert [p["name"] for p in view["joined"]] == ["alice", "bob"]
        me = entry(alice, alice.participant_id)
        assert me["peer_id"] == alice.peer_id and me["preset_name"] == "group_call_host"
        other = entry(alice, bob.participant_id)
        assert other["custom_participant_id"] == "bob" and other["preset_name"] == "group_call_host"
        assert (other["audio"], other["video"], other["screenshare"]) == (False, False, False)
        assert view["active_speakers"] == [] and view["pinned"] is None and view["waitlisted"] == []

        await bob.publish_audio()
        await bob.publish_screenshare(screen())
        for kind in ("audio", "screenshare"):
            await alice.wait_event(
                "media_changed",
                where=lambda e, k=kind: (
                    e.data["participant_id"] == bob.participant_id and e.data["kind"] == k and e.data["on"]
                ),
            )
        other = entry(alice, bob.participant_id)
        assert (other["audio"], other["video"], other["screenshare"]) == (True, False, True)
        assert entry(bob, bob.participant_id)["screenshare"] is True

        await bob.set_muted(True)
        await alice.wait_event(
            "media_changed",
            where=lambda e: (
                e.data["participant_id"] == bob.participant_id
                and e.data["kind"] == "audio"
                and not e.data["on"]
            ),
        )
        await bob.stop_screenshare()
        await alice.wait_event(
            "media_changed",
            where=lambda e: e.data["kind"] == "screenshare" and not e.data["on"],
        )
        other = entry(alice, bob.participant_id)
        assert (other["audio"], other["screenshare"]) == (False, False)

        carol = await live.bot(m, "carol")
        assert [p["name"] for p in carol.roster.status()["joined"]] == ["carol", "alice", "bob"]
        await bob.leave()
        await alice.wait_event(
            "participant_left", where=lambda e: e.data["participant_id"] == bob.participant_id
        )
        assert [p["name"] for p in alice.roster.status()["joined"]] == ["alice", "carol"]


async def test_an_active_speaker_appears_while_a_bot_plays_a_tone_and_clears_after_silence(
    live: Live,
) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice")
    bob = await live.bot(m, "bob")
    with anyio.fail_after(30):
        await bob.publish_audio()  # silence first: nobody speaks
        await alice.wait_audio(bob.participant_id, new_frames=25)
        assert alice.roster.status()["active_speakers"] == []
        played = await bob.play_tone(440.0, seconds=1.0)
        started = await alice.wait_event("speaking_started")
        assert started.data == {"participant_id": bob.participant_id, "name": "bob"}
        assert alice.roster.status()["active_speakers"] == [bob.participant_id]
        assert entry(alice, bob.participant_id)["speaking"] is True
        await played
        stopped = await alice.wait_event("speaking_stopped", after=started.seq)
        assert stopped.data["participant_id"] == bob.participant_id
        assert alice.roster.status()["active_speakers"] == []
        assert entry(alice, bob.participant_id)["speaking"] is False
        # Audio that stops arriving (the producer closes) also ends speaking.
        await bob.play_continuous_tone(660.0)
        again = await alice.wait_event("speaking_started", after=stopped.seq)
        await bob.set_muted(True)
        await alice.wait_event("speaking_stopped", after=again.seq)


async def test_levels_and_stage_names() -> None:
    assert chunk_rms(b"") == 0.0
    assert chunk_rms(bytes(1920)) == 0.0
    loud = chunk_rms(tone_pcm(440.0, 0.02, amplitude=0.5))
    assert loud > 10 * SPEAKING_RMS
    quiet = array.array("h", [50, -50] * 480).tobytes()
    assert chunk_rms(quiet) < SPEAKING_RMS
    assert stage_name(room_pb2.STAGE_TYPE_ON_STAGE) == "on_stage"
    assert stage_name(room_pb2.STAGE_TYPE_UNSPECIFIED) is None


async def test_a_server_speaker_hint_marks_a_silent_participant_speaking_for_a_while(live: Live) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice")
    bob = await live.bot(m, "bob")
    with anyio.fail_after(30):
        await bob.publish_audio()  # silence: the received audio never says bob speaks
        producer_id = bob.status()["published"]["audio"]["producer_id"]
        await alice.wait_audio(bob.participant_id, new_frames=10)
        activity = media_pb2.AudioActivityRequest(producer_id=producer_id, energy=90, silent=False)
        await bob._require_sig().send(MediaEvent.AUDIO_ACTIVITY, activity)  # as the SDK's VAD does
        started = await alice.wait_event("speaking_started")
        assert started.data["participant_id"] == bob.participant_id
        assert alice.roster.status()["active_speakers"] == [bob.participant_id]
        stopped = await alice.wait_event("speaking_stopped", after=started.seq)
        assert stopped.at - started.at >= SERVER_SPEAKER_HANG * 0.9


async def test_a_bot_playing_audio_reports_activity_so_a_non_listening_bot_sees_it_speak(live: Live) -> None:
    m = await live.meeting()
    alice = await live.bot(m, "alice", subscribe_audio=False)  # hears nothing: only the server's hint
    bob = await live.bot(m, "bob")
    with anyio.fail_after(30):
        await bob.play_tone(440.0, seconds=0.8)
        started = await alice.wait_event("speaking_started")
        assert started.data["participant_id"] == bob.participant_id and not alice.audio
        await alice.wait_event("speaking_stopped", after=started.seq)
    assert live_plane(live.app).state.rooms[m].top_speaker == bob.peer_id
