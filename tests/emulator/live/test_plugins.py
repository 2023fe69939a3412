"""Plugins over the socket edge (raw sockets): the active-plugins store, permissions, the catalogue route."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest

from realtimekit_mcp.emulator.config import DEFAULT_PLUGINS, load_plugin_catalogue, parse_plugin_catalogue
from realtimekit_mcp.protocol import plugin_pb2
from realtimekit_mcp.protocol.events import PluginEvent

from .conftest import LiveEmu
from .hostkit import raw_request, refused
from .rawpeer import RawPeer
from .test_polls import room_peers

pytestmark = pytest.mark.anyio

STORE = "__rtk_plugins__"
WHITEBOARD = DEFAULT_PLUGINS[0]["id"]
DOCS = DEFAULT_PLUGINS[1]["id"]


def activation(
    meeting: str, plugin_id: str, enabled_by: str, name: str = "Whiteboard"
) -> plugin_pb2.StoreKeys:
    """What SDK 2.0.2's ``plugin.activate()`` inserts."""
    key = f"{meeting}:{plugin_id}"
    payload = {"name": name, "icon": "", "id": key, "enabledBy": enabled_by}
    return plugin_pb2.StoreKeys(store_key=key, payload=json.dumps(payload).encode())


async def insert(peer: RawPeer, meeting: str, *keys: plugin_pb2.StoreKeys) -> plugin_pb2.PluginStoreResponse:
    return await peer.request(
        PluginEvent.STORE_INSERT_KEYS,
        plugin_pb2.PluginStoreInsertKeysRequest(plugin_id=meeting, store_name=STORE, insert_keys=keys),
        plugin_pb2.PluginStoreResponse,
    )


async def get_store(peer: RawPeer, meeting: str, store: str = STORE) -> plugin_pb2.PluginStoreResponse:
    return await peer.request(
        PluginEvent.STORE_GET_KEYS,
        plugin_pb2.PluginStoreGetKeysRequest(plugin_id=meeting, store_name=store),
        plugin_pb2.PluginStoreResponse,
    )


async def test_activation_reaches_everyone_late_joiners_load_it_and_deactivation_as_the_sdk_sends_it(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    async with room_peers(
        live, meeting, ("Host", "group_call_host"), ("Guest", "group_call_participant")
    ) as (host, guest):
        with anyio.fail_after(10):
            assert list((await get_store(guest, meeting)).store_items) == []
            reply = await insert(host, meeting, activation(meeting, WHITEBOARD, host.peer_id))
            (item,) = reply.store_items
            assert item.store_key == f"{meeting}:{WHITEBOARD}" and item.peer_id == host.peer_id
            assert json.loads(item.payload)["enabledBy"] == host.peer_id
            pushed = (await guest.wait_push(PluginEvent.STORE_INSERT_KEYS, plugin_pb2.PluginStoreResponse))[0]
            assert pushed.plugin_id == meeting and pushed.store_name == STORE
            assert [(i.store_key, i.peer_id) for i in pushed.store_items] == [(item.store_key, host.peer_id)]
            assert host.pushes[PluginEvent.STORE_INSERT_KEYS] == []  # the requester got its reply only

            again = await insert(host, meeting, activation(meeting, WHITEBOARD, host.peer_id))
            assert list(again.store_items) == []  # already active: nothing changes, nothing pushed

            async with room_peers(live, meeting, ("Late", "group_call_participant")) as (late,):
                (loaded,) = (await get_store(late, meeting)).store_items
                assert loaded.store_key == item.store_key
                assert json.loads(loaded.payload) == {
                    "name": "Whiteboard",
                    "icon": "",
                    "id": item.store_key,
                    "enabledBy": host.peer_id,
                }
                # SDK 2.0.2 deactivates with store.set(key, null): an insert whose payload is null
                off = await insert(
                    host, meeting, plugin_pb2.StoreKeys(store_key=item.store_key, payload=b"null")
                )
                assert [(i.store_key, i.payload) for i in off.store_items] == [(item.store_key, b"null")]
                for peer in (guest, late):
                    pushes = await peer.wait_push(
                        PluginEvent.STORE_INSERT_KEYS,
                        plugin_pb2.PluginStoreResponse,
                        count=2 if peer is guest else 1,
                    )
                    assert pushes[-1].store_items[0].payload == b"null"
                assert list((await get_store(late, meeting)).store_items) == []

            # storeDeleteKeys deactivates too
            await insert(host, meeting, activation(meeting, DOCS, host.peer_id, "Document sharing"))
            assert [p["id"] for p in live.plane.plugins.active(meeting)] == [DOCS]
            deleted = await host.request(
                PluginEvent.STORE_DELETE_KEYS,
                plugin_pb2.PluginStoreDeleteKeysRequest(
                    plugin_id=meeting,
                    store_name=STORE,
                    delete_keys=[plugin_pb2.StoreKeys(store_key=f"{meeting}:{DOCS}")],
                ),
                plugin_pb2.PluginStoreResponse,
            )
            assert [i.store_key for i in deleted.store_items] == [f"{meeting}:{DOCS}"]
            gone = (await guest.wait_push(PluginEvent.STORE_DELETE_KEYS, plugin_pb2.PluginStoreResponse))[0]
            assert [i.store_key for i in gone.store_items] == [f"{meeting}:{DOCS}"]
            assert live.plane.plugins.active(meeting) == []


async def test_plugin_rights_come_from_the_preset_and_bad_requests_get_the_protocol_error(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    async with room_peers(
        live, meeting, ("Host", "group_call_host"), ("Guest", "group_call_participant")
    ) as (host, guest):
        with anyio.fail_after(10):
            start = plugin_pb2.PluginStoreInsertKeysRequest(
                plugin_id=meeting,
                store_name=STORE,
                insert_keys=[activation(meeting, WHITEBOARD, guest.peer_id)],
            )
            error = await refused(guest, PluginEvent.STORE_INSERT_KEYS, start)
            assert error.code == 403 and "plugins.can_start" in error.message
            assert live.plane.plugins.active(meeting) == []

            await insert(host, meeting, activation(meeting, WHITEBOARD, host.peer_id))
            key = plugin_pb2.StoreKeys(store_key=f"{meeting}:{WHITEBOARD}")
            for request in (
                plugin_pb2.PluginStoreInsertKeysRequest(
                    plugin_id=meeting,
                    store_name=STORE,
                    insert_keys=[plugin_pb2.StoreKeys(store_key=key.store_key, payload=b"null")],
                ),
                plugin_pb2.PluginStoreDeleteKeysRequest(
                    plugin_id=meeting, store_name=STORE, delete_keys=[key]
                ),
            ):
                event = (
                    PluginEvent.STORE_INSERT_KEYS
                    if isinstance(request, plugin_pb2.PluginStoreInsertKeysRequest)
                    else PluginEvent.STORE_DELETE_KEYS
                )
                closing = await refused(guest, event, request)
                assert closing.code == 403 and "plugins.can_close" in closing.message
            assert [p["id"] for p in live.plane.plugins.active(meeting)] == [WHITEBOARD]

            bad = [
                (activation(meeting, "not-in-the-catalogue", host.peer_id), 404, "Unknown plugin"),
                (activation("another-meeting", WHITEBOARD, host.peer_id), 400, "another meeting"),
                (plugin_pb2.StoreKeys(store_key=f"{meeting}:{DOCS}", payload=b"{not json"), 400, "JSON"),
                (plugin_pb2.StoreKeys(store_key=f"{meeting}:{DOCS}", payload=b"\xff"), 400, "JSON"),
            ]
            for keys, code, words in bad:
                request = plugin_pb2.PluginStoreInsertKeysRequest(
                    plugin_id=meeting, store_name=STORE, insert_keys=[keys]
                )
                error = await refused(host, PluginEvent.STORE_INSERT_KEYS, request)
                assert (error.code, words in error.message) == (code, True), (keys, error)
            for payload, code, words in (
                (plugin_pb2.PluginStoreInsertKeysRequest(plugin_id="x", store_name=STORE), 400, "meeting id"),
                (plugin_pb2.PluginStoreInsertKeysRequest(plugin_id=meeting, store_name=STORE), 400, "1 to"),
                (plugin_pb2.PluginStoreInsertKeysRequest(plugin_id=meeting), 400, "store_name"),
                (b"\xff\xff", 400, "not a valid"),
            ):
                error = await refused(host, PluginEvent.STORE_INSERT_KEYS, payload)
                assert (error.code, words in error.message) == (code, True), (payload, error)
            error = await refused(host, PluginEvent.STORE_GET_KEYS, b"\xff")
            assert error.code == 400
            # a mixed request is all-or-nothing: the unknown plugin stops the valid one too
            mixed = plugin_pb2.PluginStoreInsertKeysRequest(
                plugin_id=meeting,
                store_name=STORE,
                insert_keys=[
                    activation(meeting, DOCS, host.peer_id),
                    activation(meeting, "nope", host.peer_id),
                ],
            )
            assert (await refused(host, PluginEvent.STORE_INSERT_KEYS, mixed)).code == 404
            assert [p["id"] for p in live.plane.plugins.active(meeting)] == [WHITEBOARD]


async def test_the_store_answers_before_the_room_join_and_other_stores_are_shared_key_values(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    token = (await live.add_participant(meeting, "early", "Early"))["token"]
    early = RawPeer(live.ws_url, meeting, token)
    try:
        with anyio.fail_after(10):
            await early.connect()
            assert list((await get_store(early, meeting)).store_items) == []  # the SDK's start-up lookup
            refusal = await refused(
                early,
                PluginEvent.STORE_INSERT_KEYS,
                plugin_pb2.PluginStoreInsertKeysRequest(
                    plugin_id=meeting, store_name=STORE, insert_keys=[activation(meeting, WHITEBOARD, "x")]
                ),
            )
            assert refusal.code == 409
        async with room_peers(
            live, meeting, ("A", "group_call_participant"), ("B", "group_call_participant")
        ) as (a, b):
            with anyio.fail_after(10):
                got, _ = await raw_request(
                    a,
                    PluginEvent.STORE_INSERT_KEYS,
                    plugin_pb2.PluginStoreInsertKeysRequest(
                        plugin_id="my-plugin",
                        store_name="notes",
                        insert_keys=[plugin_pb2.StoreKeys(store_key="k", payload=b'{"v": 1}')],
                    ),
                )
                assert got == PluginEvent.STORE_INSERT_KEYS
                pushed = (await b.wait_push(PluginEvent.STORE_INSERT_KEYS, plugin_pb2.PluginStoreResponse))[0]
                assert (pushed.plugin_id, pushed.store_name, pushed.store_items[0].payload) == (
                    "my-plugin",
                    "notes",
                    b'{"v": 1}',
                )
                notes = await b.request(
                    PluginEvent.STORE_GET_KEYS,
                    plugin_pb2.PluginStoreGetKeysRequest(plugin_id="my-plugin", store_name="notes"),
                    plugin_pb2.PluginStoreResponse,
                )
                assert [i.store_key for i in notes.store_items] == ["k"]
    finally:
        await early.close()


async def test_the_catalogue_route_needs_a_participant_token(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    token = (await live.add_participant(meeting, "p", "P"))["token"]
    async with httpx.AsyncClient(base_url=live.origin) as anonymous:
        r = await anonymous.get("/v2/plugins/user", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        plugins = r.json()["data"]["plugins"]
        assert [(p["id"], p["name"], p["baseURL"]) for p in plugins] == [
            (p["id"], p["name"], p["url"]) for p in DEFAULT_PLUGINS
        ]
        assert all(".invalid/" in p["url"] for p in plugins)  # placeholders, never fetched
        assert (await anonymous.get("/v2/plugins/user")).status_code == 401
        bad = await anonymous.get("/v2/plugins/user", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and token not in bad.text


def test_a_plugin_catalogue_file_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "plugins.json"
    good.write_text(json.dumps([{"id": "quiz", "name": "Quiz", "url": "http://127.0.0.1:9/quiz"}]))
    assert load_plugin_catalogue(good) == [
        {"id": "quiz", "name": "Quiz", "url": "http://127.0.0.1:9/quiz", "description": ""}
    ]
    for data, words in (
        ({"id": "x"}, "JSON list"),
        ([{"id": "a", "name": "A"}], "'url'"),
        ([{"id": "a:b", "name": "A", "url": "https://x"}], "':'"),
        ([{"id": "a", "name": "A", "url": "ftp://x"}], "http"),
        (
            [{"id": "a", "name": "A", "url": "https://x"}, {"id": "A", "name": "B", "url": "https://y"}],
            "twice",
        ),
        (["a"], "object"),
    ):
        with pytest.raises(ValueError, match=words):
            parse_plugin_catalogue(data)
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(ValueError, match="not JSON"):
        load_plugin_catalogue(tmp_path / "broken.json")
    with pytest.raises(ValueError, match="cannot read"):
        load_plugin_catalogue(tmp_path / "missing.json")


def test_the_emulator_command_refuses_a_bad_plugins_file_before_starting(tmp_path: Path) -> None:
    bad = tmp_path / "plugins.json"
    bad.write_text('[{"id": "a"}]')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "realtimekit_mcp",
            "emulator",
            "--data",
            ":memory:",
            "--port",
            "0",
            "--plugins",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "plugin catalogue" in result.stderr and "'name'" in result.stderr


def test_the_plugins_environment_variable_sets_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from realtimekit_mcp import cli as top_cli
    from realtimekit_mcp.emulator import cli as emulator_cli

    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([{"id": "poll-board", "name": "Board", "url": "https://board.example/app"}]))
    monkeypatch.setenv("REALTIMEKIT_EMULATOR_PLUGINS", str(path))
    args = top_cli._build_parser().parse_args(["emulator"])
    config = emulator_cli._build_config(args, ":memory:")
    assert [p["id"] for p in config.plugins] == ["poll-board"]
    args = top_cli._build_parser().parse_args(["emulator", "--plugins", str(path)])
    assert emulator_cli._build_config(args, ":memory:").plugins == config.plugins
    monkeypatch.delenv("REALTIMEKIT_EMULATOR_PLUGINS")
    default = emulator_cli._build_config(top_cli._build_parser().parse_args(["emulator"]), ":memory:")
    assert [p["id"] for p in default.plugins] == [p["id"] for p in DEFAULT_PLUGINS]
