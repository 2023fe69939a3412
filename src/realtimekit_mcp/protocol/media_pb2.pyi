from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Target(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLISHER: _ClassVar[Target]
    SUBSCRIBER: _ClassVar[Target]

class ProducerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO: _ClassVar[ProducerKind]
    VIDEO: _ClassVar[ProducerKind]
PUBLISHER: Target
SUBSCRIBER: Target
AUDIO: ProducerKind
VIDEO: ProducerKind

class Codec(_message.Message):
    __slots__ = ("channels", "clock_rate", "mime_type", "sdp_fmtp_line", "payload_type")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    CLOCK_RATE_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SDP_FMTP_LINE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    channels: int
    clock_rate: int
    mime_type: str
    sdp_fmtp_line: str
    payload_type: int
    def __init__(self, channels: _Optional[int] = ..., clock_rate: _Optional[int] = ..., mime_type: _Optional[str] = ..., sdp_fmtp_line: _Optional[str] = ..., payload_type: _Optional[int] = ...) -> None: ...

class HeaderExtension(_message.Message):
    __slots__ = ("direction", "uri")
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    direction: str
    uri: str
    def __init__(self, direction: _Optional[str] = ..., uri: _Optional[str] = ...) -> None: ...

class SessionDescription(_message.Message):
    __slots__ = ("target", "type", "sdp")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SDP_FIELD_NUMBER: _ClassVar[int]
    target: Target
    type: str
    sdp: str
    def __init__(self, target: _Optional[_Union[Target, str]] = ..., type: _Optional[str] = ..., sdp: _Optional[str] = ...) -> None: ...

class ProducerPayload(_message.Message):
    __slots__ = ("kind", "paused", "screen_share", "msid", "app_data", "mime_type")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    SCREEN_SHARE_FIELD_NUMBER: _ClassVar[int]
    MSID_FIELD_NUMBER: _ClassVar[int]
    APP_DATA_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    paused: bool
    screen_share: bool
    msid: str
    app_data: str
    mime_type: str
    def __init__(self, kind: _Optional[str] = ..., paused: bool = ..., screen_share: bool = ..., msid: _Optional[str] = ..., app_data: _Optional[str] = ..., mime_type: _Optional[str] = ...) -> None: ...

class CreateTransportRequest(_message.Message):
    __slots__ = ("consuming", "force_tcp", "description", "private_ice", "producers")
    CONSUMING_FIELD_NUMBER: _ClassVar[int]
    FORCE_TCP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_ICE_FIELD_NUMBER: _ClassVar[int]
    PRODUCERS_FIELD_NUMBER: _ClassVar[int]
    consuming: bool
    force_tcp: bool
    description: SessionDescription
    private_ice: bool
    producers: _containers.RepeatedCompositeFieldContainer[ProducerPayload]
    def __init__(self, consuming: bool = ..., force_tcp: bool = ..., description: _Optional[_Union[SessionDescription, _Mapping]] = ..., private_ice: bool = ..., producers: _Optional[_Iterable[_Union[ProducerPayload, _Mapping]]] = ...) -> None: ...

class AudioActivityRequest(_message.Message):
    __slots__ = ("producer_id", "energy", "silent")
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    ENERGY_FIELD_NUMBER: _ClassVar[int]
    SILENT_FIELD_NUMBER: _ClassVar[int]
    producer_id: str
    energy: int
    silent: bool
    def __init__(self, producer_id: _Optional[str] = ..., energy: _Optional[int] = ..., silent: bool = ...) -> None: ...

class CreateTransportResponse(_message.Message):
    __slots__ = ("transport_id", "description", "transcription_enabled", "producer_ids")
    TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPTION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_IDS_FIELD_NUMBER: _ClassVar[int]
    transport_id: str
    description: SessionDescription
    transcription_enabled: bool
    producer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, transport_id: _Optional[str] = ..., description: _Optional[_Union[SessionDescription, _Mapping]] = ..., transcription_enabled: bool = ..., producer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RenegotiateRequest(_message.Message):
    __slots__ = ("transport_id", "description")
    TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    transport_id: str
    description: SessionDescription
    def __init__(self, transport_id: _Optional[str] = ..., description: _Optional[_Union[SessionDescription, _Mapping]] = ...) -> None: ...

class RenegotiateResponse(_message.Message):
    __slots__ = ("transport_id", "description")
    TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    transport_id: str
    description: SessionDescription
    def __init__(self, transport_id: _Optional[str] = ..., description: _Optional[_Union[SessionDescription, _Mapping]] = ...) -> None: ...

class ProducerTrack(_message.Message):
    __slots__ = ("track_id", "producer_id", "stream_id")
    TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    STREAM_ID_FIELD_NUMBER: _ClassVar[int]
    track_id: str
    producer_id: str
    stream_id: str
    def __init__(self, track_id: _Optional[str] = ..., producer_id: _Optional[str] = ..., stream_id: _Optional[str] = ...) -> None: ...

class ProducerState(_message.Message):
    __slots__ = ("producer_id", "kind", "pause", "screen_share", "app_data", "producing_transport_id", "mime_type", "codec")
    PRODUCER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    SCREEN_SHARE_FIELD_NUMBER: _ClassVar[int]
    APP_DATA_FIELD_NUMBER: _ClassVar[int]
    PRODUCING_TRANSPORT_ID_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    producer_id: str
    kind: ProducerKind
    pause: bool
    screen_share: bool
    app_data: str
    producing_transport_id: str
    mime_type: str
    codec: Codec
    def __init__(self, producer_id: _Optional[str] = ..., kind: _Optional[_Union[ProducerKind, str]] = ..., pause: bool = ..., screen_share: bool = ..., app_data: _Optional[str] = ..., producing_transport_id: _Optional[str] = ..., mime_type: _Optional[str] = ..., codec: _Optional[_Union[Codec, _Mapping]] = ...) -> None: ...

class ConsumerState(_message.Message):
    __slots__ = ("consumer_id", "producer_state", "producer_track", "error_code")
    CONSUMER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_STATE_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_TRACK_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    consumer_id: str
    producer_state: ProducerState
    producer_track: ProducerTrack
    error_code: str
    def __init__(self, consumer_id: _Optional[str] = ..., producer_state: _Optional[_Union[ProducerState, _Mapping]] = ..., producer_track: _Optional[_Union[ProducerTrack, _Mapping]] = ..., error_code: _Optional[str] = ...) -> None: ...

class ProducerIdToConsumerMap(_message.Message):
    __slots__ = ("map",)
    class MapEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ConsumerState
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ConsumerState, _Mapping]] = ...) -> None: ...
    MAP_FIELD_NUMBER: _ClassVar[int]
    map: _containers.MessageMap[str, ConsumerState]
    def __init__(self, map: _Optional[_Mapping[str, ConsumerState]] = ...) -> None: ...

class PeerRtpCapabilitites(_message.Message):
    __slots__ = ("sender", "receiver")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_FIELD_NUMBER: _ClassVar[int]
    sender: RtpCapabilitites
    receiver: RtpCapabilitites
    def __init__(self, sender: _Optional[_Union[RtpCapabilitites, _Mapping]] = ..., receiver: _Optional[_Union[RtpCapabilitites, _Mapping]] = ...) -> None: ...

class RtpCapability(_message.Message):
    __slots__ = ("codecs", "header_extensions")
    CODECS_FIELD_NUMBER: _ClassVar[int]
    HEADER_EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    codecs: _containers.RepeatedCompositeFieldContainer[Codec]
    header_extensions: _containers.RepeatedCompositeFieldContainer[HeaderExtension]
    def __init__(self, codecs: _Optional[_Iterable[_Union[Codec, _Mapping]]] = ..., header_extensions: _Optional[_Iterable[_Union[HeaderExtension, _Mapping]]] = ...) -> None: ...

class RtpCapabilitites(_message.Message):
    __slots__ = ("audio", "video")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    audio: RtpCapability
    video: RtpCapability
    def __init__(self, audio: _Optional[_Union[RtpCapability, _Mapping]] = ..., video: _Optional[_Union[RtpCapability, _Mapping]] = ...) -> None: ...

class PreferredCodec(_message.Message):
    __slots__ = ("audio", "video")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    audio: str
    video: str
    def __init__(self, audio: _Optional[str] = ..., video: _Optional[str] = ...) -> None: ...

class Simulcast(_message.Message):
    __slots__ = ("preferred_rid", "priority_ordering", "rid_not_available")
    PREFERRED_RID_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_ORDERING_FIELD_NUMBER: _ClassVar[int]
    RID_NOT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    preferred_rid: str
    priority_ordering: str
    rid_not_available: str
    def __init__(self, preferred_rid: _Optional[str] = ..., priority_ordering: _Optional[str] = ..., rid_not_available: _Optional[str] = ...) -> None: ...
