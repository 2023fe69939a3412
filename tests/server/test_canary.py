"""A canary API token never reaches a tool result, an error, a resource or a log line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from realtimekit_mcp.config import settings_from_args
from realtimekit_mcp.server.app import build_server
from tests.server.support import accept, connect, make_rig, seed_session

pytestmark = pytest.mark.anyio

CANARY = "CANARY-7f3a9c1e-do-not-leak-5b2d"
UUID = "00000000-0000-4000-8000-000000000000"


def _dummy(prop: dict[str, Any], name: str, ids: dict[str, str]) -> Any:
    if name in ids:
        return ids[name]
    kind = prop.get("type")
    if kind == "array":
        return ["a", "b"]
    if kind == "object":
        return {}
    if kind == "boolean":
        return True
    if kind == "integer":
        return 2
    if "enum" in prop:
        return prop["enum"][0]
    return UUID


def _args(tool: Any, ids: dict[str, str]) -> dict[str, Any]:
    props = tool.input_schema.get("properties", {})
    return {
        name: _dummy(p, name, ids)
        for name, p in props.items()
        if name not in ("cursor", "start_date", "end_date")
    }


async def _exercise(server: Any, mode: str, seed: Any = None) -> list[str]:
    seen: list[str] = []
    async with connect(server, mode, elicitation_callback=accept) as client:
        ids: dict[str, str] = {}
        if seed is not None:
            ids = await seed(client)
        for tool in (await client.list_tools()).tools:
            for args in (_args(tool, ids), _args(tool, {})):
                result = await client.call_tool(tool.name, args)
                seen.append(result.model_dump_json())
        for uri in (
            "realtimekit://status",
            f"realtimekit://sessions/{ids.get('session_id', UUID)}/transcript",
        ):
            try:
                seen.append((await client.read_resource(uri)).model_dump_json())
            except Exception as err:
                seen.append(repr(err))
    return seen


async def test_canary_token_never_leaves_the_server_on_the_emulator(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = make_rig(tmp_path, api_token=CANARY, toolsets=("all",))

    async def seed(client: Any) -> dict[str, str]:
        meeting = (await client.call_tool("meeting_create", {"title": "c"})).structured_content
        session_id = await seed_session(rig, meeting["id"])
        added = (
            await client.call_tool("participant_add", {"meeting_id": meeting["id"], "name": "n"})
        ).structured_content
        return {"meeting_id": meeting["id"], "session_id": session_id, "participant_id": added["id"]}

    seen = await _exercise(rig.server, mode, seed)
    assert len(seen) > 50
    logs = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for blob in [*seen, logs]:
        assert CANARY not in blob


async def test_canary_token_never_leaves_the_server_when_the_backend_is_down(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {
        "REALTIMEKIT_BASE_URL": "http://127.0.0.1:9/client/v4",
        "CLOUDFLARE_API_TOKEN": CANARY,
        "CLOUDFLARE_ACCOUNT_ID": "a" * 32,
        "REALTIMEKIT_APP_ID": "b" * 32,
    }

    async def no_retries(backend: Any) -> Any:
        from realtimekit_mcp.client import RealtimeKitClient

        return RealtimeKitClient(
            account_id=backend.account_id,
            app_id=backend.app_id,
            api_token=backend.api_token,
            base_url=backend.base_url,
            max_retries=0,
        )

    server = build_server(settings_from_args(env=env, toolsets="all"), client_factory=no_retries)
    assert CANARY not in repr(server.deps.settings)
    seen = await _exercise(server, mode)
    assert any("could not be reached" in s for s in seen)
    logs = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for blob in [*seen, logs]:
        assert CANARY not in blob
