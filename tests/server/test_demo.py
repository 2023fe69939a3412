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
    if find_spec("piper") and find_spec("faster_whisper"):  # speech extra: spoken, heard, transcribed
        assert "realtimekit://bots/" in out and "] Announcer: " in out
