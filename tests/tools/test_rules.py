"""Rules every tool obeys: naming, title, all four hints, short descriptions, schema shape,
confirmation for destructive actions, and the token budgets."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import bpe_openai

from realtimekit_mcp.server.policy import asks_confirmation
from realtimekit_mcp.server.registry import all_toolsets
from tests.tools.tokens import ENCODING, count

NOUNS = {
    "meeting",
    "participant",
    "session",
    "recording",
    "livestream",
    "preset",
    "webhook",
    "analytics",
    "bot",
}
VERBS = {
    "list",
    "get",
    "create",
    "update",
    "add",
    "remove",
    "moderate",
    "start",
    "stop",
    "delete",
    "join",
    "leave",
    "control",  # recording_control: start|stop|pause|resume (one risk level)
    "send",  # bot_send: what a bot outputs (speech, chat, media)
    "status",  # bot_status: state and events of a bot (a read)
}
# Consolidated tools named after the thing they act on; their verb is the ``action`` enum argument
# (bot_poll: create|vote|list, bot_plugin: list|activate|deactivate).
ACTION_NOUNS = {"poll", "plugin"}
# Tools that must ask the user before acting (remove, kick/mute, deactivate, delete, stop a stream).
CONFIRMED = {
    "meeting_update",
    "participant_remove",
    "session_moderate",
    "bot_moderate",  # reject, kick, kick_all, mute_all (the other actions pass unasked)
    "livestream_stop",
    "preset_delete",
    "webhook_delete",
}
SPECS = {s.name: s for ts in all_toolsets() for s in ts.tools}


def test_tool_names_follow_noun_verb(all_tools: list[Any]) -> None:
    for tool in all_tools:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", tool.name), tool.name
        parts = tool.name.split("_")
        assert parts[0] in NOUNS, tool.name
        if parts[-1] not in VERBS:
            assert parts[-1] in ACTION_NOUNS, tool.name
            assert "enum" in tool.input_schema["properties"]["action"], tool.name


def test_every_tool_has_a_title_and_all_four_hints(all_tools: list[Any]) -> None:
    for tool in all_tools:
        assert tool.title and tool.annotations is not None and tool.annotations.title == tool.title
        a = tool.annotations
        hints = (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        assert None not in hints, tool.name
        if a.read_only_hint:
            assert not a.destructive_hint, tool.name


def test_descriptions_are_one_or_two_short_sentences(all_tools: list[Any]) -> None:
    for tool in all_tools:
        desc = tool.description or ""
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", desc.strip()) if s]
        assert 1 <= len(sentences) <= 2 and len(desc) <= 200, tool.name
        assert "IMPORTANT" not in desc and "MUST" not in desc


def test_input_schemas_are_plain_objects_without_top_level_combinators(all_tools: list[Any]) -> None:
    for tool in all_tools:
        schema = tool.input_schema
        assert schema["type"] == "object", tool.name
        assert not {"anyOf", "oneOf", "allOf"} & set(schema), tool.name
        assert "title" not in schema and all("title" not in p for p in schema.get("properties", {}).values())
        assert "confirmed" not in schema.get("properties", {}), "confirmation must not be a model argument"


def test_destructive_actions_ask_for_confirmation() -> None:
    asking = {name for name, spec in SPECS.items() if asks_confirmation(spec)}
    assert asking == CONFIRMED
    for name in CONFIRMED:
        assert SPECS[name].destructive, name


def test_read_only_hint_matches_the_registry(all_tools: list[Any]) -> None:
    for tool in all_tools:
        assert tool.annotations.read_only_hint == SPECS[tool.name].read_only


def test_tool_order_is_stable_and_follows_the_toolsets(all_tools: list[Any]) -> None:
    assert [t.name for t in all_tools] == list(SPECS)


def test_bot_toolset_is_on_by_default_with_four_tools_and_states_the_handle_lifetime() -> None:
    bot = next(ts for ts in all_toolsets() if ts.id == "bot")
    assert bot.default
    assert [s.name for s in bot.tools] == ["bot_join", "bot_send", "bot_status", "bot_leave"]
    join = bot.tools[0].description
    assert "bot_id" in join and all(w in join for w in ("bot_leave", "kick", "meeting ending", "shutdown"))
    assert [s.read_only for s in bot.tools] == [False, False, True, False]


def test_renamed_tools_keep_their_old_names_as_unlisted_aliases(all_tools: list[Any]) -> None:
    from realtimekit_mcp.server.registry import alias_table

    aliases = alias_table()
    assert aliases == {
        "meeting_list": ("meeting_get", {}),
        "participant_list": ("meeting_get", {"view": "participants"}),
        "session_list": ("session_get", {"view": "list"}),
        "recording_start": ("recording_control", {"action": "start"}),
        "recording_stop": ("recording_control", {"action": "stop"}),
    }
    assert not set(aliases) & {t.name for t in all_tools}


def test_default_surface_fits_the_budget(default_tools: list[Any]) -> None:
    total = sum(count(t) for t in default_tools)
    assert len(default_tools) <= 15
    assert total <= 3500, total


def test_full_surface_fits_the_budget(all_tools: list[Any]) -> None:
    total = sum(count(t) for t in all_tools)
    assert len(all_tools) <= 40
    assert total <= 9000, total


def test_no_tool_costs_more_than_450_tokens(all_tools: list[Any]) -> None:
    worst = max(all_tools, key=count)
    assert count(worst) <= 450, (worst.name, count(worst))


def test_token_counter_is_cl100k_offline() -> None:
    # The bundled rank file is byte-identical to OpenAI's cl100k_base.tiktoken (tiktoken's pinned hash).
    data = Path(bpe_openai.__file__).parent / "data" / "cl100k_base.tiktoken.gz"
    digest = hashlib.sha256(gzip.decompress(data.read_bytes())).hexdigest()
    assert digest == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    # Known cl100k encodings.
    assert ENCODING.encode("hello world") == [15339, 1917]
    assert ENCODING.encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]


def test_no_tool_takes_a_credential_as_an_argument(all_tools: list[Any]) -> None:
    for tool in all_tools:
        for name, prop in tool.input_schema.get("properties", {}).items():
            if any(word in name for word in ("token", "secret", "key", "password")):
                assert prop.get("type") == "boolean", (tool.name, name)  # e.g. new_token: issue a fresh one
