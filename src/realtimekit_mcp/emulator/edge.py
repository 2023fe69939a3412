"""The emulator's socket edge: ``/ws?roomID&peerID&authToken...`` speaking ``SocketMessage`` frames.

Frames, event numbers and payloads are those of ``@cloudflare/realtimekit`` 2.0.2
(``realtimekit_mcp.protocol``). Each socket is one peer; :class:`LivePlane` keeps the rooms
(:mod:`.live`), drives the SFU (:mod:`.sfu`) and records sessions through the backend (join,
leave, chat), and turns REST moderation (kick, kick-all, mute) into pushes. Decisions on points
the reference leaves open are listed in LIMITATIONS.md ("Live plane").

Imports protobuf and aiortc; loaded lazily by :mod:`.routes.client_api` on the first connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final

from google.protobuf.message import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.api_pb2 import ErrorMessage
from realtimekit_mcp.protocol.events import ERROR_EVENT, ChatEvent, MediaEvent, PluginEvent, RoomEvent
from realtimekit_mcp.protocol.framing import (
    PING,
    PONG,
    Frame,
    FrameError,
    decode_frame,
    encode_message,
    parse_payload,
)

from .backend import EmulatorBackend
from .errors import EmulatorError
from .live import ChatEntry, LivePeer, LiveState, RemovalReason, Room
from .routes._common import deny_upgrade
from .sfu import Consumer, Producer, Sfu, SfuError

__all__ = ["CLOSE_CODES", "SERVER_PING_INTERVAL", "LivePlane"]

logger = logging.getLogger(__name__)

SERVER_PING_INTERVAL: Final = 15.0
"""Seconds between the server's ``"2"`` pings when the client connects with ``ping=true``."""

CLOSE_CODES: Final = {
    RemovalReason.KICKED: (4000, "kicked"),
    RemovalReason.MEETING_ENDED: (4001, "meeting ended"),
    RemovalReason.REPLACED: (4409, "replaced"),
    RemovalReason.LEFT: (1000, "left"),
    RemovalReason.REJECTED: (4003, "rejected from the waiting room"),
}
"""WebSocket close code and reason per removal reason (the emulator's choice)."""

MAX_PREFERRED_STREAMS: Final = 25


class RequestError(Exception):
    """A request failed; answered on 65535 (room/chat) or ERROR_RESPONSE (media)."""

    def __init__(self, code: int, message: str, *, media_code: str = "invalid_params") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.media_code = media_code


def _is_media(event: int) -> bool:
    return event & 0xFF000000 == 0x03000000


def _now_ms() -> int:
    return int(time.time() * 1000)


class Connection:
    """One accepted socket: an outgoing queue drained by a writer task, so pushes never block."""

    def __init__(self, websocket: WebSocket, peer: LivePeer) -> None:
        self.websocket = websocket
        self.peer = peer
        self._queue: asyncio.Queue[bytes | str | None] = asyncio.Queue()
        self.closed = asyncio.Event()
        self.close_code: tuple[int, str] | None = None

    def send(self, data: bytes | str) -> None:
        """Queue one frame (dropped once the connection is closing)."""
        if self.close_code is None:
            self._queue.put_nowait(data)

    def push(self, event: int, message: Message | None, *, id: str | None = None) -> None:
        """Queue a protobuf frame (a reply when ``id`` is given, else a push)."""
        self.send(encode_message(event, message, id=id, metadata=None))

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already queued."""
        if self.close_code is None:
            self.close_code = (code, reason)
            self._queue.put_nowait(None)

    async def writer(self) -> None:
        """Send queued frames until :meth:`close` (or the socket fails)."""
        try:
            while True:
                item = await self._queue.get()
                if item is None:
                    break
                if isinstance(item, str):
                    await self.websocket.send_text(item)
                else:
                    await self.websocket.send_bytes(item)
        except Exception:  # the peer went away; the reader notices
            logger.debug("socket of peer %s: send failed", self.peer.peer_id)
        finally:
            code, reason = self.close_code or (1011, "server error")
            with contextlib.suppress(Exception):
                await self.websocket.close(code=code, reason=reason)
            self.closed.set()


Handler = Callable[[Connection, Frame], Awaitable[None]]


class LivePlane:
    """The live plane of one emulator app: sockets, rooms, SFU, and the backend hooks."""

    def __init__(self, backend: EmulatorBackend, *, loopback: bool = True) -> None:
        self.backend = backend
        self.state = LiveState()
        self.sfu = Sfu(loopback=loopback)
        self.connections: dict[str, Connection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.ping_interval = SERVER_PING_INTERVAL
        """Seconds between server pings to sockets opened with ``ping=true``."""
        self._handlers: dict[int, Handler] = {
            RoomEvent.JOIN_ROOM: self._room_join,
            RoomEvent.LEAVE_ROOM: self._room_leave,
            RoomEvent.GET_ROOM_INFO: self._room_info,
            RoomEvent.GET_ROOM_PEERS_INFO: self._room_peers,
            RoomEvent.GET_PEER_INFO: self._peer_info,
            RoomEvent.BROADCAST_MESSAGE: self._broadcast,
            RoomEvent.BROADCAST_TO_ENTITY: self._broadcast_to_entity,
            ChatEvent.GET_MESSAGES: self._chat_history,
            ChatEvent.SEND_MESSAGE_TO_ROOM: self._chat_room,
            ChatEvent.SEND_MESSAGE_TO_PEERS: self._chat_peers,
            PluginEvent.STORE_GET_KEYS: self._plugin_store_get,
            MediaEvent.JOIN_ROOM: self._media_join,
            MediaEvent.LEAVE_ROOM: self._media_leave,
            MediaEvent.CREATE_WEBRTC_TRANSPORT: self._create_transport,
            MediaEvent.PRODUCE: self._produce,
            MediaEvent.CONSUME: self._consume,
            MediaEvent.RENEGOTIATE_SESSION_DESCRIPTION: self._renegotiate,
            MediaEvent.TOGGLE_PRODUCER: self._toggle_producer,
            MediaEvent.CLOSE_PRODUCER: self._close_producer,
            MediaEvent.CLOSE_CONSUMER: self._close_consumer,
            MediaEvent.SELF_JOIN_COMPLETE: self._self_join_complete,
            RoomEvent.KICK: self._kick_peers,
            RoomEvent.KICK_ALL: self._kick_all,
            MediaEvent.HOST_CONTROL_PEER: self._host_control_peer,
            MediaEvent.HOST_CONTROL_ALL_PEERS: self._host_control_all,
        }
        from .live_host import LiveHostFeatures
        from .live_plugins import LivePlugins
        from .live_polls import LivePolls
        from .waiting_room import LiveWaitingRoom

        self.waiting_room = LiveWaitingRoom(self)
        self.host = LiveHostFeatures(self)
        self.polls = LivePolls(self)
        self.plugins = LivePlugins(self)
        for feature in (self.waiting_room, self.host, self.polls, self.plugins):
            self._handlers.update(feature.handlers())
        self._install_hooks()

    # -- backend hooks (REST moderation -> pushes) -------------------------------------------------
    def _install_hooks(self) -> None:
        self.backend.listeners.append(self._on_notice)

    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        """Backend listener (called inside the backend's transaction: only schedules work)."""
        if notice == "peer.kicked":
            self.peers_removed([str(data["peer_id"])], RemovalReason.KICKED.value)
        elif notice == "peer.muted":
            self.peers_muted([str(data["peer_id"])])
        elif notice == "session.ended":
            if data.get("meeting_id"):
                self.state.forget_meeting(str(data["meeting_id"]).lower())
            self._soon(self._end_session_peers(str(data["session_id"])))
        elif notice == "emulator.reset":
            self._soon(self._reset())

    async def _reset(self) -> None:
        """The store was wiped: every peer is gone; close their sockets as if the meeting ended."""
        for conn in list(self.connections.values()):
            await self._remove_by_server(conn.peer.peer_id, RemovalReason.MEETING_ENDED)
        self.state.rooms.clear()
        self.state.accepted.clear()
        self.state.entered.clear()

    async def _end_session_peers(self, session_id: str) -> None:
        for conn in list(self.connections.values()):
            if conn.peer.session_id == session_id:
                await self._remove_by_server(conn.peer.peer_id, RemovalReason.MEETING_ENDED)

    def peers_removed(self, peer_ids: list[str], reason: str) -> None:
        """Backend hook: these peers were removed (``"kicked"`` or ``"meeting_ended"``). Non-blocking."""
        why = RemovalReason(reason)
        for peer_id in peer_ids:
            self._soon(self._remove_by_server(peer_id, why))

    def peers_muted(self, peer_ids: list[str]) -> None:
        """Backend hook: these peers were muted by a host (REST). Non-blocking."""
        for peer_id in peer_ids:
            self._soon(self._mute_by_server(peer_id))

    def _soon(self, coro: Awaitable[None]) -> None:
        loop = self._loop
        if loop is None:
            with contextlib.suppress(RuntimeError):
                loop = asyncio.get_running_loop()
        if loop is None:  # pragma: no cover - no socket was ever served
            coro.close()  # type: ignore[attr-defined]
            return

        def start() -> None:
            self._spawn(coro)

        loop.call_soon_threadsafe(start)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("live plane task failed: %r", task.exception())

    async def _remove_by_server(self, peer_id: str, reason: RemovalReason) -> None:
        conn = self.connections.get(peer_id)
        if conn is None or conn.peer.removed is not None:
            return
        peer = conn.peer
        message = room_pb2.PeerInfoResponse(peer=self._peer_proto(peer))
        event = RoomEvent.KICK if reason is RemovalReason.KICKED else RoomEvent.KICK_ALL
        conn.push(event, message)
        await self._teardown(conn, reason, backend_leave=False)

    async def _mute_by_server(self, peer_id: str) -> None:
        conn = self.connections.get(peer_id)
        if conn is None or conn.peer.removed is not None:
            return
        self._host_control(conn, audio=True, video=False, initiator="")

    def _host_control(self, conn: Connection, *, audio: bool, video: bool, initiator: str) -> None:
        """Tell a peer a host turned its media off, pause those producers and broadcast the toggles."""
        peer = conn.peer
        if audio:
            peer.muted = True
        conn.push(
            MediaEvent.HOST_CONTROL_PEER,
            media_edge_pb2.HostMediaControlForPeerRequest(
                participant_id=peer.peer_id, audio=audio, video=video
            ),
        )
        kinds = {kind for kind, wanted in (("audio", audio), ("video", video)) if wanted}
        room = self.state.room_of(peer)
        for producer in self.sfu.producers_of(peer.peer_id):
            if producer.kind not in kinds or producer.paused:
                continue
            self.sfu.set_paused(producer, True)
            push = media_edge_pb2.PeerProducerToggleBroadcastResponse(
                participant_id=peer.peer_id,
                producer_state=self._producer_state(producer),
                initiator_participant_id=initiator,
            )
            for other in room.media_members():
                self._conn(other).push(MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST, push)

    # -- socket lifecycle --------------------------------------------------------------------------
    async def serve(self, websocket: WebSocket) -> None:
        """Serve one socket from handshake to close."""
        self._loop = asyncio.get_running_loop()
        params = websocket.query_params
        room_id = (params.get("roomID") or "").lower()
        peer_id = params.get("peerID") or ""
        token = params.get("authToken") or ""
        try:
            details = self.backend.verify_participant_token(token)
        except EmulatorError as exc:
            await self._refuse(websocket, exc.status_code, exc.message)
            return
        participant = details["participant"]
        claims = details["claims"]
        if not peer_id or not room_id:
            await self._refuse(websocket, 400, "roomID and peerID are required")
            return
        if str(claims["meetingId"]).lower() != room_id:
            await self._refuse(websocket, 401, "The participant token is for another meeting")
            return
        preset = details.get("preset") or {}
        peer = LivePeer(
            peer_id=peer_id,
            participant_id=participant["id"],
            meeting_id=room_id,
            app_id=details["app_id"],
            display_name=participant.get("name") or participant.get("custom_participant_id") or "",
            custom_participant_id=participant.get("custom_participant_id"),
            preset_id=preset.get("id"),
            preset_name=participant.get("preset_name"),
            picture=participant.get("picture"),
        )
        current = self.connections.get(peer_id)
        if current is not None and current.peer.participant_id != peer.participant_id:
            await self._refuse(websocket, 409, "This peerID is in use by another participant")
            return
        await websocket.accept()
        for old_id in {peer_id, params.get("oldPeerID") or ""} - {""}:
            old = self.connections.get(old_id)
            # Only a connection of the same participant can be replaced (never someone else's).
            if old is not None and old.peer.participant_id == peer.participant_id:
                # A reconnect of an admitted peer does not go back to the waiting room.
                peer.admitted = peer.admitted or old.peer.admitted or old.peer.room_joined
                await self._teardown(old, RemovalReason.REPLACED, backend_leave=True)
        if self.state.entered_before(params.get("oldPeerID") or "", peer.participant_id):
            peer.admitted = True  # a reconnect of a peer that was in the room skips the waiting room
        conn = Connection(websocket, peer)
        self.connections[peer_id] = conn
        self.state.add(peer)
        writer = self._spawn(conn.writer())
        pinger = self._spawn(self._pinger(conn)) if params.get("ping") == "true" else None
        try:
            await self._read_loop(conn)
        finally:
            if pinger is not None:
                pinger.cancel()
            if peer.removed is None:
                await self._teardown(conn, RemovalReason.LEFT, backend_leave=True)
            conn.close(*CLOSE_CODES[peer.removed or RemovalReason.LEFT])
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(writer), 5.0)

    @staticmethod
    async def _refuse(websocket: WebSocket, status: int, message: str) -> None:
        """Refuse the handshake: an HTTP error in RealtimeKit's envelope when the server can send one."""
        logger.info("socket refused: %s", message)
        await deny_upgrade(websocket, status, EmulatorError(message, status_code=status).body())

    async def _pinger(self, conn: Connection) -> None:
        while conn.close_code is None:
            await asyncio.sleep(self.ping_interval)
            conn.send(PING)

    async def _read_loop(self, conn: Connection) -> None:
        websocket = conn.websocket
        while conn.peer.removed is None:
            try:
                message = await websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is not None:
                if text == PING:
                    conn.send(PONG)
                continue
            data = message.get("bytes")
            if data is None:
                continue
            try:
                frame = decode_frame(data)
            except FrameError:
                logger.info("peer %s sent an undecodable frame", conn.peer.peer_id)
                continue
            if _is_media(frame.event):
                # Media requests may wait for a pending negotiation; run them concurrently so a
                # renegotiate answer can still arrive.
                self._spawn(self._dispatch(conn, frame))
            else:
                await self._dispatch(conn, frame)

    async def _dispatch(self, conn: Connection, frame: Frame) -> None:
        handler = self._handlers.get(frame.event)
        try:
            if handler is None:
                raise RequestError(404, f"Event {frame.event} is not supported by the emulator")
            if conn.peer.removed is not None:
                return
            await handler(conn, frame)
        except FrameError as exc:
            self._error(conn, frame, RequestError(400, str(exc), media_code="decoding_error"))
        except RequestError as exc:
            self._error(conn, frame, exc)
        except SfuError as exc:
            self._error(conn, frame, RequestError(400, exc.description, media_code=exc.code))
        except EmulatorError as exc:
            self._error(conn, frame, RequestError(exc.status_code, exc.message))
        except Exception as exc:
            logger.exception("peer %s: %s failed", conn.peer.peer_id, frame)
            self._error(
                conn,
                frame,
                RequestError(500, f"Internal error: {type(exc).__name__}", media_code="internal_error"),
            )

    def _error(self, conn: Connection, frame: Frame, exc: RequestError) -> None:
        if frame.id is None:
            logger.info("peer %s: push-style %s failed: %s", conn.peer.peer_id, frame, exc.message)
            return
        if _is_media(frame.event):
            description = json.dumps({"errorCode": exc.media_code, "errorDescription": exc.message})
            conn.push(
                MediaEvent.ERROR_RESPONSE,
                media_edge_pb2.ErrorResponse(error_message=description, event_id=frame.event),
                id=frame.id,
            )
        else:
            conn.push(ERROR_EVENT, ErrorMessage(code=exc.code, message=exc.message), id=frame.id)

    def _conn(self, peer: LivePeer) -> Connection:
        conn = self.connections.get(peer.peer_id)
        if conn is None or conn.peer is not peer:  # pragma: no cover - state and sockets agree
            raise KeyError(peer.peer_id)
        return conn

    async def _teardown(self, conn: Connection, reason: RemovalReason, *, backend_leave: bool) -> None:
        """Remove a peer: media, room pushes, session leave, socket close."""
        peer = conn.peer
        if peer.removed is not None:
            return
        peer.removed = reason
        if reason not in (RemovalReason.LEFT, RemovalReason.REPLACED):
            self.state.forget_entered(peer.peer_id)  # only a dropped connection may skip the waiting room
        room = self.state.room_of(peer)
        was_media = peer.media_complete
        was_room = peer.room_joined
        was_waiting = peer.waitlisted
        peer.media_complete = peer.media_joined = peer.room_joined = peer.waitlisted = False
        producers, _ = await self.sfu.close_peer(peer.peer_id)
        if was_media:
            for producer in producers:
                push = media_edge_pb2.PeerProducerCloseBroadcastResponse(
                    participant_id=peer.peer_id, producer_state=self._producer_state(producer)
                )
                for other in room.media_members():
                    self._conn(other).push(MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, push)
            leave = media_edge_pb2.PeerLeaveBroadcastResponse(participant_id=peer.peer_id)
            for other in room.media_members():
                self._conn(other).push(MediaEvent.PEER_LEAVE_BROADCAST, leave)
        if was_room:
            info = room_pb2.PeerInfoResponse(peer=self._peer_proto(peer))
            for other in room.room_members():
                self._conn(other).push(RoomEvent.LEAVE_ROOM, info)
            if backend_leave:
                with contextlib.suppress(EmulatorError):
                    self.backend.leave(peer.peer_id)
        if self.connections.get(peer.peer_id) is conn:
            del self.connections[peer.peer_id]
        self.state.discard(peer)
        self.host.peer_gone(room, peer)
        if was_waiting:
            self.waiting_room.changed(room)
        conn.close(*CLOSE_CODES[reason])

    async def aclose(self) -> None:
        """Close every socket (peers leave) and every peer connection."""
        for conn in list(self.connections.values()):
            await self._teardown(conn, RemovalReason.LEFT, backend_leave=True)
        await self.sfu.aclose()
        for task in list(self._tasks):
            task.cancel()

    # -- protobuf builders -------------------------------------------------------------------------
    @staticmethod
    def _peer_proto(peer: LivePeer) -> room_pb2.Peer:
        proto = room_pb2.Peer(
            peer_id=peer.peer_id, user_id=peer.participant_id, display_name=peer.display_name
        )
        if peer.custom_participant_id:
            proto.custom_participant_id = peer.custom_participant_id
        if peer.preset_id:
            proto.preset_id = peer.preset_id
        if peer.picture:
            proto.display_picture_url = peer.picture
        proto.flags.preset_name = peer.preset_name or ""
        proto.waitlisted = peer.waitlisted
        if peer.stage is not None:
            from .live_host import stage_type

            proto.stage_type = stage_type(peer.stage)
        return proto

    @staticmethod
    def _producer_state(producer: Producer) -> media_pb2.ProducerState:
        state = media_pb2.ProducerState(
            producer_id=producer.id,
            kind=media_pb2.AUDIO if producer.kind == "audio" else media_pb2.VIDEO,
            pause=producer.paused,
            screen_share=producer.screen_share,
            producing_transport_id=producer.transport_id,
        )
        if producer.app_data is not None:
            state.app_data = producer.app_data
        if producer.mime_type:
            state.mime_type = producer.mime_type
        return state

    def _room_participant(self, peer: LivePeer) -> media_edge_pb2.RoomParticipants:
        return media_edge_pb2.RoomParticipants(
            peer_id=peer.peer_id,
            display_name=peer.display_name,
            user_id=peer.participant_id,
            producer_states=[self._producer_state(p) for p in self.sfu.producers_of(peer.peer_id)],
        )

    @staticmethod
    def _chat_proto(entry: ChatEntry) -> chat_pb2.ChatMessage:
        return chat_pb2.ChatMessage(
            chat_id=entry.chat_id,
            peer_id=entry.peer_id,
            user_id=entry.user_id,
            display_name=entry.display_name,
            payload_type=entry.payload_type,
            payload=entry.payload,
            target_user_ids=list(entry.targets),
            created_at=entry.created_at_ms // 1000,
            created_at_ms=entry.created_at_ms,
        )

    # -- checks --------------------------------------------------------------------------------------
    def _check_joinable(self, peer: LivePeer) -> None:
        meeting = self.backend.get_meeting(peer.app_id, peer.meeting_id)
        if meeting.get("status") != "ACTIVE":
            raise RequestError(
                403,
                f"Meeting {peer.meeting_id} is INACTIVE: participants cannot join",
                media_code="meeting_inactive",
            )

    @staticmethod
    def _need_room(peer: LivePeer) -> None:
        if not peer.room_joined:
            raise RequestError(409, "Join the room (joinRoom) first")

    @staticmethod
    def _need_media(peer: LivePeer) -> None:
        if not peer.media_joined:
            raise RequestError(409, "Join the media room (media joinRoom) first", media_code="invalid_params")

    def _need_admitted(self, peer: LivePeer) -> None:
        """Refuse media for a peer in (or bound for) the waiting room until a host admits it."""
        if peer.waitlisted or (not peer.room_joined and self.waiting_room.holds(peer)):
            raise RequestError(
                403,
                "This peer is in the waiting room: join the room (joinRoom) and wait for a host to admit it",
                media_code="waitlisted",
            )

    def permissions(self, peer: LivePeer) -> dict[str, Any]:
        """The ``permissions`` of the peer's preset as stored now ({} when it has none)."""
        preset = self.backend.store.get("preset", peer.preset_id) if peer.preset_id else None
        permissions = (preset or {}).get("permissions") or {}
        return permissions if isinstance(permissions, dict) else {}

    def setting(self, peer: LivePeer, *path: str) -> Any:
        """The value at ``permissions[path[0]][path[1]]...`` of the peer's preset (None when absent)."""
        value: Any = self.permissions(peer)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def allows(self, peer: LivePeer, group: str, key: str) -> bool:
        """Whether the peer's preset grants ``permissions[group][key]`` (``polls``, ``plugins``, ...)."""
        return bool(self.setting(peer, group, key))

    # -- room events -----------------------------------------------------------------------------
    async def _room_join(self, conn: Connection, frame: Frame) -> None:
        parse_payload(frame, room_pb2.JoinRoomRequest)
        peer = conn.peer
        if peer.room_joined:
            raise RequestError(409, "This peer has already joined the room")
        if peer.waitlisted:
            raise RequestError(409, "This peer is already waiting in the waiting room for a host")
        self._check_joinable(peer)
        if self.waiting_room.holds(peer):
            self.waiting_room.hold(conn, frame)
            return
        peer.stage = self.host.initial_stage(peer)
        joined = self.backend.join(peer.app_id, peer.meeting_id, peer.participant_id, peer_id=peer.peer_id)
        peer.session_id = joined["session_id"]
        room = self.state.room_of(peer)
        room.enter_session(joined["session_id"])
        peer.room_joined = True
        self.state.note_entered(peer)
        info = room_pb2.PeerInfoResponse(peer=self._peer_proto(peer))
        conn.push(frame.event, info, id=frame.id)
        for other in room.room_members(exclude=peer.peer_id):
            self._conn(other).push(RoomEvent.JOIN_ROOM, info)

    async def _room_leave(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_room(peer)
        conn.push(frame.event, room_pb2.PeerInfoResponse(peer=self._peer_proto(peer)), id=frame.id)
        await self._teardown(conn, RemovalReason.LEFT, backend_leave=True)

    async def _room_info(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        meeting = self.backend.get_meeting(peer.app_id, peer.meeting_id)
        room = room_pb2.Room(
            room_id=peer.meeting_id, title=meeting.get("title") or "", room_uuid=peer.meeting_id
        )
        if peer.session_id:
            session = self.backend.store.get("session", peer.session_id) or {}
            started = session.get("started_at")
            if started:
                from .backend import parse_iso

                room.created_at = int(parse_iso(started).timestamp())
        conn.push(frame.event, room_pb2.RoomInfoResponse(room=room), id=frame.id)

    async def _room_peers(self, conn: Connection, frame: Frame) -> None:
        room = self.state.room_of(conn.peer)
        visible = [] if conn.peer.waitlisted else room.room_members()
        peers = [self._peer_proto(p) for p in visible]
        conn.push(frame.event, room_pb2.RoomPeersInfoResponse(peers=peers), id=frame.id)

    async def _peer_info(self, conn: Connection, frame: Frame) -> None:
        wanted = parse_payload(frame, room_pb2.GetPeerInfoRequest).peer_id or conn.peer.peer_id
        other = self.state.peers.get(wanted)
        outside = conn.peer.waitlisted or not conn.peer.room_joined
        if other is None or other.meeting_id != conn.peer.meeting_id or (outside and other is not conn.peer):
            # A peer outside the room (waiting, or not joined yet) learns about nobody but itself.
            raise RequestError(404, f"No peer {wanted} in this room")
        conn.push(frame.event, room_pb2.PeerInfoResponse(peer=self._peer_proto(other)), id=frame.id)

    async def _broadcast(self, conn: Connection, frame: Frame) -> None:
        self._need_room(conn.peer)
        message = parse_payload(frame, room_pb2.BroadcastMessage)
        if not message.timestamp:
            message.timestamp = _now_ms()
        room = self.state.room_of(conn.peer)
        for other in room.room_members(exclude=conn.peer.peer_id):
            self._conn(other).push(RoomEvent.BROADCAST_MESSAGE, message)
        self.backend.publish(
            "broadcast.sent",
            {
                "meeting_id": conn.peer.meeting_id,
                "session_id": conn.peer.session_id,
                "peer_id": conn.peer.peer_id,
                "type": message.type,
                "payload": bytes(message.payload),
                "timestamp_ms": int(message.timestamp),
            },
        )
        if frame.id is not None:
            conn.push(frame.event, message, id=frame.id)

    async def _broadcast_to_entity(self, conn: Connection, frame: Frame) -> None:
        self._need_room(conn.peer)
        message = parse_payload(frame, room_pb2.BroadcastMessage)
        if not message.timestamp:
            message.timestamp = _now_ms()
        room = self.state.room_of(conn.peer)
        wanted = set(message.ids)
        for other in room.room_members(exclude=conn.peer.peer_id):
            if other.peer_id in wanted:
                self._conn(other).push(RoomEvent.BROADCAST_TO_ENTITY, message)
        if frame.id is not None:
            conn.push(frame.event, message, id=frame.id)

    async def _plugin_store_get(self, conn: Connection, frame: Frame) -> None:
        from realtimekit_mcp.protocol import plugin_pb2

        request = parse_payload(frame, plugin_pb2.PluginStoreGetKeysRequest)
        response = plugin_pb2.PluginStoreResponse(plugin_id=request.plugin_id, store_name=request.store_name)
        conn.push(frame.event, response, id=frame.id)

    # -- chat ------------------------------------------------------------------------------------
    def _new_chat(
        self, peer: LivePeer, payload_type: int, payload: str, targets: tuple[str, ...]
    ) -> ChatEntry:
        return ChatEntry(
            chat_id=str(uuid.uuid4()),
            peer_id=peer.peer_id,
            user_id=peer.participant_id,
            display_name=peer.display_name,
            payload_type=payload_type,
            payload=payload,
            created_at_ms=_now_ms(),
            targets=targets,
        )

    async def _chat_history(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        room = self.state.room_of(peer)
        inside = peer.room_joined and not peer.waitlisted  # the waiting room reads no chat
        messages = [self._chat_proto(e) for e in room.history_for(peer.peer_id)] if inside else []
        conn.push(frame.event, chat_pb2.GetChatMessagesResponse(messages=messages), id=frame.id)

    def _check_chat(self, peer: LivePeer, scope: str, payload_type: int) -> None:
        """Refuse a chat message the peer's preset does not allow (``chat.public``/``chat.private``)."""
        if not self.setting(peer, "chat", scope, "can_send"):
            raise RequestError(403, f"The preset of this participant does not allow chat.{scope}.can_send")
        kind = "text" if payload_type == 0 else "files" if payload_type in (1, 2) else None
        if kind is not None and self.setting(peer, "chat", scope, kind) is False:
            raise RequestError(403, f"The preset of this participant does not allow chat.{scope}.{kind}")

    async def _chat_room(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_room(peer)
        request = parse_payload(frame, chat_pb2.SendChatMessageToRoomRequest)
        self._check_chat(peer, "public", request.payload_type)
        if peer.session_id is not None:
            self.backend.add_chat_message(
                peer.session_id, peer.peer_id, request.payload, payload_type=request.payload_type
            )
        entry = self._new_chat(peer, request.payload_type, request.payload, ())
        room = self.state.room_of(peer)
        room.add_chat(entry)
        push = chat_pb2.SendChatMessageToRoomResponse(message=self._chat_proto(entry))
        for member in room.room_members():
            self._conn(member).push(ChatEvent.SEND_MESSAGE_TO_ROOM, push)

    async def _chat_peers(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_room(peer)
        request = parse_payload(frame, chat_pb2.SendChatMessageToPeersRequest)
        room = self.state.room_of(peer)
        members = {m.peer_id: m for m in room.room_members()}
        missing = [pid for pid in request.peer_ids if pid not in members]
        if missing or not request.peer_ids:
            raise RequestError(404, f"No such peers in this room: {', '.join(missing) or '(none given)'}")
        self._check_chat(peer, "private", request.payload_type)
        deaf = [
            pid
            for pid in dict.fromkeys(request.peer_ids)
            if not self.setting(members[pid], "chat", "private", "can_receive")
        ]
        if deaf:
            raise RequestError(
                403, f"These peers' presets do not allow chat.private.can_receive: {', '.join(deaf)}"
            )
        entry = self._new_chat(peer, request.payload_type, request.payload, tuple(request.peer_ids))
        room.add_chat(entry)
        if peer.session_id is not None:
            self.backend.add_chat_message(
                peer.session_id,
                peer.peer_id,
                request.payload,
                payload_type=request.payload_type,
                targets=[members[pid].participant_id for pid in dict.fromkeys(request.peer_ids)],
            )
        push = chat_pb2.SendChatMessageToPeersResponse(message=self._chat_proto(entry))
        for pid in dict.fromkeys([*request.peer_ids, peer.peer_id]):
            self._conn(members[pid]).push(ChatEvent.SEND_MESSAGE_TO_PEERS, push)

    # -- media -------------------------------------------------------------------------------------
    async def _media_join(self, conn: Connection, frame: Frame) -> None:
        parse_payload(frame, media_edge_pb2.PeerJoinRequest)
        self._check_joinable(conn.peer)
        conn.peer.media_joined = True
        conn.push(frame.event, media_edge_pb2.PeerJoinResponse(), id=frame.id)

    async def _media_leave(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        room = self.state.room_of(peer)
        was_media = peer.media_complete
        peer.media_joined = peer.media_complete = False
        producers, _ = await self.sfu.close_peer(peer.peer_id)
        if was_media:
            for producer in producers:
                push = media_edge_pb2.PeerProducerCloseBroadcastResponse(
                    participant_id=peer.peer_id, producer_state=self._producer_state(producer)
                )
                for other in room.media_members():
                    self._conn(other).push(MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, push)
            leave = media_edge_pb2.PeerLeaveBroadcastResponse(participant_id=peer.peer_id)
            for other in room.media_members():
                self._conn(other).push(MediaEvent.PEER_LEAVE_BROADCAST, leave)
        conn.push(frame.event, media_edge_pb2.PeerLeaveResponse(closed=True), id=frame.id)

    async def _create_transport(self, conn: Connection, frame: Frame) -> None:
        self._need_media(conn.peer)
        request = parse_payload(frame, media_pb2.CreateTransportRequest)
        transport, answer = await self.sfu.create_transport(
            conn.peer.peer_id, consuming=request.consuming, offer_sdp=request.description.sdp
        )
        target = media_pb2.SUBSCRIBER if request.consuming else media_pb2.PUBLISHER
        conn.push(
            frame.event,
            media_pb2.CreateTransportResponse(
                transport_id=transport.id,
                description=media_pb2.SessionDescription(target=target, type="answer", sdp=answer),
            ),
            id=frame.id,
        )

    async def _self_join_complete(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_admitted(peer)
        self._need_media(peer)
        room = self.state.room_of(peer)
        meeting = self.backend.get_meeting(peer.app_id, peer.meeting_id)
        others = room.media_members(exclude=peer.peer_id)
        response = media_edge_pb2.PeerJoinCompleteResponse(
            room_state=media_edge_pb2.GetRoomStateResponse(
                display_title=meeting.get("title") or "",
                room_uuid=peer.meeting_id,
                room_name=peer.meeting_id,
                current_peer_id=peer.peer_id,
                pinned_peer_ids=[room.pinned_peer_id] if room.pinned_peer_id else [],
            ),
            participants=[self._room_participant(o) for o in others],
            selected_peers=media_edge_pb2.SelectedPeersResponse(),
            max_preferred_streams=MAX_PREFERRED_STREAMS,
        )
        first = not peer.media_complete
        peer.media_complete = True
        conn.push(frame.event, response, id=frame.id)
        if first:
            joined = media_edge_pb2.PeerJoinBroadcastResponse(participant=self._room_participant(peer))
            for other in others:
                self._conn(other).push(MediaEvent.PEER_JOINED_BROADCAST, joined)

    async def _produce(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_admitted(peer)
        self._need_media(peer)
        request = parse_payload(frame, media_edge_pb2.ProducerCreateRequest)
        if request.screen_share:
            allowed = self.setting(peer, "media", "screenshare", "can_produce")
            # CAN_REQUEST: allowed once on a stage (as SDK 2.0.2 maps it for stage presets).
            on_stage = bool(self.setting(peer, "stage_enabled")) and peer.stage == "ON_STAGE"
            if allowed != "ALLOWED" and not (allowed == "CAN_REQUEST" and on_stage):
                hint = ", which allows it on the stage only" if allowed == "CAN_REQUEST" else ""
                raise RequestError(
                    403,
                    "The preset of this participant does not allow screen sharing "
                    f"(media.screenshare.can_produce is {allowed or 'unset'}{hint})",
                    media_code="not_allowed",
                )
        self.host.check_produce(peer, request.kind, screen_share=request.screen_share)
        mid: str | None = None
        if request.HasField("app_data"):
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                value = json.loads(request.app_data).get("mid")
                mid = str(value) if value not in (None, "") else None
        transport_id = request.producing_transport_id if request.HasField("producing_transport_id") else ""
        if not transport_id:
            transports = self.sfu.transports_of(peer.peer_id, consuming=False)
            transport_id = transports[-1].id if transports else ""
        producer, answer = await self.sfu.produce(
            peer.peer_id,
            transport_id,
            kind=request.kind,
            offer_sdp=request.description.sdp,
            mid=mid,
            paused=request.paused,
            screen_share=request.screen_share,
            app_data=request.app_data if request.HasField("app_data") else None,
            mime_type=request.mime_type if request.HasField("mime_type") else None,
        )
        conn.push(
            frame.event,
            media_edge_pb2.ProducerCreateResponse(
                status=True,
                producer_id=producer.id,
                description=media_pb2.SessionDescription(
                    target=media_pb2.PUBLISHER, type="answer", sdp=answer
                ),
            ),
            id=frame.id,
        )
        self.backend.publish(
            "producer.created",
            {"producer_id": producer.id, "peer_id": peer.peer_id, "kind": producer.kind},
        )
        if peer.media_complete:
            push = media_edge_pb2.PeerProducerCreateBroadcastResponse(
                participant_id=peer.peer_id, producer_state=self._producer_state(producer)
            )
            for other in self.state.room_of(peer).media_members(exclude=peer.peer_id):
                self._conn(other).push(MediaEvent.PEER_PRODUCER_CREATE_BROADCAST, push)

    async def _consume(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_admitted(peer)
        self._need_media(peer)
        request = parse_payload(frame, media_edge_pb2.ConsumePeersRequest)
        transport_id = request.consuming_transport_id if request.HasField("consuming_transport_id") else ""
        if not transport_id:
            transports = self.sfu.transports_of(peer.peer_id, consuming=True)
            transport_id = transports[-1].id if transports else ""
        room_peers = {p.peer_id for p in self.state.room_of(peer).peers.values()}
        wanted: list[str] = []
        for item in request.requests:
            producer_id = item.producer_id if item.HasField("producer_id") else ""
            if not producer_id:
                producer_id = next(
                    (p.id for p in self.sfu.producers_of(item.producing_peer_id)),
                    f"none-of-{item.producing_peer_id}",
                )
            producer = self.sfu.producers.get(producer_id)
            if producer is not None and producer.peer_id not in room_peers:
                producer_id = f"other-room-{producer_id}"
            wanted.append(producer_id)
        results, offer = await self.sfu.consume(peer.peer_id, transport_id, wanted)
        response = media_edge_pb2.ConsumePeerResponse(status=offer is not None)
        for producer_id, result in results.items():
            state = response.consumer_ids_map.map[producer_id.removeprefix("other-room-")]
            if isinstance(result, SfuError):
                state.error_code = result.code
                continue
            consumer: Consumer = result
            producer = self.sfu.producers[consumer.producer_id]
            state.consumer_id = consumer.id
            state.producer_state.CopyFrom(self._producer_state(producer))
            state.producer_track.CopyFrom(
                media_pb2.ProducerTrack(track_id=producer.id, producer_id=producer.id, stream_id=consumer.mid)
            )
        if offer is not None:
            response.description.CopyFrom(
                media_pb2.SessionDescription(target=media_pb2.SUBSCRIBER, type="offer", sdp=offer)
            )
        conn.push(frame.event, response, id=frame.id)

    async def _renegotiate(self, conn: Connection, frame: Frame) -> None:
        request = parse_payload(frame, media_pb2.RenegotiateRequest)
        transport_id = request.transport_id
        if not transport_id:
            transports = self.sfu.transports_of(conn.peer.peer_id, consuming=True)
            transport_id = transports[-1].id if transports else ""
        await self.sfu.renegotiate(conn.peer.peer_id, transport_id, answer_sdp=request.description.sdp)
        conn.push(frame.event, media_pb2.RenegotiateResponse(transport_id=transport_id), id=frame.id)

    async def _toggle_producer(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        request = parse_payload(frame, media_edge_pb2.ProducerToggleRequest)
        producer = self.sfu.producers.get(request.producer_id)
        if producer is None or producer.peer_id != peer.peer_id:
            if self.host.closed_by_stage(peer, request.producer_id):  # its client cleaning up
                conn.push(frame.event, media_edge_pb2.ProducerToggleResponse(), id=frame.id)
                return
            raise SfuError("not_found_track_error", f"No producer {request.producer_id!r} of this peer")
        self.sfu.set_paused(producer, request.pause)
        if producer.kind == "audio" and not request.pause:
            peer.muted = False
        conn.push(frame.event, media_edge_pb2.ProducerToggleResponse(), id=frame.id)
        push = media_edge_pb2.PeerProducerToggleBroadcastResponse(
            participant_id=peer.peer_id, producer_state=self._producer_state(producer)
        )
        for other in self.state.room_of(peer).media_members(exclude=peer.peer_id):
            self._conn(other).push(MediaEvent.PEER_PRODUCER_TOGGLE_BROADCAST, push)

    async def _close_producer(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        request = parse_payload(frame, media_edge_pb2.ProducerCloseRequest)
        offer = request.description.sdp if request.HasField("description") else None
        producer: Producer | None
        try:
            producer, _, answer = await self.sfu.close_producer(
                peer.peer_id, request.producer_id, offer_sdp=offer
            )
        except SfuError as exc:
            if exc.code != "not_found_track_error":
                raise
            # Closed already when the peer left the stage: answer the client's renegotiation.
            producer, answer = None, await self.host.answer_closed(peer, request.producer_id, offer)
        response = media_edge_pb2.ProducerClosingResponse()
        if answer is not None:
            response.description.CopyFrom(
                media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="answer", sdp=answer)
            )
        conn.push(frame.event, response, id=frame.id)
        if producer is None:
            return
        push = media_edge_pb2.PeerProducerCloseBroadcastResponse(
            participant_id=peer.peer_id, producer_state=self._producer_state(producer)
        )
        for other in self.state.room_of(peer).media_members(exclude=peer.peer_id):
            self._conn(other).push(MediaEvent.PEER_PRODUCER_CLOSE_BROADCAST, push)

    async def _close_consumer(self, conn: Connection, frame: Frame) -> None:
        request = parse_payload(frame, media_edge_pb2.ConsumerCloseRequest)
        offer = request.description.sdp if request.HasField("description") else None
        transport_id = request.consuming_transport_id if request.HasField("consuming_transport_id") else None
        _, answer = await self.sfu.close_consumers(
            conn.peer.peer_id, transport_id, list(request.consumer_ids), offer_sdp=offer
        )
        response = media_edge_pb2.ConsumerClosingResponse()
        if answer is not None:
            response.description.CopyFrom(
                media_pb2.SessionDescription(target=media_pb2.SUBSCRIBER, type="answer", sdp=answer)
            )
        conn.push(frame.event, response, id=frame.id)

    # -- host controls from the socket ------------------------------------------------------------
    def _require(self, peer: LivePeer, permission: str) -> None:
        if not self.permissions(peer).get(permission):
            raise RequestError(403, f"The preset of this participant does not allow {permission}")

    async def _kick_peers(self, conn: Connection, frame: Frame) -> None:
        self._need_room(conn.peer)
        self._require(conn.peer, "kick_participant")
        request = parse_payload(frame, room_pb2.RemoveParticipantsRequest)
        room = self.state.room_of(conn.peer)
        members = {p.peer_id: p for p in room.room_members()}
        missing = [pid for pid in request.peer_ids if pid not in members]
        if missing or not request.peer_ids:
            raise RequestError(404, f"No such peers in this room: {', '.join(missing) or '(none given)'}")
        conn.push(frame.event, room_pb2.PeerInfoResponse(peer=self._peer_proto(conn.peer)), id=frame.id)
        for peer_id in dict.fromkeys(request.peer_ids):
            target = self.connections[peer_id]
            target.push(RoomEvent.KICK, room_pb2.PeerInfoResponse(peer=self._peer_proto(target.peer)))
            await self._teardown(target, RemovalReason.KICKED, backend_leave=True)

    async def _kick_all(self, conn: Connection, frame: Frame) -> None:
        peer = conn.peer
        self._need_room(peer)
        self._require(peer, "kick_participant")
        parse_payload(frame, media_edge_pb2.KickAllPeersRequest)
        conn.push(frame.event, room_pb2.PeerInfoResponse(peer=self._peer_proto(peer)), id=frame.id)
        # The backend ends the session; its session.ended notice pushes kickAll to every peer.
        self.backend.kick_all(peer.app_id, peer.meeting_id)

    async def _host_control_peer(self, conn: Connection, frame: Frame) -> None:
        request = parse_payload(frame, media_edge_pb2.HostMediaControlForPeerRequest)
        self._check_host_control(conn.peer, audio=request.audio, video=request.video)
        target = self.connections.get(request.participant_id)
        if target is None or target.peer.meeting_id != conn.peer.meeting_id:
            raise RequestError(404, f"No peer {request.participant_id} in this room")
        self._host_control(target, audio=request.audio, video=request.video, initiator=conn.peer.peer_id)
        conn.push(frame.event, media_edge_pb2.HostMediaControlForPeerResponse(status="success"), id=frame.id)

    async def _host_control_all(self, conn: Connection, frame: Frame) -> None:
        request = parse_payload(frame, media_edge_pb2.HostMediaControlForAllPeerRequest)
        self._check_host_control(conn.peer, audio=request.audio, video=request.video)
        for other in self.state.room_of(conn.peer).media_members(exclude=conn.peer.peer_id):
            self._host_control(
                self._conn(other), audio=request.audio, video=request.video, initiator=conn.peer.peer_id
            )
        conn.push(
            frame.event, media_edge_pb2.HostMediaControlForAllPeerResponse(status="success"), id=frame.id
        )

    def _check_host_control(self, peer: LivePeer, *, audio: bool, video: bool) -> None:
        self._need_media(peer)
        if audio:
            self._require(peer, "disable_participant_audio")
        if video:
            self._require(peer, "disable_participant_video")

    # -- inspection --------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Rooms, peers, producers and consumers (for ``GET /_emulator/live`` and tests)."""
        rooms = []
        for room in self.state.rooms.values():
            peers = []
            for peer in room.peers.values():
                peers.append(
                    {
                        "peer_id": peer.peer_id,
                        "participant_id": peer.participant_id,
                        "display_name": peer.display_name,
                        "room_joined": peer.room_joined,
                        "media_joined": peer.media_complete,
                        "waitlisted": peer.waitlisted,
                        "stage": peer.stage,
                        "muted": peer.muted,
                        "producers": [
                            {
                                "id": p.id,
                                "kind": p.kind,
                                "paused": p.paused,
                                "forwarded": p.forwarder is not None,
                                "subscribers": sum(
                                    1 for c in self.sfu.consumers.values() if c.producer_id == p.id
                                ),
                            }
                            for p in self.sfu.producers_of(peer.peer_id)
                        ],
                        "consumers": sum(1 for c in self.sfu.consumers.values() if c.peer_id == peer.peer_id),
                    }
                )
            rooms.append(
                {
                    "meeting_id": room.meeting_id,
                    "session_id": room.session_id,
                    "chat": len(room.chat),
                    "pinned_peer_id": room.pinned_peer_id,
                    "peers": peers,
                }
            )
        return {"rooms": rooms, "sfu": self.sfu.stats()}


def room_of(plane: LivePlane, meeting_id: str) -> Room | None:
    """The live room of a meeting, if any peer is connected (for inspection)."""
    return plane.state.rooms.get(meeting_id.lower())
