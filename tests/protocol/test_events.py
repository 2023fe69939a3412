"""Event numbers agree with the reference (shared/reference/realtimekit-live-protocol.md, A.3)."""

from __future__ import annotations

import pytest

from realtimekit_mcp.protocol.events import (
    CF_MEDIA_BASE,
    ERROR_EVENT,
    EVENT_PAYLOADS,
    ChatEvent,
    MediaEvent,
    PluginEvent,
    PollEvent,
    PresetEvent,
    RoomEvent,
    event_name,
    media_event,
    namespaced,
)
from realtimekit_mcp.protocol.messages import message_class

# Numbers exactly as the reference lists them.
REFERENCE = {
    RoomEvent.GET_PEER_INFO: 0,
    RoomEvent.UPDATE_PEER_INFO: 1,
    RoomEvent.GET_ROOM_PEERS_INFO: 2,
    RoomEvent.JOIN_ROOM: 3,
    RoomEvent.LEAVE_ROOM: 4,
    RoomEvent.GET_ROOM_INFO: 5,
    RoomEvent.BROADCAST_MESSAGE: 29,
    RoomEvent.KICK: 30,
    RoomEvent.KICK_ALL: 31,
    RoomEvent.TRANSCRIPT: 32,
    RoomEvent.GET_WAITING_ROOM_REQUESTS: 33,
    RoomEvent.BROADCAST_TO_ENTITY: 39,
    RoomEvent.RECORDING_STARTED: 40,
    RoomEvent.GET_ROOM_STAGE_STATE: 43,
    RoomEvent.LIVESTREAMING_INVOKED: 44,
    ChatEvent.GET_MESSAGES: 65536,
    ChatEvent.SEND_MESSAGE_TO_ROOM: 65537,
    ChatEvent.SEND_MESSAGE_TO_PEERS: 65538,
    ChatEvent.EDIT_MESSAGE: 65539,
    ChatEvent.DELETE_MESSAGE: 65540,
    ChatEvent.GET_PAGINATED_MESSAGES: 65541,
    ChatEvent.SEARCH_CHANNEL_MESSAGES: 65543,
    ChatEvent.PIN_MESSAGE: 65546,
    PluginEvent.GET_PLUGINS: 131072,
    PluginEvent.STORE_GET_KEYS: 0x0002000A,
    PollEvent.CREATE_POLL: 196608,
    PresetEvent.GET_USER_PRESETS: 327680,
    PresetEvent.UPDATE_USER_PRESET: 327681,
    MediaEvent.CREATE_WEBRTC_TRANSPORT: 50331649,
    MediaEvent.PRODUCE: 50331650,
    MediaEvent.CONSUME: 50331651,
    MediaEvent.TOGGLE_PRODUCER: 50331652,
    MediaEvent.TOGGLE_CONSUMER: 50331653,
    MediaEvent.CLOSE_PRODUCER: 50331654,
    MediaEvent.CLOSE_CONSUMER: 50331655,
    MediaEvent.UPDATE_CONSUMERS_SIMULCAST_CONFIG: 50331656,
    MediaEvent.JOIN_ROOM: 50331664,
    MediaEvent.LEAVE_ROOM: 50331665,
    MediaEvent.SELECTED_PEER: 50331666,
    MediaEvent.SELF_JOIN_COMPLETE: 50331668,
    MediaEvent.PEER_JOINED_BROADCAST: 50331673,
    MediaEvent.PEER_LEAVE_BROADCAST: 50331674,
    MediaEvent.PEER_PRODUCER_CREATE_BROADCAST: 50331675,
    MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST: 50331676,
    MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST: 50331677,
    MediaEvent.MEDIA_ROOM_TERMINATION_BROADCAST: 50331684,
    MediaEvent.SELECTED_PEER_DIFF: 50331688,
    MediaEvent.RENEGOTIATE_SESSION_DESCRIPTION: 50331698,
    MediaEvent.ERROR_RESPONSE: 50331708,
    MediaEvent.KICK_PEER: 50331738,
    MediaEvent.KICK_ALL: 50331739,
    MediaEvent.CHANGE_DISPLAY_NAME: 50331740,
    MediaEvent.HOST_CONTROL_PEER: 50331741,
    MediaEvent.HOST_CONTROL_ALL_PEERS: 50331742,
    MediaEvent.AUDIO_ACTIVITY: 50331748,
}


@pytest.mark.parametrize(("event", "number"), REFERENCE.items(), ids=lambda v: getattr(v, "name", str(v)))
def test_event_number_matches_the_reference(event: int, number: int) -> None:
    assert event == number


def test_error_event_is_65535() -> None:
    assert ERROR_EVENT == 65535


def test_namespaces_compose_as_the_sdk_does() -> None:
    assert namespaced(1, 2) == 65538
    assert media_event(20) == CF_MEDIA_BASE | 20 == 0x03000014
    assert media_event(20, base=0x01000000) == 16777236


def test_event_numbers_are_unique_across_all_groups() -> None:
    groups = (RoomEvent, ChatEvent, PluginEvent, PollEvent, PresetEvent, MediaEvent)
    numbers = [int(m) for enum in groups for m in enum]
    numbers.append(ERROR_EVENT)
    assert len(numbers) == len(set(numbers))


def test_every_payload_in_the_event_table_is_a_generated_message() -> None:
    for payloads in EVENT_PAYLOADS.values():
        for name in (payloads.request, payloads.response):
            if name is not None:
                assert message_class(name).DESCRIPTOR.full_name == name


def test_event_table_names_the_kick_mute_and_end_pushes() -> None:
    assert EVENT_PAYLOADS[RoomEvent.KICK].response == "socket.room.PeerInfoResponse"
    assert EVENT_PAYLOADS[RoomEvent.KICK_ALL].response == "socket.room.PeerInfoResponse"
    toggle = EVENT_PAYLOADS[MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST]
    assert toggle.response == "media.edge.PeerProducerToggleBroadcastResponse"
    assert EVENT_PAYLOADS[RoomEvent.TRANSCRIPT].response == "socket.ai.MeetingTranscript"


# The host features of issue 6, as SDK 2.0.2's socket handlers encode and decode them.
HOST_FEATURES = {
    RoomEvent.GET_WAITING_ROOM_REQUESTS: (None, "socket.room.GetWaitingRoomRequests"),
    RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS: ("socket.room.AcceptWaitingRoomRequests", None),
    RoomEvent.DENY_WAITING_ROOM_REQUESTS: ("socket.room.DenyWaitingRoomRequests", None),
    RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED: (None, None),
    RoomEvent.WAITING_ROOM_REQUEST_DENIED: (None, None),
    RoomEvent.GRANT_STAGE_ACCESS: ("socket.livestreaming.GrantStageAccessRequest", None),
    RoomEvent.DENY_STAGE_ACCESS: ("socket.livestreaming.DenyStageAccessRequest", None),
    RoomEvent.REQUEST_STAGE_ACCESS: (None, "socket.livestreaming.GetStageRequestsResponse"),
    RoomEvent.PEER_STAGE_STATUS_UPDATE: (None, "socket.room.PeerStatusUpdate"),
    PollEvent.CREATE_POLL: ("socket.polls.NewPollRequest", "socket.polls.UpdatePollResponse"),
    PollEvent.VOTE_POLL: ("socket.polls.VotePollRequest", "socket.polls.UpdatePollResponse"),
    PollEvent.UPDATE_POLL: (None, "socket.polls.UpdatePollResponse"),
    PollEvent.GET_POLLS: (None, "socket.polls.GetPollsResponse"),
    PluginEvent.STORE_INSERT_KEYS: (
        "socket.plugin.PluginStoreInsertKeysRequest",
        "socket.plugin.PluginStoreResponse",
    ),
    PluginEvent.STORE_DELETE_KEYS: (
        "socket.plugin.PluginStoreDeleteKeysRequest",
        "socket.plugin.PluginStoreResponse",
    ),
    MediaEvent.GLOBAL_PIN_PEER: (
        "media.edge.GlobalPeerPinningRequest",
        "media.edge.GlobalPeerPinningResponse",
    ),
    MediaEvent.GLOBAL_PEER_PIN_BROADCAST: (None, "media.edge.GlobalPeerPinningBroadcastResponse"),
}


@pytest.mark.parametrize("event", list(HOST_FEATURES), ids=event_name)
def test_event_table_names_the_host_feature_payloads(event: int) -> None:
    payloads = EVENT_PAYLOADS[event]
    assert (payloads.request, payloads.response) == HOST_FEATURES[event]


def test_poll_events_are_namespace_three() -> None:
    assert [int(e) for e in PollEvent] == [196608, 196609, 196610, 196611]
    assert event_name(196610) == "PollEvent.VOTE_POLL"


def test_unknown_message_name_raises_key_error() -> None:
    with pytest.raises(KeyError, match="no protocol message"):
        message_class("media.edge.NoSuchThing")


@pytest.mark.parametrize(
    ("number", "name"),
    [
        (50331650, "MediaEvent.PRODUCE"),
        (3, "RoomEvent.JOIN_ROOM"),
        (65537, "ChatEvent.SEND_MESSAGE_TO_ROOM"),
        (65535, "ERROR"),
        (0x01000002, "HiveMedia.2"),
        (0x04000001, "unknown(67108865)"),
    ],
)
def test_event_name_is_readable(number: int, name: str) -> None:
    assert event_name(number) == name
