"""`realtimekit-mcp demo` runs its whole scenario over stdio on a throwaway embedded emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec


def test_demo_runs_every_step() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "realtimekit_mcp", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in (
        "meeting_create",
        "participant_add",
        "recording_control",
        "POST /_emulator/sessions",
        "Ana: Agreed: we launch Friday.",
        "# Summary of Launch review",
        "Done.",
        "[the user is asked] Remove participant 'Bo'",
        "bot_join",
        "playing chime.wav",
        "chat from Announcer: Hello from the announcer bot",
        "audio received (buffered): Announcer",
        "left meeting",
    ):
        assert expected in out, expected
    assert "not within" not in out  # the Listener heard the chat and the audio in time
    assert "bot_moderate" in out.partition("tools/list:")[2].partition("\n")[0]  # the host toolset is on
    hosting = out[out.index("The agent's bot hosts") :]
    for expected in (
        'bot_join {"meeting_id"',
        '"preset": "demo_waiting_room"}',
        "is in the waiting room of meeting",
        "waiting room (1): Guest (",
        'bot_moderate {"bot_id"',
        "Admitted 1: Guest (",
        '"action": "create", "question": "Ship the beta on Friday?"',
        '"action": "vote"',
        "poll result: Ship the beta on Friday? Yes 1 (Guest) | Not yet 0 (1 vote)",
        "joined: Guest (demo_waiting_room)",
        "waiting room: nobody",
    ):
        assert expected in hosting, expected
    # the waiting-room preset is created over REST only when no preset has a waiting room
    assert "POST /presets" in hosting or "has a waiting room (" in hosting
    bots = out[out.index("Live bots") :]
    assert '"title": "Bots stand-up", "summarize_on_end": true' in bots
    assert "/_emulator/clock/advance at http://127.0.0.1:" in bots  # the server's own emulator
    if find_spec("piper") and find_spec("faster_whisper"):  # speech extra: spoken, heard, transcribed
        said = bots.partition("resources/read realtimekit://bots/")[2].partition("bot_leave")[0]
        for words in ("announcer", "launch on friday", "announcement by thursday"):
            assert words in said.lower(), words  # the Listener bot's live transcript
        # after both bots left and the session ended: the emulator's transcript and summary of it
        transcript = bots.partition('"view": "transcript"}')[2].partition('"view": "summary"}')[0]
        assert "Transcript of session" in transcript and "ERROR" not in transcript
        for words in ("] announcer: good morning", "launch on friday", "announcement by thursday"):
            assert words in transcript.lower(), words
        summary = bots.partition('"view": "summary"}')[2]
        assert "Summary of session" in summary and "# Summary of Bots stand-up" in summary
        assert "**Participants:** Announcer" in summary
        assert "## Action items" in summary and "announcement by thursday" in summary.lower()
    else:
        assert "no speech extra: the Announcer cannot speak" in bots
        assert "session_get" not in bots
