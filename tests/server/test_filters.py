"""Toolset filters: default/all/named toolsets, --tools, --exclude-tools (wins), --read-only
(hidden from tools/list and refused at call)."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.server.registry import SelectionError, all_toolsets, select_tools
from tests.server.support import connect, make_rig, text

DEFAULT_SETS = {"meetings", "participants", "sessions", "recordings", "bot"}


def _names(**kwargs: object) -> list[str]:
    enabled, _ = select_tools(**kwargs)  # type: ignore[arg-type]
    return [s.name for s in enabled]


def test_default_toolsets_are_meetings_participants_sessions_recordings_and_bot() -> None:
    assert {t.id for t in all_toolsets() if t.default} == DEFAULT_SETS
    enabled, _ = select_tools()
    assert {s.toolset for s in enabled} == DEFAULT_SETS


def test_all_enables_every_tool_and_names_select_toolsets() -> None:
    every = [s.name for ts in all_toolsets() for s in ts.tools]
    assert _names(toolsets=["all"]) == every
    assert _names(toolsets=["webhooks"]) == [
        "webhook_list",
        "webhook_create",
        "webhook_update",
        "webhook_delete",
    ]


def test_tools_adds_single_tools_and_exclude_wins() -> None:
    names = _names(
        toolsets=["meetings"], tools=["webhook_list", "meeting_get"], exclude_tools=["meeting_get"]
    )
    assert names == ["meeting_create", "meeting_update", "webhook_list"]


def test_old_tool_names_select_and_exclude_their_new_tools() -> None:
    assert _names(toolsets=["webhooks"], tools=["recording_start"]) == [
        "recording_control",
        "webhook_list",
        "webhook_create",
        "webhook_update",
        "webhook_delete",
    ]
    assert "meeting_get" not in _names(exclude_tools=["meeting_list"])


@pytest.mark.anyio
async def test_an_old_name_of_a_hidden_tool_is_refused_with_the_reason(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, read_only=True)
    async with connect(rig.server, mode) as client:
        result = await client.call_tool("recording_start", {"meeting_id": "m"})
        assert result.is_error and "read-only" in text(result) and "recording_control" in text(result)


def test_read_only_keeps_only_read_tools_even_when_asked_for_by_name() -> None:
    enabled, hidden = select_tools(toolsets=["all"], tools=["meeting_create"], read_only=True)
    assert enabled and all(s.read_only for s in enabled)
    assert hidden["meeting_create"] == "the server runs in read-only mode"


def test_unknown_names_are_rejected_with_the_valid_choices() -> None:
    with pytest.raises(SelectionError, match="choose from: default, all"):
        select_tools(toolsets=["nope"])
    with pytest.raises(SelectionError, match="unknown tool"):
        select_tools(tools=["meeting_explode"])


@pytest.mark.anyio
async def test_read_only_server_hides_and_refuses_write_tools(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, read_only=True)
    async with connect(rig.server, mode) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert "meeting_create" not in names and "meeting_get" in names
        result = await client.call_tool("meeting_create", {"title": "x"})
        assert result.is_error and "read-only" in text(result)


@pytest.mark.anyio
async def test_excluded_tool_is_hidden_and_refused(tmp_path: Path, mode: str) -> None:
    rig = make_rig(tmp_path, exclude_tools=("participant_remove",))
    async with connect(rig.server, mode) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert "participant_remove" not in names
        result = await client.call_tool("participant_remove", {"meeting_id": "m", "participant_id": "p"})
        assert result.is_error and "--exclude-tools" in text(result)
