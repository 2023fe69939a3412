"""Shared test support: an MCP server wired to an in-process emulator, and MCP clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mcp import Client
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent

from realtimekit_mcp.config import BackendSettings, ServerSettings
from realtimekit_mcp.server.app import RealtimeKitMCP, build_server

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
APP_ID = "fedcba9876543210fedcba9876543210"
API_TOKEN = "test-api-token-abcdefghijklmnopqrstuvwxyz"
ORIGIN = "http://emulator.test"
MODES = ("legacy", "2026-07-28")


@dataclass
class Rig:
    """A server, the emulator app behind it, and its backend (for seeding sessions)."""

    server: RealtimeKitMCP
    app: Any = None
    https: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def backend(self) -> Any:
        return self.app.state.backend


def make_rig(tmp_path: Path, *, api_token: str = API_TOKEN, **settings: Any) -> Rig:
    """A server over an in-memory emulator (created on first tool call, like the embedded one)."""
    backend = BackendSettings(kind="embedded", base_url=f"{ORIGIN}/client/v4", data_dir=tmp_path)
    rig = Rig(server=None)  # type: ignore[arg-type]

    async def factory(_: BackendSettings) -> Any:
        from realtimekit_mcp.client import RealtimeKitClient
        from realtimekit_mcp.emulator import EmulatorConfig, create_app

        rig.app = create_app(
            EmulatorConfig(
                account_id=ACCOUNT_ID,
                app_id=APP_ID,
                api_token=api_token,
                db_path=":memory:",
                seed=7,
                public_base_url=ORIGIN,
                recording_start_delay=0.0,
                recording_upload_delay=0.0,
                livestream_start_delay=0.0,
            )
        )
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=rig.app), base_url=ORIGIN)
        rig.https.append(http)
        return RealtimeKitClient(
            account_id=ACCOUNT_ID,
            app_id=APP_ID,
            api_token=api_token,
            base_url=f"{ORIGIN}/client/v4",
            http_client=http,
        )

    rig.server = build_server(ServerSettings(backend=backend, **settings), client_factory=factory)
    return rig


async def ensure_started(rig: Rig) -> None:
    """Create the emulator now (tests that seed state before the first tool call)."""
    await rig.server.deps.client()


async def accept(_ctx: Any, _params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True})


async def decline(_ctx: Any, _params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="decline")


@asynccontextmanager
async def connect(server: RealtimeKitMCP, mode: str, **kwargs: Any) -> AsyncIterator[Client]:
    """An in-memory SDK client for ``server`` in protocol era ``mode``."""
    async with Client(server, mode=mode, **kwargs) as client:  # type: ignore[arg-type]
        yield client


def text(result: CallToolResult) -> str:
    """All text blocks of a tool result."""
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


async def call_ok(client: Client, name: str, args: dict[str, Any]) -> CallToolResult:
    """Call a tool and assert it succeeded."""
    result = await client.call_tool(name, args)
    assert not result.is_error, text(result)
    return result


async def seed_session(rig: Rig, meeting_id: str, *, end: bool = True) -> str:
    """Seed a session of ``meeting_id`` through the emulator's control plane; returns its id.

    Two people (Ana hosts, Bo joins), one chat line and a two-line transcript.
    """
    await ensure_started(rig)
    http = rig.https[-1]
    body = {
        "meeting_id": meeting_id,
        "participants": [
            {"custom_participant_id": "ana", "name": "Ana", "preset_name": "group_call_host"},
            {"custom_participant_id": "bo", "name": "Bo", "preset_name": "group_call_participant"},
        ],
        "chat": [{"participant": 0, "text": "hello all"}],
        "transcript": [
            {"participant": 0, "text": "Let's review the launch plan."},
            {"participant": 1, "text": "The beta ships on Friday."},
        ],
        "end": end,
    }
    response = await http.post("/_emulator/sessions", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["session"]["id"])
