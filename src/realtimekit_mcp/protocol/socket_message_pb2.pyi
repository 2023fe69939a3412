from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class SocketMessage(_message.Message):
    __slots__ = ("event", "id", "payload", "metadata")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    event: int
    id: str
    payload: bytes
    metadata: bytes
    def __init__(self, event: _Optional[int] = ..., id: _Optional[str] = ..., payload: _Optional[bytes] = ..., metadata: _Optional[bytes] = ...) -> None: ...
