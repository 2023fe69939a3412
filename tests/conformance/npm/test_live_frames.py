"""What the emulator really sends for the meeting features, read by the official SDK bundle.

Three bots meet on the emulator: a host, a guest who waits in the waiting room and is let in, and
one who is turned away. The host pins the guest, runs a poll the guest votes on, activates a
plugin and shares its screen; the guest posts an image and is refused a host action. Every binary
frame the bots receive is recorded at their sockets, then handed to @cloudflare/realtimekit
2.0.2's own SocketMessage and payload types (encode.mjs): the SDK must read each frame as we do
(same event, id and payload, decoded equal to our reading), and build the same bytes from it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet

from realtimekit_mcp.bot import BotParticipant, BotState, HostActionError
from realtimekit_mcp.bot.signalling import WebSocketLike, default_connect
from realtimekit_mcp.protocol.events import (
    ERROR_EVENT,
    EVENT_PAYLOADS,
    MediaEvent,
    PluginEvent,
    PollEvent,
    RoomEvent,
)
from realtimekit_mcp.protocol.framing import decode_frame
from realtimekit_mcp.protocol.messages import message_class
from tests.bot.conftest import Live
from tests.bot.conftest import live as live  # the fixture
from tests.media_files import write_png
from tests.presets import make_preset

from ._bridge import OfficialSDK

pytestmark = pytest.mark.anyio

ERROR_TYPES = {ERROR_EVENT: "socket.api.ErrorMessage", MediaEvent.ERROR_RESPONSE: "media.edge.ErrorResponse"}


class Tap:
    """A bot's socket that keeps a copy of every binary frame it receives."""

    def __init__(self, ws: WebSocketLike, frames: list[bytes]) -> None:
        self._ws = ws
        self._frames = frames

    async def send(self, message: str | bytes) -> None:
        await self._ws.send(message)

    async def recv(self) -> str | bytes:
        message = await self._ws.recv()
        if isinstance(message, bytes):
            self._frames.append(message)
        return message

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code, reason)


async def _bot(live: Live, meeting: str, name: str, preset: str, frames: list[bytes]) -> BotParticipant:
    async def connect(url: str) -> WebSocketLike:
        return Tap(await default_connect(url), frames)

    return await live.bot(meeting, name, preset=preset, join=False, connect=connect)


def unknown_fields(message: Message, path: str = "") -> list[str]:
    """Paths of fields present in the bytes but not in the type (a sign of the wrong type)."""
    found = [f"{path or '.'}#{len(UnknownFieldSet(message))}"] if len(UnknownFieldSet(message)) else []
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            items = list(value.values()) if value_field.message_type is not None else []
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            found += unknown_fields(item, f"{path}.{field.name}")
    return found


def payload_type(event: int) -> str | None:
    """The proto name of what the server sends on ``event`` (None: no payload)."""
    if event in ERROR_TYPES:
        return ERROR_TYPES[event]
    return EVENT_PAYLOADS[event].response


async def test_the_official_sdk_reads_every_frame_the_emulator_sends_for_the_meeting_features(
    live: Live, official_sdk: OfficialSDK, tmp_path: Path
) -> None:
    frames: list[bytes] = []
    meeting = await live.meeting()
    lobby = await make_preset(live, "lobby", waiting_room_type="ON_PRIVILEGED_USER_ENTRY")
    host = await _bot(live, meeting, "host", "group_call_host", frames)
    guest = await _bot(live, meeting, "guest", lobby, frames)
    turned_away = await _bot(live, meeting, "late", lobby, frames)
    image = tmp_path / "slide.png"
    write_png(image, 2, 2)
    with anyio.fail_after(60):
        await host.join()
        await guest.join()
        await turned_away.join()
        assert guest.state is BotState.WAITLISTED and turned_away.state is BotState.WAITLISTED
        await host.wait_event("waitlist_added", where=lambda e: e.data.get("name") == "late")
        await host.host.admit([guest.participant_id])
        await guest.wait_event("joined")
        await host.host.reject([turned_away.participant_id])
        await turned_away.ended
        await host.host.pin(guest.participant_id)
        await guest.wait_event("pinned")
        poll = await host.polls.create("Ship it?", ["Yes", "No"])
        await guest.wait_event("poll")
        await guest.polls.vote(poll["id"], "Yes")
        await host.wait_event("poll", where=lambda e: e.data.get("votes") == 1)
        plugin = (await host.plugins.catalogue())[0]
        await host.plugins.activate(plugin["id"])
        await guest.wait_event("plugin_activated")
        await guest.chat_files.send_image(image)
        await host.wait_event("chat", where=lambda e: e.data.get("kind") == "image")
        await host.publish_screenshare(image)
        await guest.wait_event("producer_added", where=lambda e: e.data.get("kind") == "video")
        with pytest.raises(HostActionError):
            await guest.host.kick(host.participant_id)

    decoded = [decode_frame(raw) for raw in frames]
    seen = Counter(frame.event for frame in decoded)
    # The features this test is about really crossed the wire.
    for event in (
        RoomEvent.GET_WAITING_ROOM_REQUESTS,
        RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
        RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED,
        RoomEvent.WAITING_ROOM_REQUEST_DENIED,
        MediaEvent.GLOBAL_PEER_PIN_BROADCAST,
        PollEvent.CREATE_POLL,
        PollEvent.VOTE_POLL,
        PluginEvent.STORE_INSERT_KEYS,
        MediaEvent.PEER_PRODUCER_CREATE_BROADCAST,
        ERROR_EVENT,
    ):
        assert seen[event] >= 1, f"no frame of event {event} was received"

    ops: list[dict[str, Any]] = []
    for raw, frame in zip(frames, decoded, strict=True):
        name = payload_type(frame.event)
        typed: dict[str, Any] = {}
        if name is not None and frame.payload is not None:
            message = message_class(name)()
            message.ParseFromString(frame.payload)
            strays = unknown_fields(message)
            assert strays == [], f"event {frame.event}: payload is not a clean {name}: {strays}"
            typed = {"type": name, "json": json_format.MessageToDict(message)}
        ops.append({"op": "unframe", "hex": raw.hex(), **typed})
        frame_op: dict[str, Any] = {"op": "frame", "event": frame.event, **typed}
        if frame.id is not None:
            frame_op["id"] = frame.id
        if frame.metadata is not None:
            frame_op["metadata"] = frame.metadata.decode()
        ops.append(frame_op)
    results = official_sdk.run(ops)

    mismatches: list[str] = []
    for i, (raw, frame) in enumerate(zip(frames, decoded, strict=True)):
        read, built = results[2 * i], results[2 * i + 1]
        if (read["event"], read["id"]) != (frame.event, frame.id):
            mismatches.append(f"event {frame.event}: the SDK read event {read['event']} id {read['id']}")
        if read["payload"] != (None if frame.payload is None else frame.payload.hex()):
            mismatches.append(f"event {frame.event}: the SDK read another payload")
        if read.get("equal") is False:
            mismatches.append(f"event {frame.event}: the SDK decodes the payload differently from us")
        if built["hex"] != raw.hex():
            mismatches.append(f"event {frame.event}: the SDK builds other bytes for the same frame")
    assert len(frames) >= 30
    assert mismatches == []
