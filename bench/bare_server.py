"""The baseline for bench/cold_start.py: a bare one-tool MCPServer over stdio (pydantic result, hints)."""

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import BaseModel

server = MCPServer("bare")


class Meeting(BaseModel):
    id: str
    title: str


@server.tool(
    title="Create meeting",
    annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
    ),
)
def meeting_create(title: str) -> Meeting:
    """Create a meeting."""
    return Meeting(id="m1", title=title)


if __name__ == "__main__":
    server.run("stdio")
