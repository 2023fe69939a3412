from realtimekit_mcp.protocol import media_pb2 as _media_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GeoLocation(_message.Message):
    __slots__ = ("latitude", "longitude", "region")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    region: str
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., region: _Optional[str] = ...) -> None: ...

class PeerJoinRequest(_message.Message):
    __slots__ = ("display_name", "prejoined", "room_uuid", "meeting_id", "preset", "user_id", "organization_id", "location", "capabilities")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PREJOINED_FIELD_NUMBER: _ClassVar[int]
    ROOM_UUID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    prejoined: bool
    room_uuid: str
    meeting_id: str
    preset: bytes
    user_id: str
    organization_id: str
    location: GeoLocation
    capabilities: _media_pb2.PeerRtpCapabilitites
    def __init__(self, display_name: _Optional[str] = ..., prejoined: bool = ..., room_uuid: _Optional[str] = ..., meeting_id: _Optional[str] = ..., preset: _Optional[bytes] = ..., user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., location: _Optional[_Union[GeoLocation, _Mapping]] = ..., capabilities: _Optional[_Union[_media_pb2.PeerRtpCapabilitites, _Mapping]] = ...) -> None: ...

class PeerJoinResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PeerJoinCompleteRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PeerLeaveRequest(_message.Message):
    __slots__ = ("close_room",)
    CLOSE_ROOM_FIELD_NUMBER: _ClassVar[int]
    close_room: bool
    def __init__(self, close_room: bool = ...) -> None: ...

class PeerLeaveResponse(_message.Message):
    __slots__ = ("closed",)
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    closed: bool
    def __init__(self, closed: bool = ...) -> None: ...

class ConsumePeerRequest(_message.Message):
    __slots__ = ("producing_peer_id", "paused", "producer_id", "preferred_codec", "producing_transport_id", "simulcast")
    PRODUCING_PEER_ID_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CODEC_FIELD_NUMBER: _ClassVar[int]
    PRODUCING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULCAST_FIELD_NUMBER: _ClassVar[int]
    producing_peer_id: str
    paused: bool
    producer_id: str
    preferred_codec: _media_pb2.PreferredCodec
    producing_transport_id: str
    simulcast: _media_pb2.Simulcast
    def __init__(self, producing_peer_id: _Optional[str] = ..., paused: bool = ..., producer_id: _Optional[str] = ..., preferred_codec: _Optional[_Union[_media_pb2.PreferredCodec, _Mapping]] = ..., producing_transport_id: _Optional[str] = ..., simulcast: _Optional[_Union[_media_pb2.Simulcast, _Mapping]] = ...) -> None: ...

class ConsumePeersRequest(_message.Message):
    __slots__ = ("requests", "consuming_transport_id")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    CONSUMING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ConsumePeerRequest]
    consuming_transport_id: str
    def __init__(self, requests: _Optional[_Iterable[_Union[ConsumePeerRequest, _Mapping]]] = ..., consuming_transport_id: _Optional[str] = ...) -> None: ...

class ConsumePeerResponse(_message.Message):
    __slots__ = ("status", "consumer_ids_map", "description")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_IDS_MAP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    status: bool
    consumer_ids_map: _media_pb2.ProducerIdToConsumerMap
    description: _media_pb2.SessionDescription
    def __init__(self, status: bool = ..., consumer_ids_map: _Optional[_Union[_media_pb2.ProducerIdToConsumerMap, _Mapping]] = ..., description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ...) -> None: ...

class ProducerCreateRequest(_message.Message):
    __slots__ = ("kind", "paused", "screen_share", "description", "msid", "app_data", "mime_type", "producing_transport_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    SCREEN_SHARE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MSID_FIELD_NUMBER: _ClassVar[int]
    APP_DATA_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRODUCING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    kind: str
    paused: bool
    screen_share: bool
    description: _media_pb2.SessionDescription
    msid: str
    app_data: str
    mime_type: str
    producing_transport_id: str
    def __init__(self, kind: _Optional[str] = ..., paused: bool = ..., screen_share: bool = ..., description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ..., msid: _Optional[str] = ..., app_data: _Optional[str] = ..., mime_type: _Optional[str] = ..., producing_transport_id: _Optional[str] = ...) -> None: ...

class ProducerCreateResponse(_message.Message):
    __slots__ = ("status", "producer_id", "description")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    status: bool
    producer_id: str
    description: _media_pb2.SessionDescription
    def __init__(self, status: bool = ..., producer_id: _Optional[str] = ..., description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ...) -> None: ...

class ProducerToggleRequest(_message.Message):
    __slots__ = ("producer_id", "pause")
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    producer_id: str
    pause: bool
    def __init__(self, producer_id: _Optional[str] = ..., pause: bool = ...) -> None: ...

class ProducerToggleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ProducerCloseRequest(_message.Message):
    __slots__ = ("producer_id", "description", "producing_transport_id")
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRODUCING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    producer_id: str
    description: _media_pb2.SessionDescription
    producing_transport_id: str
    def __init__(self, producer_id: _Optional[str] = ..., description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ..., producing_transport_id: _Optional[str] = ...) -> None: ...

class ProducerClosingResponse(_message.Message):
    __slots__ = ("description",)
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    description: _media_pb2.SessionDescription
    def __init__(self, description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ...) -> None: ...

class ConsumerCloseRequest(_message.Message):
    __slots__ = ("consumer_ids", "description", "consuming_transport_id")
    CONSUMER_IDS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONSUMING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    consumer_ids: _containers.RepeatedScalarFieldContainer[str]
    description: _media_pb2.SessionDescription
    consuming_transport_id: str
    def __init__(self, consumer_ids: _Optional[_Iterable[str]] = ..., description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ..., consuming_transport_id: _Optional[str] = ...) -> None: ...

class ConsumerClosingResponse(_message.Message):
    __slots__ = ("description",)
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    description: _media_pb2.SessionDescription
    def __init__(self, description: _Optional[_Union[_media_pb2.SessionDescription, _Mapping]] = ...) -> None: ...

class KickAllPeersRequest(_message.Message):
    __slots__ = ("propagate_kick_across_rooms",)
    PROPAGATE_KICK_ACROSS_ROOMS_FIELD_NUMBER: _ClassVar[int]
    propagate_kick_across_rooms: bool
    def __init__(self, propagate_kick_across_rooms: bool = ...) -> None: ...

class HostMediaControlForPeerRequest(_message.Message):
    __slots__ = ("participant_id", "audio", "video", "scree_share")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    SCREE_SHARE_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    audio: bool
    video: bool
    scree_share: bool
    def __init__(self, participant_id: _Optional[str] = ..., audio: bool = ..., video: bool = ..., scree_share: bool = ...) -> None: ...

class HostMediaControlForPeerResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class HostMediaControlForAllPeerRequest(_message.Message):
    __slots__ = ("audio", "video", "screen_share")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    SCREEN_SHARE_FIELD_NUMBER: _ClassVar[int]
    audio: bool
    video: bool
    screen_share: bool
    def __init__(self, audio: bool = ..., video: bool = ..., screen_share: bool = ...) -> None: ...

class HostMediaControlForAllPeerResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class GetRoomStateResponse(_message.Message):
    __slots__ = ("display_title", "locked_mode", "room_uuid", "room_name", "current_peer_id", "is_recording", "recorder_participant_id", "pinned_peer_ids")
    DISPLAY_TITLE_FIELD_NUMBER: _ClassVar[int]
    LOCKED_MODE_FIELD_NUMBER: _ClassVar[int]
    ROOM_UUID_FIELD_NUMBER: _ClassVar[int]
    ROOM_NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PEER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_RECORDING_FIELD_NUMBER: _ClassVar[int]
    RECORDER_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PINNED_PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    display_title: str
    locked_mode: bool
    room_uuid: str
    room_name: str
    current_peer_id: str
    is_recording: bool
    recorder_participant_id: str
    pinned_peer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, display_title: _Optional[str] = ..., locked_mode: bool = ..., room_uuid: _Optional[str] = ..., room_name: _Optional[str] = ..., current_peer_id: _Optional[str] = ..., is_recording: bool = ..., recorder_participant_id: _Optional[str] = ..., pinned_peer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ErrorResponse(_message.Message):
    __slots__ = ("error_message", "event_id")
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    error_message: str
    event_id: int
    def __init__(self, error_message: _Optional[str] = ..., event_id: _Optional[int] = ...) -> None: ...

class RoomParticipants(_message.Message):
    __slots__ = ("peer_id", "producer_states", "display_name", "user_id", "capabilities")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_STATES_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    producer_states: _containers.RepeatedCompositeFieldContainer[_media_pb2.ProducerState]
    display_name: str
    user_id: str
    capabilities: _media_pb2.PeerRtpCapabilitites
    def __init__(self, peer_id: _Optional[str] = ..., producer_states: _Optional[_Iterable[_Union[_media_pb2.ProducerState, _Mapping]]] = ..., display_name: _Optional[str] = ..., user_id: _Optional[str] = ..., capabilities: _Optional[_Union[_media_pb2.PeerRtpCapabilitites, _Mapping]] = ...) -> None: ...

class SelectedPeersResponse(_message.Message):
    __slots__ = ("audio_peers", "compulsory_peers")
    AUDIO_PEERS_FIELD_NUMBER: _ClassVar[int]
    COMPULSORY_PEERS_FIELD_NUMBER: _ClassVar[int]
    audio_peers: _containers.RepeatedScalarFieldContainer[str]
    compulsory_peers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, audio_peers: _Optional[_Iterable[str]] = ..., compulsory_peers: _Optional[_Iterable[str]] = ...) -> None: ...

class SelectedPeersDiffEntry(_message.Message):
    __slots__ = ("peer_id", "priority")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    priority: int
    def __init__(self, peer_id: _Optional[str] = ..., priority: _Optional[int] = ...) -> None: ...

class SelectedPeersDiffResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[SelectedPeersDiffEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[SelectedPeersDiffEntry, _Mapping]]] = ...) -> None: ...

class PeerJoinCompleteResponse(_message.Message):
    __slots__ = ("room_state", "participants", "selected_peers", "max_preferred_streams")
    ROOM_STATE_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SELECTED_PEERS_FIELD_NUMBER: _ClassVar[int]
    MAX_PREFERRED_STREAMS_FIELD_NUMBER: _ClassVar[int]
    room_state: GetRoomStateResponse
    participants: _containers.RepeatedCompositeFieldContainer[RoomParticipants]
    selected_peers: SelectedPeersResponse
    max_preferred_streams: int
    def __init__(self, room_state: _Optional[_Union[GetRoomStateResponse, _Mapping]] = ..., participants: _Optional[_Iterable[_Union[RoomParticipants, _Mapping]]] = ..., selected_peers: _Optional[_Union[SelectedPeersResponse, _Mapping]] = ..., max_preferred_streams: _Optional[int] = ...) -> None: ...

class PeerJoinBroadcastResponse(_message.Message):
    __slots__ = ("participant",)
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    participant: RoomParticipants
    def __init__(self, participant: _Optional[_Union[RoomParticipants, _Mapping]] = ...) -> None: ...

class PeerProducerCreateBroadcastResponse(_message.Message):
    __slots__ = ("participant_id", "producer_state")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_STATE_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    producer_state: _media_pb2.ProducerState
    def __init__(self, participant_id: _Optional[str] = ..., producer_state: _Optional[_Union[_media_pb2.ProducerState, _Mapping]] = ...) -> None: ...

class PeerProducerToggleBroadcastResponse(_message.Message):
    __slots__ = ("participant_id", "producer_state", "initiator_participant_id")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_STATE_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    producer_state: _media_pb2.ProducerState
    initiator_participant_id: str
    def __init__(self, participant_id: _Optional[str] = ..., producer_state: _Optional[_Union[_media_pb2.ProducerState, _Mapping]] = ..., initiator_participant_id: _Optional[str] = ...) -> None: ...

class PeerProducerCloseBroadcastResponse(_message.Message):
    __slots__ = ("participant_id", "producer_state")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_STATE_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    producer_state: _media_pb2.ProducerState
    def __init__(self, participant_id: _Optional[str] = ..., producer_state: _Optional[_Union[_media_pb2.ProducerState, _Mapping]] = ...) -> None: ...

class PeerLeaveBroadcastResponse(_message.Message):
    __slots__ = ("participant_id",)
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    def __init__(self, participant_id: _Optional[str] = ...) -> None: ...

class MediaRoomTerminationBroadcastResponse(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class GlobalPeerPinningRequest(_message.Message):
    __slots__ = ("participant_id",)
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    def __init__(self, participant_id: _Optional[str] = ...) -> None: ...

class GlobalPeerPinningResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GlobalPeerPinningBroadcastResponse(_message.Message):
    __slots__ = ("participant_id",)
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    def __init__(self, participant_id: _Optional[str] = ...) -> None: ...

class GlobalPeerUnPinningBroadcastResponse(_message.Message):
    __slots__ = ("participant_id",)
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    def __init__(self, participant_id: _Optional[str] = ...) -> None: ...
