"""The edge enforces the chat permissions of the sender's preset (and the private receiver's)."""

from __future__ import annotations

import anyio
import pytest

from realtimekit_mcp.protocol import chat_pb2, room_pb2
from realtimekit_mcp.protocol.events import ChatEvent, RoomEvent
from tests.presets import make_preset

from .conftest import LiveEmu
from .hostkit import connect, refused, room_join

pytestmark = pytest.mark.anyio


def chat_rights(*, public: dict[str, bool], private: dict[str, bool]) -> dict[str, dict[str, bool]]:
    base_public = {"can_send": True, "text": True, "files": True}
    base_private = {"can_send": True, "can_receive": True, "text": True, "files": True}
    return {"public": {**base_public, **public}, "private": {**base_private, **private}}


async def test_chat_is_refused_where_the_preset_does_not_allow_it_and_nobody_gets_it(live: LiveEmu) -> None:
    meeting = await live.create_meeting()
    mute = await make_preset(
        live,
        "no_public_chat",
        chat=chat_rights(public={"can_send": False}, private={"files": False, "can_receive": False}),
    )
    quiet = await connect(live, meeting, "quiet", mute)
    talker = await connect(live, meeting, "talker", "group_call_participant")
    try:
        with anyio.fail_after(15):
            quiet_peer = await room_join(quiet, "Quiet")
            await room_join(talker, "Talker")
            # Public chat: the preset says no, with the protocol error naming the permission.
            error = await refused(
                quiet, ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="hello")
            )
            assert (error.code, error.message) == (
                403,
                "The preset of this participant does not allow chat.public.can_send",
            )
            # Private text is allowed, a private image is not (chat.private.files is false).
            to_talker = chat_pb2.SendChatMessageToPeersRequest(
                peer_ids=[talker.peer_id], payload_type=1, payload="http://127.0.0.1/x.png"
            )
            error = await refused(quiet, ChatEvent.SEND_MESSAGE_TO_PEERS, to_talker)
            assert error.message.endswith("does not allow chat.private.files")
            await quiet.send(
                ChatEvent.SEND_MESSAGE_TO_PEERS,
                chat_pb2.SendChatMessageToPeersRequest(peer_ids=[talker.peer_id], payload="psst"),
            )
            (got,) = await talker.wait_push(
                ChatEvent.SEND_MESSAGE_TO_PEERS, chat_pb2.SendChatMessageToPeersResponse
            )
            assert got.message.payload == "psst"
            # The quiet peer's preset may not receive private messages: sending it one is refused.
            error = await refused(
                talker,
                ChatEvent.SEND_MESSAGE_TO_PEERS,
                chat_pb2.SendChatMessageToPeersRequest(peer_ids=[quiet_peer.peer_id], payload="hi"),
            )
            assert error.message == (
                f"These peers' presets do not allow chat.private.can_receive: {quiet_peer.peer_id}"
            )
            # Nothing refused reached anyone: the talker's history has only the allowed message.
            history = await talker.request(ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse)
            assert [m.payload for m in history.messages] == ["psst"]
            assert ChatEvent.SEND_MESSAGE_TO_ROOM not in talker.pushes
            info = await quiet.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
            assert info.room.room_id == meeting  # a refusal does not cost the peer its place
    finally:
        await quiet.close()
        await talker.close()
