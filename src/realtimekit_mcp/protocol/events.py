"""Event numbers of the RealtimeKit socket edge, as ``@cloudflare/realtimekit`` 2.0.2 uses them.

Every binary frame is a ``message.v1.SocketMessage`` whose ``event`` says what its ``payload`` is.
A request and its reply share the same event and id; pushes from the server carry an event and no
id. Events are grouped into namespaces:

* room, chat, plugin, poll and preset events are ``(namespace << 16) + n`` (:func:`namespaced`);
* media events are ``0x03000000 | n`` for Cloudflare's SFU ("CF"); the retired "HIVE" SFU used
  ``0x01000000 | n``. SDK 2.0.2 sends only CF events (:func:`media_event`);
* :data:`ERROR_EVENT` (65535) carries a ``socket.api.ErrorMessage`` for a failed request.

:data:`EVENT_PAYLOADS` records, for the events this project sends or receives, the protobuf message
in each direction (full proto names; resolve them with :func:`realtimekit_mcp.protocol.messages.message_class`).

This module is pure Python and imports no protobuf code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "CF_MEDIA_BASE",
    "ERROR_EVENT",
    "EVENT_PAYLOADS",
    "HIVE_MEDIA_BASE",
    "ChatEvent",
    "EventPayloads",
    "MediaEvent",
    "PluginEvent",
    "PollEvent",
    "PresetEvent",
    "RoomEvent",
    "event_name",
    "media_event",
    "namespaced",
]

ROOM_NAMESPACE: Final = 0
CHAT_NAMESPACE: Final = 1
PLUGIN_NAMESPACE: Final = 2
POLL_NAMESPACE: Final = 3
PRESET_NAMESPACE: Final = 5

CF_MEDIA_BASE: Final = 0x03000000
"""Media events for Cloudflare's SFU: ``CF_MEDIA_BASE | n``."""
HIVE_MEDIA_BASE: Final = 0x01000000
"""Media events of the legacy HIVE SFU (not sent by SDK 2.0.2; listed for recognition only)."""

ERROR_EVENT: Final = 65535
"""Generic error reply: ``socket.api.ErrorMessage`` with the failed request's id."""


def namespaced(namespace: int, n: int) -> int:
    """The event number of item ``n`` of a room/chat/plugin/poll/preset namespace."""
    return (namespace << 16) + n


def media_event(n: int, *, base: int = CF_MEDIA_BASE) -> int:
    """The event number of media item ``n`` (CF SFU unless another ``base`` is given)."""
    return base | n


class RoomEvent(IntEnum):
    """Room events (namespace 0). Payload types for the ones we use are in :data:`EVENT_PAYLOADS`."""

    GET_PEER_INFO = namespaced(ROOM_NAMESPACE, 0)
    UPDATE_PEER_INFO = namespaced(ROOM_NAMESPACE, 1)
    GET_ROOM_PEERS_INFO = namespaced(ROOM_NAMESPACE, 2)
    JOIN_ROOM = namespaced(ROOM_NAMESPACE, 3)
    LEAVE_ROOM = namespaced(ROOM_NAMESPACE, 4)
    GET_ROOM_INFO = namespaced(ROOM_NAMESPACE, 5)
    UPDATE_ROOM_INFO = namespaced(ROOM_NAMESPACE, 6)
    CLOSE_ROOM = namespaced(ROOM_NAMESPACE, 7)
    STARTED_LIVESTREAM = namespaced(ROOM_NAMESPACE, 8)
    STOPPED_LIVESTREAM = namespaced(ROOM_NAMESPACE, 9)
    ERRORED_LIVESTREAM = namespaced(ROOM_NAMESPACE, 10)
    GET_STAGE_PEERS = namespaced(ROOM_NAMESPACE, 11)
    GET_STAGE_REQUESTS = namespaced(ROOM_NAMESPACE, 12)
    REQUEST_STAGE_ACCESS = namespaced(ROOM_NAMESPACE, 13)
    CANCEL_STAGE_REQUEST = namespaced(ROOM_NAMESPACE, 14)
    GRANT_STAGE_ACCESS = namespaced(ROOM_NAMESPACE, 15)
    DENY_STAGE_ACCESS = namespaced(ROOM_NAMESPACE, 16)
    ROOM_PEER_COUNT = namespaced(ROOM_NAMESPACE, 17)
    JOIN_STAGE = namespaced(ROOM_NAMESPACE, 18)
    LEAVE_STAGE = namespaced(ROOM_NAMESPACE, 19)
    GET_CONNECTED_ROOMS_DUMP = namespaced(ROOM_NAMESPACE, 20)
    CREATE_CONNECTED_ROOMS = namespaced(ROOM_NAMESPACE, 21)
    DELETE_CONNECTED_ROOMS = namespaced(ROOM_NAMESPACE, 22)
    MOVE_PEERS = namespaced(ROOM_NAMESPACE, 23)
    TRANSFER_PEER = namespaced(ROOM_NAMESPACE, 24)
    MOVED_PEER = namespaced(ROOM_NAMESPACE, 25)
    CONNECTED_ROOMS_UPDATED = namespaced(ROOM_NAMESPACE, 26)
    CONNECTED_ROOMS_DELETED = namespaced(ROOM_NAMESPACE, 27)
    GET_ALL_ADDED_PARTICIPANTS = namespaced(ROOM_NAMESPACE, 28)
    BROADCAST_MESSAGE = namespaced(ROOM_NAMESPACE, 29)
    """Custom app event to the whole room (request and push)."""
    KICK = namespaced(ROOM_NAMESPACE, 30)
    """Request: kick peers. Push to the kicked peer: it has been removed."""
    KICK_ALL = namespaced(ROOM_NAMESPACE, 31)
    """Request: kick everyone. Push: the meeting was ended for everyone (the SDK's state "ended")."""
    TRANSCRIPT = namespaced(ROOM_NAMESPACE, 32)
    """Push of a ``socket.ai.MeetingTranscript`` when the meeting transcribes."""
    GET_WAITING_ROOM_REQUESTS = namespaced(ROOM_NAMESPACE, 33)
    """Request (no payload) and push to hosts: the whole current waitlist."""
    ACCEPT_WAITING_ROOM_REQUESTS = namespaced(ROOM_NAMESPACE, 34)
    WAITING_ROOM_REQUEST_ACCEPTED = namespaced(ROOM_NAMESPACE, 35)
    """Push to a waitlisted peer: it was admitted."""
    DENY_WAITING_ROOM_REQUESTS = namespaced(ROOM_NAMESPACE, 36)
    WAITING_ROOM_REQUEST_DENIED = namespaced(ROOM_NAMESPACE, 37)
    """Push to a waitlisted peer: it was rejected."""
    PEER_STAGE_STATUS_UPDATE = namespaced(ROOM_NAMESPACE, 38)
    BROADCAST_TO_ENTITY = namespaced(ROOM_NAMESPACE, 39)
    """Custom app event to chosen peers or rooms (request and push)."""
    RECORDING_STARTED = namespaced(ROOM_NAMESPACE, 40)
    RECORDING_STOPPED = namespaced(ROOM_NAMESPACE, 41)
    RECORDING_PAUSED = namespaced(ROOM_NAMESPACE, 42)
    GET_ROOM_STAGE_STATE = namespaced(ROOM_NAMESPACE, 43)
    LIVESTREAMING_INVOKED = namespaced(ROOM_NAMESPACE, 44)


class ChatEvent(IntEnum):
    """Chat events (namespace 1)."""

    GET_MESSAGES = namespaced(CHAT_NAMESPACE, 0)
    """Chat history of the room (request without payload)."""
    SEND_MESSAGE_TO_ROOM = namespaced(CHAT_NAMESPACE, 1)
    """Request (fire-and-forget in the SDK) and push of a room chat message."""
    SEND_MESSAGE_TO_PEERS = namespaced(CHAT_NAMESPACE, 2)
    """Request and push of a private chat message."""
    EDIT_MESSAGE = namespaced(CHAT_NAMESPACE, 3)
    DELETE_MESSAGE = namespaced(CHAT_NAMESPACE, 4)
    GET_PAGINATED_MESSAGES = namespaced(CHAT_NAMESPACE, 5)
    SEARCH_CHANNEL_MESSAGES = namespaced(CHAT_NAMESPACE, 7)
    PIN_MESSAGE = namespaced(CHAT_NAMESPACE, 10)


class PluginEvent(IntEnum):
    """Plugin events (namespace 2)."""

    GET_PLUGINS = namespaced(PLUGIN_NAMESPACE, 0)
    ADD_PLUGIN = namespaced(PLUGIN_NAMESPACE, 1)
    ENABLE_PLUGIN_FOR_ROOM = namespaced(PLUGIN_NAMESPACE, 2)
    DISABLE_PLUGIN_FOR_PEERS = namespaced(PLUGIN_NAMESPACE, 3)
    ENABLE_PLUGIN_FOR_PEERS = namespaced(PLUGIN_NAMESPACE, 4)
    DISABLE_PLUGIN_FOR_ROOM = namespaced(PLUGIN_NAMESPACE, 5)
    REMOVE_PLUGIN = namespaced(PLUGIN_NAMESPACE, 6)
    CUSTOM_PLUGIN_EVENT_TO_ROOM = namespaced(PLUGIN_NAMESPACE, 7)
    CUSTOM_PLUGIN_EVENT_TO_PEERS = namespaced(PLUGIN_NAMESPACE, 8)
    STORE_INSERT_KEYS = namespaced(PLUGIN_NAMESPACE, 9)
    STORE_GET_KEYS = namespaced(PLUGIN_NAMESPACE, 10)
    """The web SDK's start-up lookup of store ``__rtk_plugins__``; a missing reply is fatal to it."""
    STORE_DELETE_KEYS = namespaced(PLUGIN_NAMESPACE, 11)
    STORE_DELETE = namespaced(PLUGIN_NAMESPACE, 12)


class PollEvent(IntEnum):
    """Poll events (namespace 3)."""

    CREATE_POLL = namespaced(POLL_NAMESPACE, 0)
    GET_POLLS = namespaced(POLL_NAMESPACE, 1)
    VOTE_POLL = namespaced(POLL_NAMESPACE, 2)
    UPDATE_POLL = namespaced(POLL_NAMESPACE, 3)


class PresetEvent(IntEnum):
    """Preset events (namespace 5)."""

    GET_USER_PRESETS = namespaced(PRESET_NAMESPACE, 0)
    UPDATE_USER_PRESET = namespaced(PRESET_NAMESPACE, 1)


class MediaEvent(IntEnum):
    """Media events for Cloudflare's SFU (``0x03000000 | n``)."""

    CREATE_WEBRTC_TRANSPORT = media_event(1)
    """Offer for a new send or receive peer connection; reply carries the answer and transport id."""
    PRODUCE = media_event(2)
    CONSUME = media_event(3)
    TOGGLE_PRODUCER = media_event(4)
    TOGGLE_CONSUMER = media_event(5)
    CLOSE_PRODUCER = media_event(6)
    CLOSE_CONSUMER = media_event(7)
    UPDATE_CONSUMERS_SIMULCAST_CONFIG = media_event(8)
    JOIN_ROOM = media_event(16)
    """Media-room join; the web SDK sends it first, before the room join."""
    LEAVE_ROOM = media_event(17)
    SELECTED_PEER = media_event(18)
    GLOBAL_PIN_PEER = media_event(19)
    """Pin a peer for everyone; an empty participant id unpins."""
    SELF_JOIN_COMPLETE = media_event(20)
    """Completes the media join; the reply lists the peers already producing."""
    PEER_JOINED_BROADCAST = media_event(25)
    PEER_LEAVE_BROADCAST = media_event(26)
    PEER_PRODUCER_CREATE_BROADCAST = media_event(27)
    PEER_PRODUCER_TOGGLE_BROADCAST = media_event(28)
    """Also how a host's mute reaches the muted peer (its own producer, paused by someone else)."""
    PEER_PRODUCER_CLOSE_BROADCAST = media_event(29)
    GLOBAL_PEER_PIN_BROADCAST = media_event(30)
    RECORDING_STARTED_BROADCAST = media_event(31)
    RECORDING_STOPPED_BROADCAST = media_event(32)
    PEER_DISPLAY_NAME_EDIT_BROADCAST = media_event(33)
    MEDIA_ROOM_TERMINATION_BROADCAST = media_event(36)
    """The media room went away; the web SDK rejoins the media room when it gets this."""
    SELECTED_PEER_DIFF = media_event(40)
    RENEGOTIATE_SESSION_DESCRIPTION = media_event(50)
    """The client's answer to the SFU offer that came back from ``CONSUME``."""
    ERROR_RESPONSE = media_event(60)
    """Error reply to a media request (``media.edge.ErrorResponse``, same id)."""
    KICK_PEER = media_event(90)
    KICK_ALL = media_event(91)
    CHANGE_DISPLAY_NAME = media_event(92)
    HOST_CONTROL_PEER = media_event(93)
    HOST_CONTROL_ALL_PEERS = media_event(94)
    AUDIO_ACTIVITY = media_event(100)
    """Fire-and-forget speaking indicator (CF only)."""


@dataclass(frozen=True, slots=True)
class EventPayloads:
    """The payload message of an event in each direction (full proto names; None: no payload).

    ``request`` is what the client sends. ``response`` is what comes back with the request's id
    and, for events that are also pushed by the server, the push payload.
    """

    request: str | None
    response: str | None


_P = EventPayloads

EVENT_PAYLOADS: Final = MappingProxyType(
    {
        # room
        RoomEvent.JOIN_ROOM: _P("socket.room.JoinRoomRequest", "socket.room.PeerInfoResponse"),
        RoomEvent.LEAVE_ROOM: _P("socket.room.LeaveRoomRequest", "socket.room.PeerInfoResponse"),
        RoomEvent.GET_PEER_INFO: _P("socket.room.GetPeerInfoRequest", "socket.room.PeerInfoResponse"),
        RoomEvent.GET_ROOM_PEERS_INFO: _P(
            "socket.room.RoomPeersInfoRequest", "socket.room.RoomPeersInfoResponse"
        ),
        RoomEvent.GET_ROOM_INFO: _P(None, "socket.room.RoomInfoResponse"),
        RoomEvent.BROADCAST_MESSAGE: _P("socket.room.BroadcastMessage", "socket.room.BroadcastMessage"),
        RoomEvent.BROADCAST_TO_ENTITY: _P("socket.room.BroadcastMessage", "socket.room.BroadcastMessage"),
        RoomEvent.KICK: _P("socket.room.RemoveParticipantsRequest", "socket.room.PeerInfoResponse"),
        RoomEvent.KICK_ALL: _P("media.edge.KickAllPeersRequest", "socket.room.PeerInfoResponse"),
        RoomEvent.TRANSCRIPT: _P(None, "socket.ai.MeetingTranscript"),
        # waiting room (the host's view; a waitlisted peer learns its fate from the payload-less
        # accepted/denied pushes, whose payload SDK 2.0.2 never reads)
        RoomEvent.GET_WAITING_ROOM_REQUESTS: _P(None, "socket.room.GetWaitingRoomRequests"),
        RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS: _P("socket.room.AcceptWaitingRoomRequests", None),
        RoomEvent.DENY_WAITING_ROOM_REQUESTS: _P("socket.room.DenyWaitingRoomRequests", None),
        RoomEvent.WAITING_ROOM_REQUEST_ACCEPTED: _P(None, None),
        RoomEvent.WAITING_ROOM_REQUEST_DENIED: _P(None, None),
        # stage (webinar presets)
        RoomEvent.GET_STAGE_PEERS: _P(None, "socket.livestreaming.GetStagePeersResponse"),
        RoomEvent.GET_STAGE_REQUESTS: _P(None, "socket.livestreaming.GetStageRequestsResponse"),
        RoomEvent.REQUEST_STAGE_ACCESS: _P(None, "socket.livestreaming.GetStageRequestsResponse"),
        RoomEvent.CANCEL_STAGE_REQUEST: _P(None, "socket.livestreaming.GetStageRequestsResponse"),
        RoomEvent.GRANT_STAGE_ACCESS: _P("socket.livestreaming.GrantStageAccessRequest", None),
        RoomEvent.DENY_STAGE_ACCESS: _P("socket.livestreaming.DenyStageAccessRequest", None),
        RoomEvent.JOIN_STAGE: _P(None, None),
        RoomEvent.LEAVE_STAGE: _P("socket.livestreaming.LeaveStageRequest", None),
        RoomEvent.PEER_STAGE_STATUS_UPDATE: _P(None, "socket.room.PeerStatusUpdate"),
        RoomEvent.GET_ROOM_STAGE_STATE: _P(None, "socket.room.GetRoomStageStateResponse"),
        # chat
        ChatEvent.GET_MESSAGES: _P(None, "socket.chat.GetChatMessagesResponse"),
        ChatEvent.SEND_MESSAGE_TO_ROOM: _P(
            "socket.chat.SendChatMessageToRoomRequest", "socket.chat.SendChatMessageToRoomResponse"
        ),
        ChatEvent.SEND_MESSAGE_TO_PEERS: _P(
            "socket.chat.SendChatMessageToPeersRequest", "socket.chat.SendChatMessageToPeersResponse"
        ),
        ChatEvent.GET_PAGINATED_MESSAGES: _P(
            "socket.chat.GetPaginatedChatMessageRoomRequest",
            "socket.chat.GetPaginatedChatMessageRoomResponse",
        ),
        # plugin store: "__rtk_plugins__" holds the room's active plugins (looked up at start-up by
        # the official web SDK; activate = insert the plugin id's key, deactivate = delete it)
        PluginEvent.STORE_GET_KEYS: _P(
            "socket.plugin.PluginStoreGetKeysRequest", "socket.plugin.PluginStoreResponse"
        ),
        PluginEvent.STORE_INSERT_KEYS: _P(
            "socket.plugin.PluginStoreInsertKeysRequest", "socket.plugin.PluginStoreResponse"
        ),
        PluginEvent.STORE_DELETE_KEYS: _P(
            "socket.plugin.PluginStoreDeleteKeysRequest", "socket.plugin.PluginStoreResponse"
        ),
        # polls (create, vote and update are also pushed to everyone with the poll as it stands)
        PollEvent.CREATE_POLL: _P("socket.polls.NewPollRequest", "socket.polls.UpdatePollResponse"),
        PollEvent.GET_POLLS: _P(None, "socket.polls.GetPollsResponse"),
        PollEvent.VOTE_POLL: _P("socket.polls.VotePollRequest", "socket.polls.UpdatePollResponse"),
        PollEvent.UPDATE_POLL: _P(None, "socket.polls.UpdatePollResponse"),
        # media
        MediaEvent.JOIN_ROOM: _P("media.edge.PeerJoinRequest", "media.edge.PeerJoinResponse"),
        MediaEvent.LEAVE_ROOM: _P("media.edge.PeerLeaveRequest", "media.edge.PeerLeaveResponse"),
        MediaEvent.CREATE_WEBRTC_TRANSPORT: _P(
            "media.CreateTransportRequest", "media.CreateTransportResponse"
        ),
        MediaEvent.PRODUCE: _P("media.edge.ProducerCreateRequest", "media.edge.ProducerCreateResponse"),
        MediaEvent.TOGGLE_PRODUCER: _P(
            "media.edge.ProducerToggleRequest", "media.edge.ProducerToggleResponse"
        ),
        MediaEvent.CONSUME: _P("media.edge.ConsumePeersRequest", "media.edge.ConsumePeerResponse"),
        MediaEvent.RENEGOTIATE_SESSION_DESCRIPTION: _P(
            "media.RenegotiateRequest", "media.RenegotiateResponse"
        ),
        MediaEvent.CLOSE_PRODUCER: _P(
            "media.edge.ProducerCloseRequest", "media.edge.ProducerClosingResponse"
        ),
        MediaEvent.CLOSE_CONSUMER: _P(
            "media.edge.ConsumerCloseRequest", "media.edge.ConsumerClosingResponse"
        ),
        MediaEvent.SELF_JOIN_COMPLETE: _P(
            "media.edge.PeerJoinCompleteRequest", "media.edge.PeerJoinCompleteResponse"
        ),
        MediaEvent.SELECTED_PEER: _P(None, "media.edge.SelectedPeersResponse"),
        MediaEvent.GLOBAL_PIN_PEER: _P(
            "media.edge.GlobalPeerPinningRequest", "media.edge.GlobalPeerPinningResponse"
        ),
        MediaEvent.GLOBAL_PEER_PIN_BROADCAST: _P(None, "media.edge.GlobalPeerPinningBroadcastResponse"),
        MediaEvent.SELECTED_PEER_DIFF: _P(None, "media.edge.SelectedPeersDiffResponse"),
        MediaEvent.PEER_JOINED_BROADCAST: _P(None, "media.edge.PeerJoinBroadcastResponse"),
        MediaEvent.PEER_LEAVE_BROADCAST: _P(None, "media.edge.PeerLeaveBroadcastResponse"),
        MediaEvent.PEER_PRODUCER_CREATE_BROADCAST: _P(None, "media.edge.PeerProducerCreateBroadcastResponse"),
        MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST: _P(None, "media.edge.PeerProducerToggleBroadcastResponse"),
        MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST: _P(None, "media.edge.PeerProducerCloseBroadcastResponse"),
        MediaEvent.MEDIA_ROOM_TERMINATION_BROADCAST: _P(
            None, "media.edge.MediaRoomTerminationBroadcastResponse"
        ),
        MediaEvent.HOST_CONTROL_PEER: _P(
            "media.edge.HostMediaControlForPeerRequest", "media.edge.HostMediaControlForPeerResponse"
        ),
        MediaEvent.HOST_CONTROL_ALL_PEERS: _P(
            "media.edge.HostMediaControlForAllPeerRequest", "media.edge.HostMediaControlForAllPeerResponse"
        ),
        MediaEvent.AUDIO_ACTIVITY: _P("media.AudioActivityRequest", None),
        MediaEvent.ERROR_RESPONSE: _P(None, "media.edge.ErrorResponse"),
        # errors
        ERROR_EVENT: _P(None, "socket.api.ErrorMessage"),
    }
)
"""Payload messages of the events this project sends or receives (what SDK 2.0.2 uses for them)."""

_ALL_ENUMS: Final = (RoomEvent, ChatEvent, PluginEvent, PollEvent, PresetEvent, MediaEvent)


def event_name(event: int) -> str:
    """A readable name for an event number, for logs (``"MediaEvent.PRODUCE"``, ``"ERROR"``)."""
    if event == ERROR_EVENT:
        return "ERROR"
    for enum in _ALL_ENUMS:
        try:
            return f"{enum.__name__}.{enum(event).name}"
        except ValueError:
            continue
    if event & 0xFF000000 == HIVE_MEDIA_BASE:
        return f"HiveMedia.{event & 0xFFFFFF}"
    return f"unknown({event})"
