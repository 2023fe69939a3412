"""Live plane feature: plugin stores, and the room's active plugins in store ``__rtk_plugins__``.

What SDK 2.0.2 does (read from its bundle): plugins are registered by the app on the client
(``defaults.plugins``; the emulator's catalogue, :attr:`EmulatorConfig.plugins`, stands in for
that registration and is served at ``GET /v2/plugins/user``). The room's active plugins are the
keys of the plugin store ``__rtk_plugins__``: every store request carries ``plugin_id`` = the
meeting id, a key is ``"<meeting id>:<plugin id>"`` and its payload is UTF-8 JSON
``{"name", "icon", "id", "enabledBy": <peer id>}``. Activate = ``storeInsertKeys`` with that
payload; deactivate = ``storeInsertKeys`` with the payload ``null`` (2.0.2's ``store.set(key,
null)``) or ``storeDeleteKeys``. Every peer gets the change as a ``PluginStoreResponse`` on the
same event (the SDK ignores items whose ``peer_id`` is its own); ``storeGetKeys`` (sent at
start-up, possibly before the room join; a missing reply is fatal to the SDK) answers the store's
current items.

The emulator enforces what the SDK only checks on the client: activation needs the preset's
``plugins.can_start``, deactivation ``plugins.can_close`` (or having activated it oneself), and
the plugin must be in the catalogue. Other stores are plain shared key-value stores of the room.
State is per meeting room and forgotten when the session ends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from realtimekit_mcp.protocol import plugin_pb2
from realtimekit_mcp.protocol.events import PluginEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload

from .live import LivePeer

if TYPE_CHECKING:
    from .edge import Connection, Handler, LivePlane

__all__ = ["ACTIVE_PLUGINS_STORE", "LivePlugins", "StoreItem"]

ACTIVE_PLUGINS_STORE: Final = "__rtk_plugins__"
"""The store whose keys are the room's active plugins."""

MAX_KEYS_PER_REQUEST: Final = 100
MAX_PAYLOAD_BYTES: Final = 64 * 1024
MAX_ITEMS_PER_STORE: Final = 1000


@dataclass(frozen=True, slots=True)
class StoreItem:
    """One key of a store: who wrote it last, when, and its payload (UTF-8 JSON bytes)."""

    key: str
    peer_id: str
    timestamp: str
    payload: bytes

    def proto(self) -> plugin_pb2.PluginStoreItem:
        """As sent on the socket."""
        return plugin_pb2.PluginStoreItem(
            timestamp=self.timestamp, peer_id=self.peer_id, store_key=self.key, payload=self.payload
        )


def _now() -> str:
    return str(int(time.time() * 1000))


class LivePlugins:
    """Plugin store handlers of the live plane, and the active plugins of each room."""

    def __init__(self, plane: LivePlane) -> None:
        self.plane = plane
        self._stores: dict[tuple[str, str, str], dict[str, StoreItem]] = {}
        """(meeting id, plugin id, store name) -> key -> item."""
        plane.backend.listeners.append(self._on_notice)

    def handlers(self) -> dict[int, Handler]:
        """Socket request handlers of this feature, by event number."""
        return {
            PluginEvent.STORE_GET_KEYS: self._get,
            PluginEvent.STORE_INSERT_KEYS: self._insert,
            PluginEvent.STORE_DELETE_KEYS: self._delete,
        }

    # -- catalogue ---------------------------------------------------------------------------------
    def catalogue(self) -> list[dict[str, Any]]:
        """The configured plugins (``id``, ``name``, ``url``, ``description``)."""
        return [dict(p) for p in self.plane.backend.config.plugins]

    def active(self, meeting_id: str) -> list[dict[str, Any]]:
        """The active plugins of a meeting's room: ``id``, ``name``, ``enabled_by`` (peer id), ``key``."""
        items = self._stores.get((meeting_id.lower(), meeting_id.lower(), ACTIVE_PLUGINS_STORE), {})
        out = []
        for item in items.values():
            data = _json_object(item.payload)
            plugin_id = item.key.rsplit(":", 1)[-1]
            out.append(
                {
                    "id": plugin_id,
                    "name": str(data.get("name") or ""),
                    "enabled_by": str(data.get("enabledBy") or item.peer_id),
                    "key": item.key,
                }
            )
        return out

    def _plugin(self, meeting_id: str, key: str) -> dict[str, Any]:
        """The catalogue entry a key of ``__rtk_plugins__`` names (``"<meeting id>:<plugin id>"``)."""
        from .edge import RequestError

        prefix, _, plugin_id = key.rpartition(":")
        if prefix and prefix.lower() != meeting_id.lower():
            raise RequestError(400, f"Plugin key {key!r} is for another meeting")
        for entry in self.plane.backend.config.plugins:
            if str(entry["id"]).lower() == plugin_id.lower():
                return dict(entry)
        raise RequestError(404, f"Unknown plugin {plugin_id!r}: it is not in the emulator's plugin catalogue")

    # -- requests ---------------------------------------------------------------------------------
    def _store(self, peer: LivePeer, plugin_id: str, store_name: str) -> dict[str, StoreItem]:
        from .edge import RequestError

        if not store_name:
            raise RequestError(400, "A store request needs a store_name")
        if store_name == ACTIVE_PLUGINS_STORE and plugin_id.lower() != peer.meeting_id.lower():
            raise RequestError(400, f"Store {ACTIVE_PLUGINS_STORE} belongs to plugin_id = the meeting id")
        key = (peer.meeting_id.lower(), plugin_id.lower(), store_name)
        return self._stores.get(key) or {}

    def _keep(self, peer: LivePeer, plugin_id: str, store_name: str) -> dict[str, StoreItem]:
        key = (peer.meeting_id.lower(), plugin_id.lower(), store_name)
        return self._stores.setdefault(key, {})

    async def _get(self, conn: Connection, frame: Frame) -> None:
        request = parse_payload(frame, plugin_pb2.PluginStoreGetKeysRequest)
        peer = conn.peer
        items = self._store(peer, request.plugin_id, request.store_name)
        # The SDK reads the active plugins before it joins; other stores are the room's own data, and
        # a peer in the waiting room reads none of them.
        if peer.waitlisted or (not peer.room_joined and request.store_name != ACTIVE_PLUGINS_STORE):
            items = {}
        wanted = {k.store_key for k in request.get_keys}
        response = plugin_pb2.PluginStoreResponse(
            plugin_id=request.plugin_id,
            store_name=request.store_name,
            store_items=[i.proto() for k, i in items.items() if not wanted or k in wanted],
        )
        conn.push(frame.event, response, id=frame.id)

    async def _insert(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        self.plane._need_room(peer)
        request = parse_payload(frame, plugin_pb2.PluginStoreInsertKeysRequest)
        self._store(peer, request.plugin_id, request.store_name)
        if not request.insert_keys or len(request.insert_keys) > MAX_KEYS_PER_REQUEST:
            raise RequestError(400, f"storeInsertKeys needs 1 to {MAX_KEYS_PER_REQUEST} keys")
        current = self._keep(peer, request.plugin_id, request.store_name)
        if request.store_name == ACTIVE_PLUGINS_STORE:
            changes = self._switch_plugins(peer, current, request.insert_keys)
        else:
            changes = self._write_keys(peer, current, request.insert_keys)
        self._broadcast(conn, frame, request.plugin_id, request.store_name, changes)

    def _switch_plugins(
        self, peer: LivePeer, current: dict[str, StoreItem], entries: Sequence[plugin_pb2.StoreKeys]
    ) -> list[StoreItem]:
        """Activate (JSON payload) or deactivate (null) plugins in ``__rtk_plugins__``: all or none."""
        from .edge import RequestError

        now = _now()
        changes: list[StoreItem] = []
        planned: list[tuple[str, StoreItem | None, StoreItem]] = []
        for entry in entries:
            plugin = self._plugin(peer.meeting_id, entry.store_key)
            payload = _json_value(entry.payload if entry.HasField("payload") else b"")
            existing = current.get(entry.store_key)
            if payload is None:  # deactivation (SDK 2.0.2 sets the key to null)
                self._may_close(peer, plugin, existing)
                item = StoreItem(entry.store_key, peer.peer_id, now, b"null")
                planned.append((entry.store_key, None, item))
                continue
            if not self.plane.allows(peer, "plugins", "can_start"):
                raise RequestError(
                    403,
                    "The preset of this participant does not allow starting plugins (plugins.can_start)",
                )
            data = payload if isinstance(payload, dict) else {}
            data = {
                "name": str(data.get("name") or plugin.get("name") or ""),
                "icon": str(data.get("icon") or ""),
                "id": entry.store_key,
                "enabledBy": peer.peer_id,
            }
            if existing is not None:
                continue  # already active: nothing changes
            item = StoreItem(entry.store_key, peer.peer_id, now, json.dumps(data).encode())
            planned.append((entry.store_key, item, item))
        for key, kept, pushed in planned:  # all checked: apply together
            if kept is None:
                if current.pop(key, None) is None:
                    continue  # was not active
            else:
                current[key] = kept
            changes.append(pushed)
        return changes

    @staticmethod
    def _write_keys(
        peer: LivePeer, current: dict[str, StoreItem], entries: Sequence[plugin_pb2.StoreKeys]
    ) -> list[StoreItem]:
        """Write keys of a plain room store: all checked first, then all written."""
        from .edge import RequestError

        fresh = {e.store_key for e in entries} - set(current)
        if len(current) + len(fresh) > MAX_ITEMS_PER_STORE:
            raise RequestError(400, f"A store holds at most {MAX_ITEMS_PER_STORE} keys")
        for entry in entries:
            if not entry.store_key:
                raise RequestError(400, "Every store key needs a name")
            if len(entry.payload) > MAX_PAYLOAD_BYTES:
                raise RequestError(400, f"A store payload is at most {MAX_PAYLOAD_BYTES} bytes")
        now = _now()
        changes: list[StoreItem] = []
        for entry in entries:
            item = StoreItem(entry.store_key, peer.peer_id, now, bytes(entry.payload))
            current[entry.store_key] = item
            changes.append(item)
        return changes

    async def _delete(self, conn: Connection, frame: Frame) -> None:
        from .edge import RequestError

        peer = conn.peer
        self.plane._need_room(peer)
        request = parse_payload(frame, plugin_pb2.PluginStoreDeleteKeysRequest)
        self._store(peer, request.plugin_id, request.store_name)
        if not request.delete_keys or len(request.delete_keys) > MAX_KEYS_PER_REQUEST:
            raise RequestError(400, f"storeDeleteKeys needs 1 to {MAX_KEYS_PER_REQUEST} keys")
        current = self._keep(peer, request.plugin_id, request.store_name)
        if request.store_name == ACTIVE_PLUGINS_STORE:
            for entry in request.delete_keys:
                plugin = self._plugin(peer.meeting_id, entry.store_key)
                self._may_close(peer, plugin, current.get(entry.store_key))
        now = _now()
        changes: list[StoreItem] = []
        for entry in request.delete_keys:
            if current.pop(entry.store_key, None) is not None:
                changes.append(StoreItem(entry.store_key, peer.peer_id, now, b""))
        self._broadcast(conn, frame, request.plugin_id, request.store_name, changes)

    def _may_close(self, peer: LivePeer, plugin: dict[str, Any], existing: StoreItem | None) -> None:
        from .edge import RequestError

        if self.plane.allows(peer, "plugins", "can_close"):
            return
        if existing is not None and _json_object(existing.payload).get("enabledBy") == peer.peer_id:
            return  # the SDK lets whoever activated a plugin close it
        raise RequestError(
            403,
            f"The preset of this participant does not allow closing plugin {plugin.get('name') or plugin['id']!r} "
            "(plugins.can_close)",
        )

    def _broadcast(
        self, conn: Connection, frame: Frame, plugin_id: str, store_name: str, changes: list[StoreItem]
    ) -> None:
        """The requester gets the change as its reply; every other room member as a push."""
        message = plugin_pb2.PluginStoreResponse(
            plugin_id=plugin_id, store_name=store_name, store_items=[i.proto() for i in changes]
        )
        conn.push(frame.event, message, id=frame.id)
        if not changes:
            return
        for member in self.plane.state.room_of(conn.peer).room_members(exclude=conn.peer.peer_id):
            other = self.plane.connections.get(member.peer_id)
            if other is not None and other.peer is member:
                other.push(frame.event, message)

    # -- lifecycle --------------------------------------------------------------------------------
    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        """Backend listener: stores end with their session (and everything with a reset)."""
        if notice == "emulator.reset":
            self._stores.clear()
        elif notice == "session.ended":
            meeting_id = str(data.get("meeting_id") or "").lower()
            for key in [k for k in self._stores if k[0] == meeting_id]:
                del self._stores[key]


def _json_value(payload: bytes) -> Any:
    """A store payload: UTF-8 JSON (empty = ``{}``, as the SDK reads it); anything else is refused."""
    from .edge import RequestError

    if len(payload) > MAX_PAYLOAD_BYTES:
        raise RequestError(400, f"A store payload is at most {MAX_PAYLOAD_BYTES} bytes")
    if not payload:
        return {}
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RequestError(400, "A store payload must be UTF-8 JSON") from None


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload.decode("utf-8")) if payload else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
