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

class PluginStoreInsertKeysRequest(_message.Message):
    __slots__ = ("plugin_id", "store_name", "insert_keys")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    INSERT_KEYS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    store_name: str
    insert_keys: _containers.RepeatedCompositeFieldContainer[StoreKeys]
    def __init__(self, plugin_id: _Optional[str] = ..., store_name: _Optional[str] = ..., insert_keys: _Optional[_Iterable[_Union[StoreKeys, _Mapping]]] = ...) -> None: ...

class PluginStoreDeleteKeysRequest(_message.Message):
    __slots__ = ("plugin_id", "store_name", "delete_keys")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    DELETE_KEYS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    store_name: str
    delete_keys: _containers.RepeatedCompositeFieldContainer[StoreKeys]
    def __init__(self, plugin_id: _Optional[str] = ..., store_name: _Optional[str] = ..., delete_keys: _Optional[_Iterable[_Union[StoreKeys, _Mapping]]] = ...) -> None: ...

class PluginStoreDeleteRequest(_message.Message):
    __slots__ = ("plugin_id", "store_name")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    store_name: str
    def __init__(self, plugin_id: _Optional[str] = ..., store_name: _Optional[str] = ...) -> None: ...

class AddPluginRequest(_message.Message):
    __slots__ = ("plugin_id", "staggered")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STAGGERED_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    staggered: bool
    def __init__(self, plugin_id: _Optional[str] = ..., staggered: bool = ...) -> None: ...

class RemovePluginRequest(_message.Message):
    __slots__ = ("plugin_id", "staggered")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    STAGGERED_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    staggered: bool
    def __init__(self, plugin_id: _Optional[str] = ..., staggered: bool = ...) -> None: ...

class EnablePluginForRoomRequest(_message.Message):
    __slots__ = ("plugin_id",)
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    def __init__(self, plugin_id: _Optional[str] = ...) -> None: ...

class DisablePluginForRoomRequest(_message.Message):
    __slots__ = ("plugin_id",)
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    def __init__(self, plugin_id: _Optional[str] = ...) -> None: ...

class EnablePluginForPeersRequest(_message.Message):
    __slots__ = ("plugin_id", "peer_ids")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    peer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, plugin_id: _Optional[str] = ..., peer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DisablePluginForPeersRequest(_message.Message):
    __slots__ = ("plugin_id", "peer_ids")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    peer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, plugin_id: _Optional[str] = ..., peer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PluginEventToRoomRequest(_message.Message):
    __slots__ = ("plugin_id", "plugin_data")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_DATA_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    plugin_data: bytes
    def __init__(self, plugin_id: _Optional[str] = ..., plugin_data: _Optional[bytes] = ...) -> None: ...

class PluginEventToPeersRequest(_message.Message):
    __slots__ = ("plugin_id", "peer_ids", "plugin_data")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    PEER_IDS_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_DATA_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    peer_ids: _containers.RepeatedScalarFieldContainer[str]
    plugin_data: bytes
    def __init__(self, plugin_id: _Optional[str] = ..., peer_ids: _Optional[_Iterable[str]] = ..., plugin_data: _Optional[bytes] = ...) -> None: ...

class EnablePluginResponse(_message.Message):
    __slots__ = ("plugin_id", "enabled_by")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_BY_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    enabled_by: str
    def __init__(self, plugin_id: _Optional[str] = ..., enabled_by: _Optional[str] = ...) -> None: ...

class EnablePluginsResponse(_message.Message):
    __slots__ = ("plugins",)
    PLUGINS_FIELD_NUMBER: _ClassVar[int]
    plugins: _containers.RepeatedCompositeFieldContainer[EnablePluginResponse]
    def __init__(self, plugins: _Optional[_Iterable[_Union[EnablePluginResponse, _Mapping]]] = ...) -> None: ...

class DisablePluginResponse(_message.Message):
    __slots__ = ("plugin_id", "disabled_by")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    DISABLED_BY_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    disabled_by: str
    def __init__(self, plugin_id: _Optional[str] = ..., disabled_by: _Optional[str] = ...) -> None: ...

class PluginEventResponse(_message.Message):
    __slots__ = ("plugin_id", "plugin_data")
    PLUGIN_ID_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_DATA_FIELD_NUMBER: _ClassVar[int]
    plugin_id: str
    plugin_data: bytes
    def __init__(self, plugin_id: _Optional[str] = ..., plugin_data: _Optional[bytes] = ...) -> None: ...
