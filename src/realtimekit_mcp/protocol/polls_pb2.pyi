from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PollVote(_message.Message):
    __slots__ = ("user_id", "name")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    name: str
    def __init__(self, user_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class PollOption(_message.Message):
    __slots__ = ("text", "count", "votes")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    text: str
    count: int
    votes: _containers.RepeatedCompositeFieldContainer[PollVote]
    def __init__(self, text: _Optional[str] = ..., count: _Optional[int] = ..., votes: _Optional[_Iterable[_Union[PollVote, _Mapping]]] = ...) -> None: ...

class Poll(_message.Message):
    __slots__ = ("poll_id", "created_by", "created_by_user_id", "question", "options", "hide_votes", "anonymous", "votes")
    POLL_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    HIDE_VOTES_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    poll_id: str
    created_by: str
    created_by_user_id: str
    question: str
    options: _containers.RepeatedCompositeFieldContainer[PollOption]
    hide_votes: bool
    anonymous: bool
    votes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, poll_id: _Optional[str] = ..., created_by: _Optional[str] = ..., created_by_user_id: _Optional[str] = ..., question: _Optional[str] = ..., options: _Optional[_Iterable[_Union[PollOption, _Mapping]]] = ..., hide_votes: bool = ..., anonymous: bool = ..., votes: _Optional[_Iterable[str]] = ...) -> None: ...

class NewPollRequest(_message.Message):
    __slots__ = ("question", "options", "anonymous", "hide_votes", "created_by", "created_by_user_id")
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    HIDE_VOTES_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    question: str
    options: _containers.RepeatedScalarFieldContainer[str]
    anonymous: bool
    hide_votes: bool
    created_by: str
    created_by_user_id: str
    def __init__(self, question: _Optional[str] = ..., options: _Optional[_Iterable[str]] = ..., anonymous: bool = ..., hide_votes: bool = ..., created_by: _Optional[str] = ..., created_by_user_id: _Optional[str] = ...) -> None: ...

class VotePollRequest(_message.Message):
    __slots__ = ("poll_id", "index")
    POLL_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    poll_id: str
    index: int
    def __init__(self, poll_id: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class UpdatePollResponse(_message.Message):
    __slots__ = ("poll",)
    POLL_FIELD_NUMBER: _ClassVar[int]
    poll: Poll
    def __init__(self, poll: _Optional[_Union[Poll, _Mapping]] = ...) -> None: ...

class GetPollsResponse(_message.Message):
    __slots__ = ("polls",)
    POLLS_FIELD_NUMBER: _ClassVar[int]
    polls: _containers.RepeatedCompositeFieldContainer[Poll]
    def __init__(self, polls: _Optional[_Iterable[_Union[Poll, _Mapping]]] = ...) -> None: ...
