"""Bot feature: plugins (catalogue, activate, deactivate, the room's active set), as SDK 2.0.2 does it.

The room's active plugins are the keys of the plugin store ``__rtk_plugins__`` (store requests
carry ``plugin_id`` = the meeting id; a key is ``"<meeting id>:<plugin id>"``; its payload is
UTF-8 JSON ``{"name", "icon", "id", "enabledBy": <peer id>}``). Activate = ``storeInsertKeys``
with that payload; deactivate = ``storeInsertKeys`` with payload ``null`` (what 2.0.2 sends; a
``storeDeleteKeys`` push from another client deactivates too). Every peer gets the change pushed
as a ``PluginStoreResponse``; ``storeGetKeys`` loads the set after each (re)join.

The catalogue (what the bot may activate) comes from ``GET /v2/plugins/user`` on the client API
with the participant token (the emulator serves its configured catalogue there; SDK 2.0.2 itself
takes the plugin list from the app). The bot never loads or runs plugin content.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Final

import httpx

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.protocol import plugin_pb2
from realtimekit_mcp.protocol.events import PluginEvent
from realtimekit_mcp.protocol.framing import Frame, FrameError, parse_payload

if TYPE_CHECKING:
    from realtimekit_mcp.bot.participant import BotParticipant
    from realtimekit_mcp.bot.signalling import SignallingClient

__all__ = ["ACTIVE_PLUGINS_STORE", "CATALOGUE_PATH", "BotPlugins", "PluginError"]

logger = logging.getLogger(__name__)

ACTIVE_PLUGINS_STORE: Final = "__rtk_plugins__"
CATALOGUE_PATH: Final = "/v2/plugins/user"


class PluginError(Exception):
    """A plugin request failed: unknown plugin, refused by the server (preset rights), catalogue unavailable."""


class BotPlugins(BotFeature):
    """The room's active plugins, live from the store pushes, and the bot's activate/deactivate."""

    name = "plugins"

    def __init__(self, bot: BotParticipant) -> None:
        super().__init__(bot)
        self._joins = 0
        """Counts (re)joins: a loader left over from a failed rejoin attempt does nothing."""
        self._active: dict[str, dict[str, str]] = {}
        """plugin id -> {"id", "name", "enabled_by"}."""
        self._catalogue: list[dict[str, str]] | None = None

    # -- BotFeature ----------------------------------------------------------------------------
    def register(self, sig: SignallingClient) -> None:
        """Follow the plugin store pushes on this signalling client."""
        sig.on(PluginEvent.STORE_INSERT_KEYS, lambda f: self._on_push(f, deleted=False))
        sig.on(PluginEvent.STORE_DELETE_KEYS, lambda f: self._on_push(f, deleted=True))

    def reset(self) -> None:
        """A (re)join begins: load the active plugins once the bot is in the room."""
        self._joins += 1
        self.bot._spawn(self._load_when_joined(self.bot.last_seq, self._joins))

    def status(self) -> dict[str, Any]:
        """``{"active": [{"id", "name", "enabled_by"}]}``."""
        return {"active": self.active()}

    # -- API -----------------------------------------------------------------------------------
    async def catalogue(self) -> list[dict[str, str]]:
        """The plugins this participant may use: ``{"id", "name", "url", "description"}`` each.

        Raises PluginError when the client API does not answer with a catalogue.
        """
        url = self.bot.config.api_base.rstrip("/") + CATALOGUE_PATH
        try:
            response = await self.bot._http.get(url, headers={"Authorization": f"Bearer {self.bot._token}"})
        except httpx.HTTPError as exc:
            raise PluginError(f"the plugin catalogue is unavailable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise PluginError(f"the plugin catalogue is unavailable: HTTP {response.status_code}")
        try:
            items = response.json()["data"]["plugins"]
            catalogue = [
                {
                    "id": str(p["id"]),
                    "name": str(p.get("name") or ""),
                    "url": str(p.get("url") or p.get("baseURL") or ""),
                    "description": str(p.get("description") or ""),
                }
                for p in items
            ]
        except (ValueError, KeyError, TypeError):
            raise PluginError("the plugin catalogue answer is not a list of plugins") from None
        self._catalogue = catalogue
        return [dict(p) for p in catalogue]

    def active(self) -> list[dict[str, str]]:
        """The room's active plugins: ``{"id", "name", "enabled_by"}`` (``enabled_by`` is a peer id)."""
        return [dict(p) for p in self._active.values()]

    async def activate(self, plugin_id: str) -> None:
        """Activate a catalogue plugin for the whole room (plugin id, or its exact name).

        Returns once the server has it. Raises PluginError (unknown plugin; refused, e.g. the
        preset lacks ``plugins.can_start``), RuntimeError when the bot is not joined.
        """
        self.bot._require_joined()
        plugin = await self._find(plugin_id)
        if plugin["id"] in self._active:
            return
        key = self._key(plugin["id"])
        payload = {"name": plugin["name"], "icon": "", "id": key, "enabledBy": self.bot.peer_id}
        await self._insert(key, json.dumps(payload).encode(), f"activating {plugin['name']!r}")

    async def deactivate(self, plugin_id: str) -> None:
        """Deactivate an active plugin for the whole room (plugin id, or its name).

        Returns once the server has it (no-op when it is not active). Raises PluginError (unknown
        plugin; refused, e.g. the preset lacks ``plugins.can_close``), RuntimeError when not joined.
        """
        self.bot._require_joined()
        current = self._active.get(plugin_id) or next(
            (p for p in self._active.values() if p["name"] == plugin_id), None
        )
        if current is None:
            await self._find(plugin_id)  # PluginError for an unknown plugin
            return
        await self._insert(self._key(current["id"]), b"null", f"deactivating {current['name']!r}")

    # -- internals -----------------------------------------------------------------------------
    def _key(self, plugin_id: str) -> str:
        return f"{self.bot.meeting_id}:{plugin_id}"

    async def _find(self, plugin_id: str) -> dict[str, str]:
        catalogue = self._catalogue if self._catalogue is not None else await self.catalogue()
        for entry in catalogue:
            if entry["id"] == plugin_id:
                return entry
        for entry in catalogue:
            if entry["name"] == plugin_id:
                return entry
        if self._catalogue is not None:  # maybe the catalogue changed: look once more
            for entry in await self.catalogue():
                if plugin_id in (entry["id"], entry["name"]):
                    return entry
        names = ", ".join(f"{p['name']} ({p['id']})" for p in self._catalogue or []) or "none"
        raise PluginError(f"unknown plugin {plugin_id!r}; the catalogue has: {names}")

    async def _insert(self, key: str, payload: bytes, what: str) -> None:
        from realtimekit_mcp.bot.signalling import RequestError

        sig = self.bot._require_sig()
        request = plugin_pb2.PluginStoreInsertKeysRequest(
            plugin_id=self.bot.meeting_id,
            store_name=ACTIVE_PLUGINS_STORE,
            insert_keys=[plugin_pb2.StoreKeys(store_key=key, payload=payload)],
        )
        try:
            reply = await sig.request(PluginEvent.STORE_INSERT_KEYS, request, plugin_pb2.PluginStoreResponse)
        except RequestError as exc:
            raise PluginError(f"{what} was refused: {exc.server_message}") from None
        self._apply(reply, deleted=False)

    def _on_push(self, frame: Frame, *, deleted: bool) -> None:
        try:
            message = parse_payload(frame, plugin_pb2.PluginStoreResponse)
        except FrameError:
            logger.info("ignored an undecodable plugin store push")
            return
        self._apply(message, deleted=deleted)

    def _apply(self, message: plugin_pb2.PluginStoreResponse, *, deleted: bool) -> None:
        if (
            message.store_name != ACTIVE_PLUGINS_STORE
            or message.plugin_id.lower() != self.bot.meeting_id.lower()
        ):
            return
        for item in message.store_items:
            plugin_id = item.store_key.rpartition(":")[2]
            data = None if deleted else _json(item.payload)
            if data is None:
                gone = self._active.pop(plugin_id, None)
                if gone is not None:
                    self.bot._emit(
                        "plugin_deactivated", plugin_id=plugin_id, name=gone["name"], by=item.peer_id
                    )
                continue
            if plugin_id in self._active:
                continue
            name = str(data.get("name") or "") or self._catalogue_name(plugin_id)
            enabled_by = str(data.get("enabledBy") or item.peer_id)
            self._active[plugin_id] = {"id": plugin_id, "name": name, "enabled_by": enabled_by}
            self.bot._emit("plugin_activated", plugin_id=plugin_id, name=name, by=enabled_by)

    def _catalogue_name(self, plugin_id: str) -> str:
        for entry in self._catalogue or []:
            if entry["id"] == plugin_id:
                return entry["name"]
        return ""

    async def _load_when_joined(self, after: int, join: int) -> None:
        """Wait for this (re)join to finish, then ``storeGetKeys`` (failures are logged, not raised)."""
        from realtimekit_mcp.bot.signalling import SignallingError

        await self.bot.wait_event(("joined", "reconnected"), after=after)
        sig = self.bot._sig
        if join != self._joins or sig is None:  # a later (re)join has its own loader
            return
        request = plugin_pb2.PluginStoreGetKeysRequest(
            plugin_id=self.bot.meeting_id, store_name=ACTIVE_PLUGINS_STORE
        )
        try:
            reply = await sig.request(PluginEvent.STORE_GET_KEYS, request, plugin_pb2.PluginStoreResponse)
        except SignallingError as exc:
            logger.info("could not load the active plugins after joining: %s", type(exc).__name__)
            return
        present = {item.store_key.rpartition(":")[2] for item in reply.store_items if _json(item.payload)}
        for plugin_id in [p for p in self._active if p not in present]:  # deactivated while away
            gone = self._active.pop(plugin_id)
            self.bot._emit("plugin_deactivated", plugin_id=plugin_id, name=gone["name"], by="")
        self._apply(reply, deleted=False)


def _json(payload: bytes) -> dict[str, Any] | None:
    """A store payload as the SDK reads it: empty = ``{}``; ``null`` (or not an object) = no value."""
    if not payload:
        return {}
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
