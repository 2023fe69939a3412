"""Server-side transcription over real WebRTC on loopback, with the deterministic "test" engines.

Bot "alice" speaks (ToneTTS -> Opus -> SFU); the emulator taps her producer, segments and
transcribes (EnergyVAD + ToneSTT, exact) and pushes the text to the room (event 32), to Agent
Participant connections (transcript.received) and into the session's transcript export.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import anyio
import pytest

from realtimekit_mcp.agent import AgentConnection, agent_url

from .conftest import Env

pytestmark = pytest.mark.anyio


async def _download(env: Env, url: str) -> str:
    parts = urlsplit(url)
    r = await env.http.get(parts.path + ("?" + parts.query if parts.query else ""))
    assert r.status_code == 200, r.text
    return r.text


async def test_a_speaker_with_transcription_enabled_is_transcribed_pushed_stored_and_summarised(
    env: Env,
) -> None:
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting(summarize_on_end=True)
    agent = AgentConnection(
        await env.token(m, "notes", preset=preset, name="Notes bot"),
        url=agent_url(env.origin),
        subscriptions=("transcript",),
        ping_interval=None,
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        bob = await env.bot(m, "bob", preset=preset)
        with anyio.fail_after(30):
            await alice.say("i will send the launch notes by friday.", wait=True)
            got = await agent.wait_event("transcript.received")
            pushed = await bob.wait_event("transcript", where=lambda e: e.data.get("source") == "meeting")
        assert got.data["text"] == "i will send the launch notes by friday."
        assert got.data["is_final"] is True and got.data["started_at"] <= got.data["ended_at"]
        assert got.data["speaker"] == {
            "peer_id": alice.peer_id,
            "participant_id": alice.participant_id,
            "custom_participant_id": "alice",
            "display_name": "Alice",
        }
        body = json.loads(pushed.data["transcript"])
        assert pushed.data["is_partial"] is False
        assert body["transcript"] == got.data["text"] and body["peerId"] == alice.peer_id
        assert body["name"] == "Alice" and body["isPartialTranscript"] is False
        # bob never spoke: nothing of his is transcribed; the agent is not transcribed either
        with anyio.fail_after(10):
            r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
            assert r.status_code == 200, r.text
            hook = await env.sink.wait_for("meeting.transcript")
            summary_hook = await env.sink.wait_for("meeting.summary")
        names = env.sink.names()
        assert (
            names.index("meeting.ended") < names.index("meeting.transcript") < names.index("meeting.summary")
        )
        rows = list(csv.reader(io.StringIO(await _download(env, hook["transcriptDownloadUrl"]))))
        assert len(rows) == 1
        start_ms, peer_id, user_id, cpid, name, text = rows[0]
        assert (peer_id, user_id, cpid, name) == (alice.peer_id, alice.participant_id, "alice", "Alice")
        assert text == "i will send the launch notes by friday." and int(start_ms) >= 0
        summary = await _download(env, summary_hook["summaryDownloadUrl"])
        assert summary.startswith("# Summary of Launch review")
        assert "- [ ] Alice: i will send the launch notes by friday. (due: friday)" in summary
    finally:
        await agent.close()


async def test_without_transcription_on_the_preset_nothing_is_transcribed_or_pushed(env: Env) -> None:
    preset = await env.preset("silent", transcription=False)
    m = await env.meeting()
    alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
    await env.bot(m, "bob", preset=preset)
    with anyio.fail_after(30):
        await alice.say("nobody writes this down.", wait=True)
    transcriber = env.app.state.transcriber
    assert transcriber.stats()["taps"] == 0 and transcriber.segments == 0
    with anyio.fail_after(10):
        r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
        assert r.status_code == 200
        await env.sink.wait_for("meeting.ended")
    assert "meeting.transcript" not in env.sink.names()


async def test_transcribe_on_end_stores_lines_without_live_pushes(env: Env) -> None:
    preset = await env.preset("quiet", transcription=False)
    m = await env.meeting(transcribe_on_end=True)
    agent = AgentConnection(
        await env.token(m, "notes", preset=preset), url=agent_url(env.origin), ping_interval=None
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        with anyio.fail_after(30):
            await alice.say("minutes only.", wait=True)
            r = await env.rest("POST", f"/meetings/{m}/active-session/kick-all")
            assert r.status_code == 200
            hook = await env.sink.wait_for("meeting.transcript")
        rows = list(csv.reader(io.StringIO(await _download(env, hook["transcriptDownloadUrl"]))))
        assert [row[5] for row in rows] == ["minutes only."]
        assert "transcript.received" not in [e.name for e in agent.events_since(0)]
    finally:
        await agent.close()


async def test_the_last_words_of_a_speaker_who_leaves_at_once_still_reach_the_agent(env: Env) -> None:
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting()
    agent = AgentConnection(
        await env.token(m, "notes", preset=preset),
        url=agent_url(env.origin),
        subscriptions=("transcript", "participant"),
        ping_interval=None,
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        with anyio.fail_after(30):
            await alice.say("goodbye all.", wait=True)
            await alice.leave()  # before the VAD's hangover ends the utterance
            left = await agent.wait_event("participant.leave")
            got = await agent.wait_event("transcript.received")
        assert got.data["text"] == "goodbye all."
        assert got.data["speaker"]["peer_id"] == left.data["peer_id"]
    finally:
        await agent.close()


async def test_the_active_transcript_of_a_live_session_is_downloadable_with_a_participant_token(
    env: Env,
) -> None:
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting()
    token = await env.token(m, "reader", preset=preset)
    url = f"/v2/meetings/{m}/active-transcript"
    r = await env.http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404  # nobody has joined: no live session
    alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
    agent = AgentConnection(
        token, url=agent_url(env.origin), subscriptions=("transcript",), ping_interval=None
    )
    await agent.connect()
    try:
        with anyio.fail_after(30):
            await alice.say("live notes.", wait=True)
            await agent.wait_event("transcript.received")
        r = await env.http.get(url, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        rows = list(csv.reader(io.StringIO(await _download(env, data["transcript_download_url"]))))
        assert [row[5] for row in rows] == ["live notes."]
        assert data["session_id"] == agent.session_id
        r = await env.http.get(url, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401
        other = await env.meeting()
        r = await env.http.get(
            f"/v2/meetings/{other}/active-transcript", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 403
    finally:
        await agent.close()


async def test_simultaneous_speakers_are_transcribed_separately_with_the_right_names(env: Env) -> None:
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting()
    agent = AgentConnection(
        await env.token(m, "notes", preset=preset),
        url=agent_url(env.origin),
        subscriptions=("transcript",),
        ping_interval=None,
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        bob = await env.bot(m, "bob", preset=preset, subscribe_audio=False)
        lines = {"Alice": "alice talks over bob.", "Bob": "bob talks over alice."}
        heard: dict[str, str] = {}
        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                tg.start_soon(lambda: alice.say(lines["Alice"], wait=True))
                tg.start_soon(lambda: bob.say(lines["Bob"], wait=True))
            async for event in agent.transcripts():
                heard[event.data["speaker"]["display_name"]] = event.data["text"]
                if len(heard) == 2:
                    break
        assert heard == lines
    finally:
        await agent.close()


async def test_the_meetings_profanity_filter_masks_live_and_stored_transcripts(env: Env) -> None:
    preset = await env.preset("transcribed", transcription=True)
    m = await env.meeting(ai_config={"transcription": {"profanity_filter": True}})
    token = await env.token(m, "notes", preset=preset)
    agent = AgentConnection(
        token,
        url=agent_url(env.origin),
        subscriptions=("transcript",),
        ping_interval=None,
    )
    await agent.connect()
    try:
        alice = await env.bot(m, "alice", preset=preset, subscribe_audio=False)
        with anyio.fail_after(30):
            await alice.say("well damn.", wait=True)
            got = await agent.wait_event("transcript.received")
            r = await env.http.get(
                f"/v2/meetings/{m}/active-transcript", headers={"Authorization": f"Bearer {token}"}
            )
        assert got.data["text"] == "well d***."
        rows = list(
            csv.reader(io.StringIO(await _download(env, r.json()["data"]["transcript_download_url"])))
        )
        assert [row[5] for row in rows] == ["well d***."]
    finally:
        await agent.close()
