"""`realtimekit-mcp demo` runs its whole scenario over stdio on a throwaway embedded emulator."""

from __future__ import annotations

import os
import subprocess
import sys


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
        "recording_start",
        "recording_stop",
        "POST /_emulator/sessions",
        "Ana: Agreed: we launch Friday.",
        "# Summary of Launch review",
        "Done.",
        "[the user is asked] Remove participant 'Bo'",
    ):
        assert expected in out, expected
