from realtimekit_mcp.protocol import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StageType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STAGE_TYPE_UNSPECIFIED: _ClassVar[StageType]
    STAGE_TYPE_ON_STAGE: _ClassVar[StageType]
    STAGE_TYPE_APPROVED_STAGE: _ClassVar[StageType]
    STAGE_TYPE_REQUESTED_STAGE: _ClassVar[StageType]
    STAGE_TYPE_OFF_STAGE: _ClassVar[StageType]

class Capabilities(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPABILITIES_HIVE: _ClassVar[Capabilities]
    CAPABILITIES_CHAT: _ClassVar[Capabilities]
    CAPABILITIES_PING: _ClassVar[Capabilities]

class BroadcastType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BROADCAST_TYPE_PEERS: _ClassVar[BroadcastType]
    BROADCAST_TYPE_ROOMS: _ClassVar[BroadcastType]
STAGE_TYPE_UNSPECIFIED: StageType
STAGE_TYPE_ON_STAGE: StageType
STAGE_TYPE_APPROVED_STAGE: StageType
STAGE_TYPE_REQUESTED_STAGE: StageType
STAGE_TYPE_OFF_STAGE: StageType
CAPABILITIES_HIVE: Capabilities
CAPABILITIES_CHAT: Capabilities
CAPABILITIES_PING: Capabilities
BROADCAST_TYPE_PEERS: BroadcastType
BROADCAST_TYPE_ROOMS: BroadcastType

class PeerFlags(_message.Message):
    __slots__ = ("preset_name", "recorder_type", "hidden_participant")
    PRESET_NAME_FIELD_NUMBER: _ClassVar[int]
    RECORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    preset_name: str
    recorder_type: str
    hidden_participant: bool
    def __init__(self, preset_name: _Optional[str] = ..., recorder_type: _Optional[str] = ..., hidden_participant: bool = ...) -> None: ...

class Peer(_message.Message):
    __slots__ = ("peer_id", "user_id", "display_name", "stage_type", "custom_participant_id", "preset_id", "display_picture_url", "waitlisted", "flags")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_PICTURE_URL_FIELD_NUMBER: _ClassVar[int]
    WAITLISTED_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    user_id: str
    display_name: str
    stage_type: StageType
    custom_participant_id: str
    preset_id: str
    display_picture_url: str
    waitlisted: bool
    flags: PeerFlags
    def __init__(self, peer_id: _Optional[str] = ..., user_id: _Optional[str] = ..., display_name: _Optional[str] = ..., stage_type: _Optional[_Union[StageType, str]] = ..., custom_participant_id: _Optional[str] = ..., preset_id: _Optional[str] = ..., display_picture_url: _Optional[str] = ..., waitlisted: bool = ..., flags: _Optional[_Union[PeerFlags, _Mapping]] = ...) -> None: ...

class PeerInfoResponse(_message.Message):
    __slots__ = ("peer",)
    PEER_FIELD_NUMBER: _ClassVar[int]
    peer: Peer
    def __init__(self, peer: _Optional[_Union[Peer, _Mapping]] = ...) -> None: ...

class RoomPeersInfoRequest(_message.Message):
    __slots__ = ("seach_query", "limit", "offset")
    SEACH_QUERY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    seach_query: str
    limit: int
    offset: int
    def __init__(self, seach_query: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class RoomPeersInfoResponse(_message.Message):
    __slots__ = ("peers",)
    PEERS_FIELD_NUMBER: _ClassVar[int]
    peers: _containers.RepeatedCompositeFieldContainer[Peer]
    def __init__(self, peers: _Optional[_Iterable[_Union[Peer, _Mapping]]] = ...) -> None: ...

class ActiveRecording(_message.Message):
    __slots__ = ("recording_id", "recording_type", "recording_status")
    RECORDING_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDING_TYPE_FIELD_NUMBER: _ClassVar[int]
    RECORDING_STATUS_FIELD_NUMBER: _ClassVar[int]
    recording_id: str
    recording_type: _common_pb2.RecordingType
    recording_status: str
    def __init__(self, recording_id: _Optional[str] = ..., recording_type: _Optional[_Union[_common_pb2.RecordingType, str]] = ..., recording_status: _Optional[str] = ...) -> None: ...

class Room(_message.Message):
    __slots__ = ("room_id", "title", "created_at", "active_recordings", "room_uuid")
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    ROOM_UUID_FIELD_NUMBER: _ClassVar[int]
    room_id: str
    title: str
    created_at: int
    active_recordings: _containers.RepeatedCompositeFieldContainer[ActiveRecording]
    room_uuid: str
    def __init__(self, room_id: _Optional[str] = ..., title: _Optional[str] = ..., created_at: _Optional[int] = ..., active_recordings: _Optional[_Iterable[_Union[ActiveRecording, _Mapping]]] = ..., room_uuid: _Optional[str] = ...) -> None: ...

class RoomInfoResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class GetPeerInfoRequest(_message.Message):
    __slots__ = ("peer_id",)
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    def __init__(self, peer_id: _Optional[str] = ...) -> None: ...

class JoinRoomRequest(_message.Message):
    __slots__ = ("peer", "room_uuid", "organization_id", "use_hive", "preset", "capabilities", "timestamp")
    PEER_FIELD_NUMBER: _ClassVar[int]
    ROOM_UUID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USE_HIVE_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    peer: Peer
    room_uuid: str
    organization_id: str
    use_hive: bool
    preset: bytes
    capabilities: _containers.RepeatedScalarFieldContainer[Capabilities]
    timestamp: int
    def __init__(self, peer: _Optional[_Union[Peer, _Mapping]] = ..., room_uuid: _Optional[str] = ..., organization_id: _Optional[str] = ..., use_hive: bool = ..., preset: _Optional[bytes] = ..., capabilities: _Optional[_Iterable[_Union[Capabilities, str]]] = ..., timestamp: _Optional[int] = ...) -> None: ...

class LeaveRoomRequest(_message.Message):
    __slots__ = ("peer", "timestamp")
    PEER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    peer: Peer
    timestamp: int
    def __init__(self, peer: _Optional[_Union[Peer, _Mapping]] = ..., timestamp: _Optional[int] = ...) -> None: ...

class RemoveParticipantsRequest(_message.Message):
    __slots__ = ("peer_ids",)
    PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    peer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, peer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BroadcastMessage(_message.Message):
    __slots__ = ("type", "payload", "timestamp", "ids", "broadcast_type")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    BROADCAST_TYPE_FIELD_NUMBER: _ClassVar[int]
    type: str
    payload: bytes
    timestamp: int
    ids: _containers.RepeatedScalarFieldContainer[str]
    broadcast_type: BroadcastType
    def __init__(self, type: _Optional[str] = ..., payload: _Optional[bytes] = ..., timestamp: _Optional[int] = ..., ids: _Optional[_Iterable[str]] = ..., broadcast_type: _Optional[_Union[BroadcastType, str]] = ...) -> None: ...

class AcceptWaitingRoomRequests(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DenyWaitingRoomRequests(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WaitingRoomRequest(_message.Message):
    __slots__ = ("peer_id", "user_id", "display_name", "picture", "custom_participant_id", "preset_name")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PICTURE_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_NAME_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    user_id: str
    display_name: str
    picture: str
    custom_participant_id: str
    preset_name: str
    def __init__(self, peer_id: _Optional[str] = ..., user_id: _Optional[str] = ..., display_name: _Optional[str] = ..., picture: _Optional[str] = ..., custom_participant_id: _Optional[str] = ..., preset_name: _Optional[str] = ...) -> None: ...

class GetWaitingRoomRequests(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[WaitingRoomRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[WaitingRoomRequest, _Mapping]]] = ...) -> None: ...

class PeerStatusUpdate(_message.Message):
    __slots__ = ("peer_id", "user_id", "stage_type")
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    peer_id: str
    user_id: str
    stage_type: StageType
    def __init__(self, peer_id: _Optional[str] = ..., user_id: _Optional[str] = ..., stage_type: _Optional[_Union[StageType, str]] = ...) -> None: ...

class GetRoomStageStateResponse(_message.Message):
    __slots__ = ("on_stage_peers", "approved_stage_peers", "requested_stage_peers")
    ON_STAGE_PEERS_FIELD_NUMBER: _ClassVar[int]
    APPROVED_STAGE_PEERS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_STAGE_PEERS_FIELD_NUMBER: _ClassVar[int]
    on_stage_peers: _containers.RepeatedScalarFieldContainer[str]
    approved_stage_peers: _containers.RepeatedScalarFieldContainer[str]
    requested_stage_peers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, on_stage_peers: _Optional[_Iterable[str]] = ..., approved_stage_peers: _Optional[_Iterable[str]] = ..., requested_stage_peers: _Optional[_Iterable[str]] = ...) -> None: ...
