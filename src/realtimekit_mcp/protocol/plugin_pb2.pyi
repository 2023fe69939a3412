from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StoreKeys(_message.Message):
    __slots__ = ("store_key", "payload")
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    store_key: str
    payload: bytes
    def __init__(self, store_key: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class PluginStoreGetKeysRequest(_message.Message):
    __slots__ = ("plugin_id", "store_name", "get_keys")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    GET_KEYS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    store_name: str
    get_keys: _containers.RepeatedCompositeFieldContainer[StoreKeys]
    def __init__(self, plugin_id: _Optional[str] = ..., store_name: _Optional[str] = ..., get_keys: _Optional[_Iterable[_Union[StoreKeys, _Mapping]]] = ...) -> None: ...

class PluginStoreItem(_message.Message):
    __slots__ = ("timestamp", "peer_id", "store_key", "payload")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    PEER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_KEY_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    timestamp: str
    peer_id: str
    store_key: str
    payload: bytes
    def __init__(self, timestamp: _Optional[str] = ..., peer_id: _Optional[str] = ..., store_key: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class PluginStoreResponse(_message.Message):
    __slots__ = ("plugin_id", "store_name", "store_items")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    STORE_ITEMS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    store_name: str
    store_items: _containers.RepeatedCompositeFieldContainer[PluginStoreItem]
    def __init__(self, plugin_id: _Optional[str] = ..., store_name: _Optional[str] = ..., store_items: _Optional[_Iterable[_Union[PluginStoreItem, _Mapping]]] = ...) -> None: ...
