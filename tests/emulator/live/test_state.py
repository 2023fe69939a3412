"""Pure state of the live plane: who sees which chat, sessions reset history, peers come and go."""

from __future__ import annotations

from realtimekit_mcp.emulator.live import CHAT_HISTORY_LIMIT, ChatEntry, LivePeer, LiveState, Room
from realtimekit_mcp.emulator.sfu import last_mid_of_kind


def _peer(peer_id: str, *, room: bool = True, media: bool = False) -> LivePeer:
    return LivePeer(
        peer_id=peer_id,
        participant_id=f"user-{peer_id}",
        meeting_id="m1",
        app_id="a1",
        display_name=peer_id,
        room_joined=room,
        media_complete=media,
    )


def _chat(peer_id: str, text: str, *targets: str) -> ChatEntry:
    return ChatEntry("c-" + text, peer_id, "u", peer_id, 0, text, 1, targets)


def test_private_messages_are_visible_to_sender_and_targets_only() -> None:
    room = Room("m1", chat=[_chat("a", "all"), _chat("a", "to-b", "b")])
    assert [e.payload for e in room.history_for("b")] == ["all", "to-b"]
    assert [e.payload for e in room.history_for("a")] == ["all", "to-b"]
    assert [e.payload for e in room.history_for("c")] == ["all"]


def test_a_new_session_starts_with_an_empty_chat_but_the_same_session_keeps_it() -> None:
    room = Room("m1")
    room.enter_session("s1")
    room.chat.append(_chat("a", "hello"))
    room.enter_session("s1")
    assert len(room.chat) == 1
    room.enter_session("s2")
    assert room.chat == []


def test_members_are_split_by_join_stage_and_exclusion() -> None:
    state = LiveState()
    for peer in (_peer("a", media=True), _peer("b", room=False, media=True), _peer("c")):
        state.add(peer)
    room = state.rooms["m1"]
    assert [p.peer_id for p in room.room_members()] == ["a", "c"]
    assert [p.peer_id for p in room.room_members(exclude="a")] == ["c"]
    assert [p.peer_id for p in room.media_members()] == ["a", "b"]


def test_discarding_a_replaced_peer_object_keeps_its_successor() -> None:
    state = LiveState()
    old, new = _peer("a"), _peer("a")
    state.add(old)
    state.add(new)
    state.discard(old)
    assert state.peers["a"] is new
    state.discard(new)
    assert state.peers == {} and state.rooms == {}


def test_the_last_m_line_of_a_kind_gives_the_mid() -> None:
    lines = [
        "v=0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96",
        "a=mid:0",
        "m=video 9 UDP/TLS/RTP/SAVPF 97",
        "a=mid:1",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96",
        "a=mid:2",
        "",
    ]
    sdp = "\r\n".join(lines)
    assert last_mid_of_kind(sdp, "audio") == "2"
    assert last_mid_of_kind(sdp, "video") == "1"
    assert last_mid_of_kind(sdp, "application") is None


def test_room_history_keeps_the_newest_messages_only() -> None:
    room = Room("m1")
    for i in range(CHAT_HISTORY_LIMIT + 5):
        room.add_chat(_chat("a", str(i)))
    assert len(room.chat) == CHAT_HISTORY_LIMIT
    assert room.chat[0].payload == "5"
