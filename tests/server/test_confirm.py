"""Destructive tools: fail closed without elicitation, run after an accepted confirmation, never
after a declined one, and pass unasked only when the operator allowed it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.server.support import accept, call_ok, connect, decline, make_rig, text

pytestmark = pytest.mark.anyio


async def _setup(client: Any) -> tuple[str, str]:
    meeting = (await call_ok(client, "meeting_create", {"title": "Ops"})).structured_content
    assert meeting is not None
    added = (
        await call_ok(client, "participant_add", {"meeting_id": meeting["id"], "name": "Kim"})
    ).structured_content
    assert added is not None
    return str(meeting["id"]), str(added["id"])


async def _still_there(client: Any, meeting_id: str, participant_id: str) -> bool:
    return participant_id in text(
        await call_ok(client, "meeting_get", {"meeting_id": meeting_id, "view": "participants"})
    )


async def test_without_elicitation_a_destructive_tool_fails_closed(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode) as client:
        meeting_id, participant_id = await _setup(client)
        result = await client.call_tool(
            "participant_remove", {"meeting_id": meeting_id, "participant_id": participant_id}
        )
        assert result.is_error
        assert "cannot show confirmation prompts" in text(result) and participant_id in text(result)
        assert "--allow-destructive" in text(result)
        assert await _still_there(client, meeting_id, participant_id)


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("session_moderate", {"meeting_id": "m", "action": "kick", "everyone": True}),
        ("meeting_update", {"meeting_id": "m", "status": "INACTIVE"}),
        ("livestream_stop", {"meeting_id": "m"}),
        ("preset_delete", {"preset_id": "p"}),
        ("webhook_delete", {"webhook_id": "w"}),
    ],
)
async def test_every_confirmed_tool_fails_closed_before_touching_the_backend(
    tmp_path: Path, mode: str, tool: str, args: dict[str, Any]
) -> None:
    rig = make_rig(tmp_path, toolsets=("all",))
    async with connect(rig.server, mode) as client:
        result = await client.call_tool(tool, args)
        assert result.is_error and "cannot show confirmation prompts" in text(result)
    assert not rig.server.deps.started  # no request was made


async def test_accepted_confirmation_runs_the_tool(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode, elicitation_callback=accept) as client:
        meeting_id, participant_id = await _setup(client)
        await call_ok(
            client, "participant_remove", {"meeting_id": meeting_id, "participant_id": participant_id}
        )
        assert not await _still_there(client, meeting_id, participant_id)


async def test_declined_confirmation_does_nothing(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path)
    async with connect(rig.server, mode, elicitation_callback=decline) as client:
        meeting_id, participant_id = await _setup(client)
        result = await client.call_tool(
            "participant_remove", {"meeting_id": meeting_id, "participant_id": participant_id}
        )
        assert result.is_error and "the user declined" in text(result)
        assert await _still_there(client, meeting_id, participant_id)


async def test_accepted_form_with_the_box_unchecked_does_nothing(tmp_path: Path, mode: str) -> None:
    async def unchecked(_ctx: Any, _params: Any) -> Any:
        from mcp_types import ElicitResult

        return ElicitResult(action="accept", content={"confirm": False})

    rig = make_rig(tmp_path)
    async with connect(rig.server, mode, elicitation_callback=unchecked) as client:
        meeting_id, participant_id = await _setup(client)
        result = await client.call_tool(
            "participant_remove", {"meeting_id": meeting_id, "participant_id": participant_id}
        )
        assert result.is_error and "did not confirm" in text(result)
        assert await _still_there(client, meeting_id, participant_id)


async def test_allow_destructive_runs_without_elicitation(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, allow_destructive=True)
    async with connect(rig.server, mode) as client:
        meeting_id, participant_id = await _setup(client)
        await call_ok(
            client, "participant_remove", {"meeting_id": meeting_id, "participant_id": participant_id}
        )
        assert not await _still_there(client, meeting_id, participant_id)
