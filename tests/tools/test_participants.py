"""participants toolset: tokens and join links, updates, confirmed removal."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.config import BackendSettings, ServerSettings
from realtimekit_mcp.server.deps import Deps
from tests.server.support import accept, call_ok, connect, make_rig, text

pytestmark = pytest.mark.anyio


async def _meeting(client) -> str:  # type: ignore[no-untyped-def]
    created = await call_ok(client, "meeting_create", {"title": "Standup"})
    assert created.structured_content is not None
    return str(created.structured_content["id"])


async def test_add_returns_the_auth_token_in_two_calls(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        added = await call_ok(client, "participant_add", {"meeting_id": meeting_id, "name": "Ana"})
        data = added.structured_content
        assert data is not None and data["name"] == "Ana" and data["preset_name"] == "group_call_participant"
        token = data["token"]
        assert token and f"token: {token}" in text(added)
        # The token is a participant JWT the emulator accepts for this meeting.
        assert rig.backend.verify_participant_token(token)["claims"]["meetingId"] == meeting_id
        assert "no hosted join page" in text(added)
        listed = text(
            await call_ok(client, "meeting_get", {"meeting_id": meeting_id, "view": "participants"})
        )
        assert data["id"] in listed and "Ana" in listed and token not in listed


async def test_unknown_preset_is_explained(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        result = await client.call_tool(
            "participant_add", {"meeting_id": meeting_id, "name": "X", "preset_name": "no_such_preset"}
        )
        assert result.is_error and "Could not add the participant" in text(result)


async def test_update_renames_and_issues_a_fresh_token(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id = await _meeting(client)
        added = (
            await call_ok(client, "participant_add", {"meeting_id": meeting_id, "name": "Ana"})
        ).structured_content
        assert added is not None
        renamed = await call_ok(
            client,
            "participant_update",
            {"meeting_id": meeting_id, "participant_id": added["id"], "name": "Ana B"},
        )
        assert renamed.structured_content is not None and renamed.structured_content["name"] == "Ana B"
        assert "token" not in renamed.structured_content
        fresh = await call_ok(
            client,
            "participant_update",
            {"meeting_id": meeting_id, "participant_id": added["id"], "new_token": True},
        )
        assert fresh.structured_content is not None and fresh.structured_content["token"]


async def test_remove_asks_with_the_participant_name_then_deletes(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    questions: list[str] = []

    async def record(ctx, params):  # type: ignore[no-untyped-def]
        questions.append(params.message)
        return await accept(ctx, params)

    async with connect(rig.server, mode, elicitation_callback=record) as client:
        meeting_id = await _meeting(client)
        added = (
            await call_ok(client, "participant_add", {"meeting_id": meeting_id, "name": "Zed"})
        ).structured_content
        assert added is not None
        await call_ok(client, "participant_remove", {"meeting_id": meeting_id, "participant_id": added["id"]})
        listed = text(await call_ok(client, "participant_list", {"meeting_id": meeting_id}))  # old name
        assert added["id"] not in listed
    assert "Zed" in questions[0] and added["id"] in questions[0]


def test_join_links_follow_the_backend(tmp_path: Path) -> None:
    def deps(kind: str, template: str | None = None) -> Deps:
        backend = BackendSettings(
            kind=kind,  # type: ignore[arg-type]
            base_url="http://127.0.0.1:8787/client/v4",
            join_url_template=template,
            data_dir=tmp_path,
        )
        return Deps(ServerSettings(backend=backend))

    assert deps("cloudflare").join_url("m1", "tok/en") is None
    assert deps("embedded").join_url("m1", "tok") is None
    assert deps("url").join_url("m1", "tok") == "http://127.0.0.1:8787/_emulator/join?authToken=tok"
    templated = deps("cloudflare", "https://app.example/join/{meeting_id}?t={token}").join_url("m 1", "a+b")
    assert templated == "https://app.example/join/m%201?t=a%2Bb"


async def test_standalone_emulator_join_link_opens_the_join_page(tmp_path: Path, mode: str) -> None:
    import httpx

    from realtimekit_mcp.config import BackendSettings, ServerSettings
    from realtimekit_mcp.server.app import build_server
    from tests.server.support import ACCOUNT_ID, API_TOKEN, APP_ID, ORIGIN

    apps: list[object] = []

    async def factory(_backend: BackendSettings) -> object:
        from realtimekit_mcp.client import RealtimeKitClient
        from realtimekit_mcp.emulator import EmulatorConfig, create_app

        app = create_app(
            EmulatorConfig(account_id=ACCOUNT_ID, app_id=APP_ID, api_token=API_TOKEN, public_base_url=ORIGIN)
        )
        apps.append(app)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN)
        return RealtimeKitClient(
            account_id=ACCOUNT_ID,
            app_id=APP_ID,
            api_token=API_TOKEN,
            base_url=f"{ORIGIN}/client/v4",
            http_client=http,
        )

    backend = BackendSettings(
        kind="url", base_url=f"{ORIGIN}/client/v4", account_id=ACCOUNT_ID, app_id=APP_ID, api_token=API_TOKEN
    )
    server = build_server(ServerSettings(backend=backend), client_factory=factory)  # type: ignore[arg-type]
    async with connect(server, mode) as client:
        meeting_id = await _meeting(client)
        added = (
            await call_ok(client, "participant_add", {"meeting_id": meeting_id, "name": "Ana"})
        ).structured_content
        assert added is not None and added["join_url"].startswith(f"{ORIGIN}/_emulator/join?authToken=")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url=ORIGIN) as http:  # type: ignore[arg-type]
        page = await http.get(added["join_url"])
    assert page.status_code == 200 and "Standup" in page.text
