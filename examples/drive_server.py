"""Drive realtimekit-mcp with the MCP Python SDK's own client, the way a host does.

Spawns ``realtimekit-mcp serve`` over stdio. With no Cloudflare variables set it runs on the
embedded emulator (this script points its state at a temporary directory), so it is safe to run:

    .venv/bin/python examples/drive_server.py
"""

from __future__ import annotations

import os
import sys
import tempfile

import anyio
from mcp import Client, StdioServerParameters


async def main() -> None:
    env = dict(os.environ)
    if "CLOUDFLARE_API_TOKEN" not in env:
        env.setdefault("REALTIMEKIT_DATA_DIR", tempfile.mkdtemp(prefix="rtk-example-"))
    server = StdioServerParameters(command=sys.executable, args=["-m", "realtimekit_mcp", "serve"], env=env)
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        print(f"{len(tools)} tools:", ", ".join(t.name for t in tools))
        created = await client.call_tool("meeting_create", {"title": "Design review"})
        meeting = created.structured_content or {}
        print("created:", meeting)
        added = await client.call_tool("participant_add", {"meeting_id": meeting["id"], "name": "Ana"})
        print("participant:", {k: v for k, v in (added.structured_content or {}).items() if k != "token"})
        listing = await client.call_tool("meeting_get", {"limit": 3})  # no meeting_id: list meetings
        print(listing.content[0].text)  # type: ignore[union-attr]


if __name__ == "__main__":
    anyio.run(main)
