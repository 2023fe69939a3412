"""A minimal, independent socket-edge client for the live-plane tests (not the bot's code).

It speaks the reference's join sequence with ``websockets`` + the generated protobuf classes and
does WebRTC with aiortc: placeholder transceivers, produce, consume + renegotiate.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import math
import time
import uuid
from collections import defaultdict
from typing import Any, TypeVar

import websockets
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack
from av import AudioFrame
from google.protobuf.message import Message

from realtimekit_mcp.emulator.sfu import loopback_only, settle_and_close
from realtimekit_mcp.protocol import chat_pb2, media_edge_pb2, media_pb2, room_pb2
from realtimekit_mcp.protocol.api_pb2 import ErrorMessage
from realtimekit_mcp.protocol.events import ERROR_EVENT, ChatEvent, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import PING, PONG, decode_frame, encode_message

M = TypeVar("M", bound=Message)


class EdgeError(Exception):
    """The server answered a request with an error frame."""

    def __init__(self, event: int, message: str) -> None:
        super().__init__(message)
        self.event = event
        self.message = message


class ToneTrack(AudioStreamTrack):
    """A paced sine tone: 48 kHz mono s16, 20 ms frames (one second precomputed, then repeated)."""

    def __init__(self, frequency: float = 440.0, amplitude: float = 0.5) -> None:
        super().__init__()
        self.frequency = frequency
        rate = 48000
        self._second = b"".join(
            int(32767 * amplitude * math.sin(2 * math.pi * frequency * i / rate)).to_bytes(
                2, "little", signed=True
            )
            for i in range(rate)
        )  # whole cycles in one second for an integer frequency
        self._samples = 0
        self._t0: float | None = None
        self.frames_sent = 0

    async def recv(self) -> AudioFrame:
        rate, n = 48000, 960
        if self._t0 is None:
            self._t0 = time.monotonic()
        wait = self._t0 + self._samples / rate - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)  # media pacing, not a test wait
        frame = AudioFrame(format="s16", layout="mono", samples=n)
        offset = (self._samples % rate) * 2
        frame.planes[0].update(self._second[offset : offset + n * 2])
        frame.pts = self._samples
        frame.sample_rate = rate
        frame.time_base = fractions.Fraction(1, rate)
        self._samples += n
        self.frames_sent += 1
        return frame


def goertzel_power(samples: list[float], rate: int, frequency: float) -> float:
    """Signal power at ``frequency`` (Goertzel)."""
    coeff = 2 * math.cos(2 * math.pi * frequency / rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def mono_samples(frame: AudioFrame) -> list[float]:
    """The first channel of an s16 (packed) frame, as floats."""
    data = bytes(frame.planes[0])[: frame.samples * 2 * len(frame.layout.channels)]
    channels = len(frame.layout.channels)
    values = [int.from_bytes(data[i : i + 2], "little", signed=True) for i in range(0, len(data), 2)]
    return [float(v) for v in values[::channels]]


class RawPeer:
    """One peer: socket, request/response by id, pushes by event, two aiortc peer connections."""

    def __init__(self, ws_url: str, meeting_id: str, token: str, *, ping: bool = False) -> None:
        self.peer_id = str(uuid.uuid4())
        flags = "useMediaV2=true&capabilities=&joinWithDetails=true&useCfWorker=true&useStartSession=true"
        self.url = (
            f"{ws_url}?roomID={meeting_id}&peerID={self.peer_id}&authToken={token}"
            f"&ping={'true' if ping else 'false'}&{flags}"
        )
        self.meeting_id = meeting_id
        self._counter = 0
        self._pending: dict[str, asyncio.Future[tuple[int, bytes | None]]] = {}
        self.pushes: dict[int, list[bytes | None]] = defaultdict(list)
        self._push_arrived = asyncio.Condition()
        self.texts: list[str] = []
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self.send_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.recv_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.send_transport_id = ""
        self.recv_transport_id = ""
        self.tracks_by_mid: dict[str, MediaStreamTrack] = {}
        self._track_arrived = asyncio.Condition()
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None

        @self.recv_pc.on("track")
        async def on_track(track: MediaStreamTrack) -> None:
            for transceiver in self.recv_pc.getTransceivers():
                if transceiver.receiver.track is track and transceiver.mid is not None:
                    async with self._track_arrived:
                        self.tracks_by_mid[transceiver.mid] = track
                        self._track_arrived.notify_all()

    # -- socket ---------------------------------------------------------------------------------
    async def connect(self) -> None:
        self._ws = await websockets.connect(self.url, max_size=None)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if isinstance(message, str):
                    if message == PING:
                        await self._ws.send(PONG)
                    async with self._push_arrived:
                        self.texts.append(message)
                        self._push_arrived.notify_all()
                    continue
                frame = decode_frame(message)
                if frame.id is not None and frame.id in self._pending:
                    future = self._pending.pop(frame.id)
                    if not future.done():
                        future.set_result((frame.event, frame.payload))
                    continue
                async with self._push_arrived:
                    self.pushes[frame.event].append(frame.payload)
                    self._push_arrived.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            rcvd = self._ws.protocol.close_rcvd
            self.close_code = rcvd.code if rcvd is not None else None
            self.close_reason = rcvd.reason if rcvd is not None else None
            self.closed.set()
            async with self._push_arrived:
                self._push_arrived.notify_all()

    async def request(self, event: int, message: Message | None, reply: type[M]) -> M:
        """Send a request and return its parsed reply (raises EdgeError on an error frame)."""
        self._counter += 1
        rid = f"{self.peer_id}-{self._counter}"
        future: asyncio.Future[tuple[int, bytes | None]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        await self._ws.send(encode_message(event, message, id=rid))
        got_event, payload = await future
        if got_event == ERROR_EVENT:
            error = ErrorMessage()
            error.ParseFromString(payload or b"")
            raise EdgeError(got_event, error.message)
        if got_event == MediaEvent.ERROR_RESPONSE:
            media_error = media_edge_pb2.ErrorResponse()
            media_error.ParseFromString(payload or b"")
            raise EdgeError(got_event, media_error.error_message)
        assert got_event == event
        out = reply()
        out.ParseFromString(payload or b"")
        return out

    async def send(self, event: int, message: Message | None) -> None:
        """Fire and forget (no id)."""
        await self._ws.send(encode_message(event, message))

    async def wait_push(self, event: int, reply: type[M], count: int = 1) -> list[M]:
        """The first ``count`` pushes of ``event`` (waits for them; bound it with fail_after)."""
        async with self._push_arrived:
            await self._push_arrived.wait_for(
                lambda: len(self.pushes[event]) >= count or self.closed.is_set()
            )
        items = self.pushes[event][:count]
        assert len(items) >= count, f"socket closed before {count} pushes of {event}"
        out = []
        for payload in items:
            message = reply()
            message.ParseFromString(payload or b"")
            out.append(message)
        return out

    # -- join sequence ----------------------------------------------------------------------------
    async def offer(self, pc: RTCPeerConnection) -> str:
        """Create and apply a local offer (loopback candidates only); returns its SDP."""
        with loopback_only():
            offer = await pc.createOffer()
            await pc.setLocalDescription(offer)
        return str(pc.localDescription.sdp)

    async def join(self, name: str = "raw") -> media_edge_pb2.PeerJoinCompleteResponse:
        """media join, two transports, room join, room info/peers/chat, selfJoinComplete."""
        await self.request(
            MediaEvent.JOIN_ROOM,
            media_edge_pb2.PeerJoinRequest(room_uuid=self.meeting_id, display_name=name),
            media_edge_pb2.PeerJoinResponse,
        )
        for pc, consuming in ((self.send_pc, False), (self.recv_pc, True)):
            pc.addTransceiver("audio", direction="sendonly")
            pc.addTransceiver("video", direction="sendonly")
            sdp = await self.offer(pc)
            target = media_pb2.SUBSCRIBER if consuming else media_pb2.PUBLISHER
            response = await self.request(
                MediaEvent.CREATE_WEBRTC_TRANSPORT,
                media_pb2.CreateTransportRequest(
                    consuming=consuming,
                    description=media_pb2.SessionDescription(target=target, type="offer", sdp=sdp),
                ),
                media_pb2.CreateTransportResponse,
            )
            await pc.setRemoteDescription(RTCSessionDescription(sdp=response.description.sdp, type="answer"))
            if consuming:
                self.recv_transport_id = response.transport_id
            else:
                self.send_transport_id = response.transport_id
        await self.request(
            RoomEvent.JOIN_ROOM,
            room_pb2.JoinRoomRequest(peer=room_pb2.Peer(peer_id=self.peer_id, display_name=name)),
            room_pb2.PeerInfoResponse,
        )
        await self.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
        await self.request(
            RoomEvent.GET_ROOM_PEERS_INFO, room_pb2.RoomPeersInfoRequest(), room_pb2.RoomPeersInfoResponse
        )
        await self.request(ChatEvent.GET_MESSAGES, None, chat_pb2.GetChatMessagesResponse)
        return await self.request(
            MediaEvent.SELF_JOIN_COMPLETE,
            media_edge_pb2.PeerJoinCompleteRequest(),
            media_edge_pb2.PeerJoinCompleteResponse,
        )

    async def publish(self, track: MediaStreamTrack) -> str:
        """Produce ``track`` on the send transport; returns the producer id."""
        transceiver = self.send_pc.addTransceiver(track, direction="sendonly")
        sdp = await self.offer(self.send_pc)
        response = await self.request(
            MediaEvent.PRODUCE,
            media_edge_pb2.ProducerCreateRequest(
                kind=track.kind,
                paused=False,
                screen_share=False,
                description=media_pb2.SessionDescription(target=media_pb2.PUBLISHER, type="offer", sdp=sdp),
                msid=track.id,
                app_data=json.dumps({"screenShare": False, "e2ee": False, "mid": transceiver.mid}),
                mime_type="audio/opus" if track.kind == "audio" else "video/VP8",
                producing_transport_id=self.send_transport_id,
            ),
            media_edge_pb2.ProducerCreateResponse,
        )
        await self.send_pc.setRemoteDescription(
            RTCSessionDescription(sdp=response.description.sdp, type="answer")
        )
        return response.producer_id

    async def subscribe(self, peer_id: str, producer_id: str) -> MediaStreamTrack:
        """Consume a producer, answer the SFU offer, renegotiate; returns the receiving track."""
        response = await self.request(
            MediaEvent.CONSUME,
            media_edge_pb2.ConsumePeersRequest(
                requests=[
                    media_edge_pb2.ConsumePeerRequest(producing_peer_id=peer_id, producer_id=producer_id)
                ],
                consuming_transport_id=self.recv_transport_id,
            ),
            media_edge_pb2.ConsumePeerResponse,
        )
        state = response.consumer_ids_map.map[producer_id]
        assert not state.HasField("error_code"), state.error_code
        mid = state.producer_track.stream_id
        await self.recv_pc.setRemoteDescription(
            RTCSessionDescription(sdp=response.description.sdp, type="offer")
        )
        with loopback_only():
            answer = await self.recv_pc.createAnswer()
            await self.recv_pc.setLocalDescription(answer)
        await self.request(
            MediaEvent.RENEGOTIATE_SESSION_DESCRIPTION,
            media_pb2.RenegotiateRequest(
                transport_id=self.recv_transport_id,
                description=media_pb2.SessionDescription(
                    target=media_pb2.SUBSCRIBER, type="answer", sdp=self.recv_pc.localDescription.sdp
                ),
            ),
            media_pb2.RenegotiateResponse,
        )
        async with self._track_arrived:
            await self._track_arrived.wait_for(lambda: mid in self.tracks_by_mid)
        return self.tracks_by_mid[mid]

    async def close(self) -> None:
        """Close the peer connections and the socket."""
        await settle_and_close(self.send_pc)
        await settle_and_close(self.recv_pc)
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader
