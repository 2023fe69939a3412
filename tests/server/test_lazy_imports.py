"""Cold start: building the server and answering tools/list loads no bot, speech, emulator or client code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SNIPPET = """
import sys, anyio
from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
server = build_server(settings_from_args(env={}, data_dir=sys.argv[1]))
names = [t.name for t in anyio.run(server.list_tools)]
assert "bot_join" in names and "bot_send" in names, names
heavy = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("aiortc", "av", "google", "numpy", "piper", "faster_whisper", "onnxruntime", "websockets")
    or m.startswith(("realtimekit_mcp.bot.", "realtimekit_mcp.speech", "realtimekit_mcp.emulator", "realtimekit_mcp.client"))
)
print(",".join(heavy))
"""


def test_tools_list_with_the_bot_toolset_imports_nothing_heavy(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SNIPPET, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
