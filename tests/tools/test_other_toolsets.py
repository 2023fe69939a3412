"""livestreams, presets, webhooks and analytics toolsets (off by default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.support import accept, call_ok, connect, make_rig, seed_session, text

pytestmark = pytest.mark.anyio


async def test_livestream_start_get_and_confirmed_stop(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, toolsets=("all",))
    async with connect(rig.server, mode, elicitation_callback=accept) as client:
        meeting = (await call_ok(client, "meeting_create", {"title": "Stream"})).structured_content
        assert meeting is not None
        await seed_session(rig, meeting["id"], end=False)
        started = text(await call_ok(client, "livestream_start", {"meeting_id": meeting["id"]}))
        assert "Started:" in started
        got = text(await call_ok(client, "livestream_get", {"meeting_id": meeting["id"]}))
        assert meeting["id"] in got and "stream_key" not in got
        assert "showing" in text(await call_ok(client, "livestream_list", {}))
        await call_ok(client, "livestream_stop", {"meeting_id": meeting["id"]})


async def test_presets_crud_with_confirmed_delete(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, toolsets=("presets",))
    async with connect(rig.server, mode, elicitation_callback=accept) as client:
        listed = text(await call_ok(client, "preset_list", {}))
        assert "group_call_host" in listed
        preset_id = next(
            line.split(" | ")[0][2:] for line in listed.splitlines() if "group_call_host" in line
        )
        got = text(await call_ok(client, "preset_get", {"preset_id": preset_id}))
        assert got.startswith("Preset group_call_host")
        await call_ok(
            client, "preset_update", {"preset_id": preset_id, "changes": {"ui": {"design_tokens": {}}}}
        )
        await call_ok(client, "preset_delete", {"preset_id": preset_id})
        assert "group_call_host" not in text(await call_ok(client, "preset_list", {}))


async def test_webhooks_crud_with_confirmed_delete(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, toolsets=("webhooks",))
    questions: list[str] = []

    async def record(ctx, params):  # type: ignore[no-untyped-def]
        questions.append(params.message)
        return await accept(ctx, params)

    async with connect(rig.server, mode, elicitation_callback=record) as client:
        created = text(
            await call_ok(
                client,
                "webhook_create",
                {"name": "ops", "url": "https://hooks.example/rtk", "events": ["meeting.started"]},
            )
        )
        webhook_id = created.split()[1]
        updated = text(await call_ok(client, "webhook_update", {"webhook_id": webhook_id, "enabled": False}))
        assert "disabled" in updated
        assert webhook_id in text(await call_ok(client, "webhook_list", {}))
        await call_ok(client, "webhook_delete", {"webhook_id": webhook_id})
        assert "No webhooks." in text(await call_ok(client, "webhook_list", {}))
    assert "ops" in questions[0] and "https://hooks.example/rtk" in questions[0]


async def test_analytics_reports_usage_by_day(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, toolsets=("analytics",))
    async with connect(rig.server, mode) as client:
        body = text(await call_ok(client, "analytics_get", {"kind": "meetings"}))
        assert body.startswith("meetings usage by day")
        body = text(await call_ok(client, "analytics_get", {"kind": "livestreams"}))
        assert body.startswith("livestreams usage by day")
