"""examples/: the client configs are valid JSON in each client's shape; the Python example runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_client_configs_parse_and_start_the_server() -> None:
    for name, key in (
        ("claude_desktop_config.json", "mcpServers"),
        ("claude_code.mcp.json", "mcpServers"),
        ("cursor.mcp.json", "mcpServers"),
        ("vscode.mcp.json", "servers"),
        ("http_client.json", "mcpServers"),
    ):
        servers = json.loads((EXAMPLES / name).read_text())[key]
        assert servers, name
        for entry in servers.values():
            assert "realtimekit-mcp" in " ".join(
                [entry.get("command", ""), *entry.get("args", [])]
            ) or entry.get("url", "").endswith("/mcp"), name


def test_python_example_drives_the_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    env["REALTIMEKIT_DATA_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "drive_server.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "15 tools:" in proc.stdout and "Design review" in proc.stdout
