from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class RecordingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BROWSER: _ClassVar[RecordingType]
    TRACK: _ClassVar[RecordingType]
    COMPOSITE: _ClassVar[RecordingType]
BROWSER: RecordingType
TRACK: RecordingType
COMPOSITE: RecordingType
