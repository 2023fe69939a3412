from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStagePeersResponse(_message.Message):
    __slots__ = ("stage_peers",)
    STAGE_PEERS_FIELD_NUMBER: _ClassVar[int]
    stage_peers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stage_peers: _Optional[_Iterable[str]] = ...) -> None: ...

class StageRequest(_message.Message):
    __slots__ = ("display_name", "user_id", "peer_id")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    user_id: str
    peer_id: str
    def __init__(self, display_name: _Optional[str] = ..., user_id: _Optional[str] = ..., peer_id: _Optional[str] = ...) -> None: ...

class GetStageRequestsResponse(_message.Message):
    __slots__ = ("stage_requests",)
    STAGE_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    stage_requests: _containers.RepeatedCompositeFieldContainer[StageRequest]
    def __init__(self, stage_requests: _Optional[_Iterable[_Union[StageRequest, _Mapping]]] = ...) -> None: ...

class GrantStageAccessRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DenyStageAccessRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class LeaveStageRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_ids: _Optional[_Iterable[str]] = ...) -> None: ...
