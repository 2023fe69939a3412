"""Against real Cloudflare (needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, REALTIMEKIT_APP_ID).

Read-only: the server runs with --read-only, so nothing in the account changes.
"""

from __future__ import annotations

import os

import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
from tests.server.support import call_ok, connect

NEEDED = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "REALTIMEKIT_APP_ID")

pytestmark = [
    pytest.mark.cloudflare,
    pytest.mark.anyio,
    pytest.mark.skipif(not all(os.environ.get(n) for n in NEEDED), reason="Cloudflare credentials not set"),
]


async def test_read_only_tools_work_against_cloudflare(mode: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REALTIMEKIT_BASE_URL"}
    server = build_server(settings_from_args(env=env, read_only=True, toolsets="all"))
    assert server.deps.backend.kind == "cloudflare"
    async with connect(server, mode) as client:
        listed = await call_ok(client, "meeting_get", {"limit": 3})
        assert "showing" in listed.content[0].text  # type: ignore[union-attr]
        await call_ok(client, "preset_list", {"limit": 3})
        await call_ok(client, "session_get", {"limit": 3})
