"""Image and file chat between bots over the emulator (issue 6 item 4): upload, chat event, fetch."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from realtimekit_mcp.bot.chat_files import ChatFileError
from realtimekit_mcp.bot.participant import BotEvent

from ..media_files import write_png
from .conftest import Live

pytestmark = pytest.mark.anyio


def is_image(event: BotEvent) -> bool:
    return event.data.get("kind") == "image"


async def test_an_image_from_bot_a_reaches_bot_b_which_fetches_the_same_bytes(
    live: Live, tmp_path: Path
) -> None:
    png = write_png(tmp_path / "cat.png")
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    with anyio.fail_after(10):
        url = await a.chat_files.send_image(tmp_path / "cat.png")
        got = await b.wait_event("chat", where=is_image)
        sent = await a.wait_event("chat_sent")
        fetched = await b.chat_files.fetch(got.data["url"])
    assert url.startswith(live.origin + "/")
    assert got.data["url"] == url and got.data["private"] is False
    assert got.data["from_participant_id"] == a.participant_id
    assert sent.data["kind"] == "image" and sent.data["url"] == url and sent.data["to"] is None
    assert fetched == png
    (received,) = b.status()["chat_files"]["recent"]
    assert (received["kind"], received["url"], received["direction"]) == ("image", url, "received")
    assert a.status()["chat_files"]["sent"] == 1


async def test_a_private_image_reaches_only_its_recipient(live: Live, tmp_path: Path) -> None:
    write_png(tmp_path / "secret.png")
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    c = await live.bot(m, "carol")
    with anyio.fail_after(10):
        url = await a.chat_files.send_image(tmp_path / "secret.png", to=[b.participant_id])
        got = await b.wait_event("chat", where=is_image)
        await a.send_chat("that was all")  # Carol gets this after anything sent to her before it
        await c.wait_event("chat", where=lambda e: e.data.get("text") == "that was all")
    assert got.data["private"] is True and got.data["url"] == url
    assert [e for e in c.events_since(0) if e.type == "chat" and is_image(e)] == []
    assert c.status()["chat_files"]["received"] == 0


async def test_a_file_message_carries_link_name_and_size_and_round_trips(live: Live, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("agenda: ship issue 6\n")
    m = await live.meeting()
    a = await live.bot(m, "alice")
    b = await live.bot(m, "bob")
    with anyio.fail_after(10):
        url = await a.chat_files.send_file(notes)
        got = await b.wait_event("chat", where=lambda e: e.data.get("kind") == "file")
        fetched = await b.chat_files.fetch(got.data["url"])  # a URL, or the SDK's file JSON
    assert got.data["payload_type"] == 2
    assert (got.data["url"], got.data["file_name"], got.data["size"]) == (
        url,
        "notes.txt",
        len(notes.read_bytes()),
    )
    assert fetched == notes.read_bytes()
    received = b.status()["chat_files"]["recent"][-1]
    assert (received["kind"], received["url"], received["name"], received["size"]) == (
        "file",
        url,
        "notes.txt",
        len(notes.read_bytes()),
    )


async def test_fetch_refuses_other_origins_and_oversized_files(live: Live, tmp_path: Path) -> None:
    png = write_png(tmp_path / "cat.png")
    m = await live.meeting()
    a = await live.bot(m, "alice")
    with anyio.fail_after(10):
        url = await a.chat_files.send_image(tmp_path / "cat.png")
        for foreign in (
            "http://169.254.169.254/latest/meta-data",
            url.replace("127.0.0.1", "localhost"),
            "file:///etc/passwd",
            "not a url",
        ):
            with pytest.raises(ChatFileError, match="only chat files on the bot's API origin"):
                await a.chat_files.fetch(foreign)
        with pytest.raises(ChatFileError, match="max_bytes"):
            await a.chat_files.fetch(url, max_bytes=len(png) - 1)
        assert await a.chat_files.fetch(url, max_bytes=len(png)) == png
        with pytest.raises(ChatFileError, match="HTTP 403"):
            await a.chat_files.fetch(url.replace("sig=", "sig=0"))


async def test_sending_refuses_what_is_not_an_image_missing_files_and_unknown_recipients(
    live: Live, tmp_path: Path
) -> None:
    (tmp_path / "fake.png").write_text("not a picture")
    m = await live.meeting()
    a = await live.bot(m, "alice")
    with anyio.fail_after(10):
        with pytest.raises(ChatFileError, match="not a PNG, JPEG or GIF"):
            await a.chat_files.send_image(tmp_path / "fake.png")
        with pytest.raises(ChatFileError, match="no such file"):
            await a.chat_files.send_file(tmp_path / "missing.pdf")
        with pytest.raises(KeyError):
            await a.chat_files.send_file(tmp_path / "fake.png", to=["nobody"])
    assert a.status()["chat_files"]["sent"] == 0


async def test_a_preset_without_file_chat_is_refused_with_the_servers_reason(
    live: Live, tmp_path: Path
) -> None:
    write_png(tmp_path / "cat.png")
    presets = (await live.rest("GET", "/presets")).json()["data"]
    host = next(p for p in presets if p["name"] == "group_call_host")
    patch = {"permissions": {"chat": {"public": {"files": False}, "private": {"files": False}}}}
    assert (await live.rest("PATCH", f"/presets/{host['id']}", json=patch)).status_code == 200
    m = await live.meeting()
    a = await live.bot(m, "alice")
    with anyio.fail_after(10), pytest.raises(ChatFileError, match=r"HTTP 403.*does not allow sending files"):
        await a.chat_files.send_image(tmp_path / "cat.png")
