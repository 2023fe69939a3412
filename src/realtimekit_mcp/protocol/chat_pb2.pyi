from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChatMessage(_message.Message):
    __slots__ = ("chat_id", "peer_id", "user_id", "display_name", "pinned", "is_edited", "payload_type", "payload", "target_user_ids", "created_at", "created_at_ms", "channel_id", "channel_index")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    IS_EDITED_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TARGET_USER_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_INDEX_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    peer_id: str
    user_id: str
    display_name: str
    pinned: bool
    is_edited: bool
    payload_type: int
    payload: str
    target_user_ids: _containers.RepeatedScalarFieldContainer[str]
    created_at: int
    created_at_ms: int
    channel_id: str
    channel_index: str
    def __init__(self, chat_id: _Optional[str] = ..., peer_id: _Optional[str] = ..., user_id: _Optional[str] = ..., display_name: _Optional[str] = ..., pinned: bool = ..., is_edited: bool = ..., payload_type: _Optional[int] = ..., payload: _Optional[str] = ..., target_user_ids: _Optional[_Iterable[str]] = ..., created_at: _Optional[int] = ..., created_at_ms: _Optional[int] = ..., channel_id: _Optional[str] = ..., channel_index: _Optional[str] = ...) -> None: ...

class GetChatMessagesResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ...) -> None: ...

class SendChatMessageToRoomRequest(_message.Message):
    __slots__ = ("payload_type", "payload")
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    payload_type: int
    payload: str
    def __init__(self, payload_type: _Optional[int] = ..., payload: _Optional[str] = ...) -> None: ...

class SendChatMessageToRoomResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: ChatMessage
    def __init__(self, message: _Optional[_Union[ChatMessage, _Mapping]] = ...) -> None: ...

class SendChatMessageToPeersRequest(_message.Message):
    __slots__ = ("peer_ids", "payload_type", "payload")
    PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    peer_ids: _containers.RepeatedScalarFieldContainer[str]
    payload_type: int
    payload: str
    def __init__(self, peer_ids: _Optional[_Iterable[str]] = ..., payload_type: _Optional[int] = ..., payload: _Optional[str] = ...) -> None: ...

class SendChatMessageToPeersResponse(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: ChatMessage
    def __init__(self, message: _Optional[_Union[ChatMessage, _Mapping]] = ...) -> None: ...

class GetPaginatedChatMessageFilters(_message.Message):
    __slots__ = ("pinned", "user_id")
    PINNED_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    pinned: bool
    user_id: str
    def __init__(self, pinned: bool = ..., user_id: _Optional[str] = ...) -> None: ...

class GetPaginatedChatMessageRoomRequest(_message.Message):
    __slots__ = ("time_stamp", "size", "reversed", "channel_id", "filters")
    TIME_STAMP_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    REVERSED_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    time_stamp: int
    size: int
    reversed: bool
    channel_id: str
    filters: GetPaginatedChatMessageFilters
    def __init__(self, time_stamp: _Optional[int] = ..., size: _Optional[int] = ..., reversed: bool = ..., channel_id: _Optional[str] = ..., filters: _Optional[_Union[GetPaginatedChatMessageFilters, _Mapping]] = ..., **kwargs) -> None: ...

class GetPaginatedChatMessageRoomResponse(_message.Message):
    __slots__ = ("messages", "next")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    next: bool
    def __init__(self, messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., next: bool = ...) -> None: ...
