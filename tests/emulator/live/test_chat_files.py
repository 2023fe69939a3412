"""Image and file chat against the running emulator: chat-upload, presigned PUT/GET, and the socket + export.

Raw HTTP (no bot code) and the independent raw socket client of this package.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import anyio
import httpx
import pytest

from realtimekit_mcp.emulator import EmulatorConfig
from realtimekit_mcp.emulator.backend import EmulatorBackend
from realtimekit_mcp.emulator.chat_files import ChatFileStore
from realtimekit_mcp.protocol import chat_pb2
from realtimekit_mcp.protocol.events import ChatEvent

from .conftest import LiveEmu
from .rawpeer import RawPeer

pytestmark = pytest.mark.anyio

PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 8 + bytes(range(256)) * 4


@asynccontextmanager
async def anonymous(live: LiveEmu) -> AsyncIterator[httpx.AsyncClient]:
    """A client without the API token (what a browser holding only a participant token has)."""
    async with httpx.AsyncClient(base_url=live.origin, timeout=10.0) as client:
        yield client


async def upload_urls(
    client: httpx.AsyncClient, token: str, room: str, filename: str = "cat.png", **extra: Any
) -> httpx.Response:
    return await client.post(
        "/v2/meetings/chat-upload",
        json={"roomUUID": room, "filename": filename, **extra},
        headers={"Authorization": f"Bearer {token}"},
    )


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())))


async def test_upload_then_put_then_get_round_trips_the_bytes_with_their_content_type(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice", "Alice")
    async with anonymous(live) as client:
        r = await upload_urls(client, alice["token"], meeting, "cat.png", expiry=600)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["success"] is True and set(body["data"]) == {"get_location", "put_location"}
        get_url, put_url = body["data"]["get_location"], body["data"]["put_location"]
        assert get_url.startswith(live.origin + "/") and put_url.startswith(live.origin + "/")
        assert get_url != put_url
        # not uploaded yet
        early = await client.get(get_url)
        assert early.status_code == 404 and early.json()["success"] is False
        put = await client.put(put_url, content=PNG, headers={"Content-Type": "image/png"})
        assert put.status_code == 200, put.text
        got = await client.get(get_url)
        assert got.status_code == 200
        assert got.content == PNG
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith("inline")
        # the download URL is not an upload URL, and the upload URL is not a download URL
        assert (await client.put(get_url, content=b"x")).status_code == 403
        assert (await client.get(put_url)).status_code == 403


async def test_a_non_image_file_is_served_as_an_octet_stream_attachment_never_as_html(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice")
    page = b"<html><script>alert(1)</script></html>"
    async with anonymous(live) as client:
        urls = (await upload_urls(client, alice["token"], meeting, "../../evil page.html")).json()["data"]
        assert "/evil%20page.html?" in urls["get_location"]  # the name's directories are dropped
        put = await client.put(urls["put_location"], content=page, headers={"Content-Type": "text/html"})
        assert put.status_code == 200
        got = await client.get(urls["get_location"])
    assert got.content == page
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment")
    assert "evil%20page.html" in got.headers["content-disposition"]


async def test_forged_tampered_and_expired_signatures_are_refused_with_403(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice")
    async with anonymous(live) as client:
        urls = (await upload_urls(client, alice["token"], meeting, expiry=120)).json()["data"]
        assert (await client.put(urls["put_location"], content=PNG)).status_code == 200
        sig = parse_qs(urlsplit(urls["get_location"]).query)["sig"][0]
        forged = with_query(urls["get_location"], sig=("0" if sig[0] != "0" else "1") + sig[1:])
        later = str(int(parse_qs(urlsplit(urls["get_location"]).query)["expires"][0]) + 3600)
        for url, words in (
            (forged, "Invalid download signature"),
            (with_query(urls["get_location"], expires=later), "Invalid download signature"),
            (with_query(urls["get_location"], sig=""), "missing"),
        ):
            r = await client.get(url)
            assert r.status_code == 403, url
            assert r.json()["success"] is False and r.json()["error"]["code"] == 403
            assert words in r.json()["error"]["message"]
        put_sig = parse_qs(urlsplit(urls["put_location"]).query)["sig"][0]
        forged_put = with_query(urls["put_location"], sig=put_sig[::-1])
        assert (await client.put(forged_put, content=b"evil")).status_code == 403
        assert (await client.get(urls["get_location"])).content == PNG  # the forged PUT changed nothing
    advanced = await live.client.post("/_emulator/clock/advance", json={"seconds": 121})
    assert advanced.status_code == 200
    async with anonymous(live) as client:
        expired = await client.get(urls["get_location"])
        assert expired.status_code == 403 and "expired" in expired.json()["error"]["message"]
        late_put = await client.put(urls["put_location"], content=PNG)  # the upload URL lives 15 minutes
        assert late_put.status_code == 200
        advanced = await live.client.post("/_emulator/clock/advance", json={"seconds": 15 * 60})
        assert advanced.status_code == 200
        assert (await client.put(urls["put_location"], content=PNG)).status_code == 403


async def test_chat_upload_needs_a_valid_token_of_that_meeting_and_a_valid_body(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    other = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice")
    async with anonymous(live) as client:
        no_token = await client.post(
            "/v2/meetings/chat-upload", json={"roomUUID": meeting, "filename": "a.png"}
        )
        assert no_token.status_code == 401 and no_token.json()["success"] is False
        bad_token = await upload_urls(client, "not-a-token", meeting)
        assert bad_token.status_code == 401
        wrong_meeting = await upload_urls(client, alice["token"], other)
        assert wrong_meeting.status_code == 403
        assert other in wrong_meeting.json()["error"]["message"]
        for body, words in (
            ({"filename": "a.png"}, "roomUUID"),
            ({"roomUUID": meeting}, "filename"),
            ({"roomUUID": meeting, "filename": "   "}, "filename"),
            ({"roomUUID": meeting, "filename": "a\x00.png"}, "control"),
            ({"roomUUID": meeting, "filename": "a.png", "expiry": "soon"}, "expiry"),
            ({"roomUUID": meeting, "filename": "a.png", "expiry": -5}, "expiry"),
        ):
            r = await client.post(
                "/v2/meetings/chat-upload", json=body, headers={"Authorization": f"Bearer {alice['token']}"}
            )
            assert r.status_code == 400, (body, r.text)
            assert words in r.json()["error"]["message"]
        not_json = await client.post(
            "/v2/meetings/chat-upload",
            content=b"{nope",
            headers={"Authorization": f"Bearer {alice['token']}"},
        )
        assert not_json.status_code == 400
        for number in (b"1e999", b"-1e999", b"NaN", b"Infinity"):  # Python's JSON reads all four
            odd = await client.post(
                "/v2/meetings/chat-upload",
                content=b'{"roomUUID": "%s", "filename": "a.png", "expiry": %s}' % (meeting.encode(), number),
                headers={"Authorization": f"Bearer {alice['token']}", "content-type": "application/json"},
            )
            assert odd.status_code == 400 and "expiry" in odd.json()["error"]["message"], (number, odd.text)
        unknown = await client.get(f"/_emulator/chat-files/{meeting}/x.png?expires=9999999999&sig=abc")
        assert unknown.status_code == 403
        for query in ("expires=%C2%B2&sig=a", "expires=1&sig=%FF", "expires=%EF%BC%91&sig=abc"):
            for method in ("GET", "PUT"):  # a superscript or full-width digit, a non-ASCII signature
                odd = await client.request(method, f"/_emulator/chat-files/{meeting}/x.png?{query}")
                assert odd.status_code == 403, (method, query, odd.text)
                assert odd.json()["success"] is False


async def test_a_preset_without_file_chat_cannot_get_upload_urls(live: LiveEmu) -> None:
    presets = (await live.rest("GET", "/presets")).json()["data"]
    guest = next(p for p in presets if p["name"] == "group_call_participant")
    patch = {"permissions": {"chat": {"public": {"files": False}, "private": {"files": False}}}}
    r = await live.rest("PATCH", f"/presets/{guest['id']}", json=patch)
    assert r.status_code == 200, r.text
    meeting = await live.create_meeting()
    guest_token = (await live.add_participant(meeting, "guest", preset="group_call_participant"))["token"]
    host_token = (await live.add_participant(meeting, "host"))["token"]
    async with anonymous(live) as client:
        refused = await upload_urls(client, guest_token, meeting)
        assert refused.status_code == 403
        assert "files in chat" in refused.json()["error"]["message"]
        assert (await upload_urls(client, host_token, meeting)).status_code == 200


async def test_an_oversized_upload_is_refused_with_413_declared_or_streamed(live: LiveEmu) -> None:
    live.app.state.chat_files = ChatFileStore(live.app.state.backend, max_bytes=1024)
    meeting = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * 512

    async with anonymous(live) as client:
        urls = (await upload_urls(client, alice["token"], meeting, "big.bin")).json()["data"]
        declared = await client.put(urls["put_location"], content=b"z" * 1025)
        assert declared.status_code == 413
        assert declared.json()["error"] == {
            "code": 413,
            "message": "Chat file is larger than the limit of 1024 bytes",
        }
        streamed = await client.put(urls["put_location"], content=chunks())  # chunked: no Content-Length
        assert streamed.status_code == 413
        assert (await client.get(urls["get_location"])).status_code == 404  # nothing was stored
        exactly = await client.put(urls["put_location"], content=b"z" * 1024)
        assert exactly.status_code == 200
        assert (await client.get(urls["get_location"])).content == b"z" * 1024


@asynccontextmanager
async def joined(
    live: LiveEmu, meeting: str, *names: str
) -> AsyncIterator[list[tuple[RawPeer, dict[str, Any]]]]:
    out: list[tuple[RawPeer, dict[str, Any]]] = []
    try:
        for name in names:
            participant = await live.add_participant(meeting, name.lower(), name)
            peer = RawPeer(live.ws_url, meeting, participant["token"])
            out.append((peer, participant))
            with anyio.fail_after(10):
                await peer.connect()
                await peer.join(name)
        yield out
    finally:
        for peer, _ in out:
            await peer.close()


async def test_image_to_the_room_and_a_private_file_reach_the_right_peers_and_the_export(
    live: LiveEmu,
) -> None:
    meeting = await live.create_meeting()
    async with joined(live, meeting, "Alice", "Bob", "Carol") as [(alice, a), (bob, b), (carol, _)]:
        async with anonymous(live) as client:
            image = (await upload_urls(client, a["token"], meeting, "cat.png")).json()["data"]
            await client.put(image["put_location"], content=PNG, headers={"Content-Type": "image/png"})
            notes = (await upload_urls(client, a["token"], meeting, "notes.txt")).json()["data"]
            await client.put(
                notes["put_location"], content=b"secret notes", headers={"Content-Type": "text/plain"}
            )
        file_payload = json.dumps({"link": notes["get_location"], "name": "notes.txt", "size": 12})
        with anyio.fail_after(10):
            await alice.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM,
                chat_pb2.SendChatMessageToRoomRequest(payload_type=1, payload=image["get_location"]),
            )
            for peer in (bob, carol):
                (got,) = await peer.wait_push(
                    ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomResponse
                )
                assert (got.message.payload_type, got.message.payload) == (1, image["get_location"])
            await alice.send(
                ChatEvent.SEND_MESSAGE_TO_PEERS,
                chat_pb2.SendChatMessageToPeersRequest(
                    peer_ids=[bob.peer_id, alice.peer_id], payload_type=2, payload=file_payload
                ),
            )
            (private,) = await bob.wait_push(
                ChatEvent.SEND_MESSAGE_TO_PEERS, chat_pb2.SendChatMessageToPeersResponse
            )
            assert (private.message.payload_type, private.message.payload) == (2, file_payload)
            await alice.wait_push(ChatEvent.SEND_MESSAGE_TO_PEERS, chat_pb2.SendChatMessageToPeersResponse)
            # a later room message reaches Carol after anything sent to her before it
            await alice.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="done")
            )
            await carol.wait_push(
                ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomResponse, count=2
            )
        assert ChatEvent.SEND_MESSAGE_TO_PEERS not in carol.pushes
        async with anonymous(live) as client:
            link = json.loads(private.message.payload)["link"]
            assert (await client.get(link)).content == b"secret notes"
        session_id = (await live.rest("GET", f"/meetings/{meeting}/active-session")).json()["data"]["id"]
        export = (await live.rest("GET", f"/sessions/{session_id}/chat")).json()["data"]
        rows = list(csv.DictReader(io.StringIO((await live.client.get(export["chat_download_url"])).text)))
    assert [(r["payloadType"], r["payload"], r["participantId"]) for r in rows] == [
        ("image", image["get_location"], a["id"]),
        ("file", notes["get_location"], a["id"]),
        ("text", "done", a["id"]),
    ]
    assert [set(filter(None, r["targetParticipantIds"].split(","))) for r in rows] == [
        set(),
        {b["id"], a["id"]},
        set(),
    ]
    async with anonymous(live) as client:
        assert (await client.get(rows[0]["payload"])).content == PNG


async def test_with_a_data_directory_the_bytes_are_files_there_and_a_reset_forgets_them(
    live: LiveEmu, tmp_path: Path
) -> None:
    store = ChatFileStore(live.app.state.backend, directory=tmp_path / "chat-files")
    live.app.state.chat_files = store
    meeting = await live.create_meeting()
    alice = await live.add_participant(meeting, "alice")
    async with anonymous(live) as client:
        urls = (await upload_urls(client, alice["token"], meeting)).json()["data"]
        assert (await client.put(urls["put_location"], content=PNG)).status_code == 200
        (stored,) = (tmp_path / "chat-files").iterdir()
        assert stored.read_bytes() == PNG and stored.suffix == ".bin"
        assert (await client.get(urls["get_location"])).content == PNG
        assert (await live.client.post("/_emulator/reset")).status_code == 200
        assert not (tmp_path / "chat-files").exists()
        assert (await client.get(urls["get_location"])).status_code == 404


def test_an_on_disk_database_keeps_chat_files_next_to_it_and_memory_keeps_them_in_memory(
    tmp_path: Path,
) -> None:
    on_disk = EmulatorBackend(EmulatorConfig(db_path=str(tmp_path / "emu.sqlite3")))
    try:
        assert ChatFileStore(on_disk).directory == tmp_path / "emu.sqlite3.chat-files"
    finally:
        on_disk.store.close()
    assert ChatFileStore(EmulatorBackend(EmulatorConfig())).directory is None
