from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class MeetingTranscript(_message.Message):
    __slots__ = ("meeting_id", "transcript", "is_partial")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    IS_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    transcript: str
    is_partial: bool
    def __init__(self, meeting_id: _Optional[str] = ..., transcript: _Optional[str] = ..., is_partial: bool = ...) -> None: ...
