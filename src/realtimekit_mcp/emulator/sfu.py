"""The emulator's SFU: server-side aiortc peer connections that forward published tracks.

Each participant connection (peer) opens two transports, as the web SDK does: a *publishing*
transport (the client's send PC; here a peer connection that receives) and a *consuming* transport
(the client's recv PC; here a peer connection that sends). Offers and answers are plain SDP, as in
the reference (``realtimekit-live-protocol.md`` A.4-A.6):

* ``create_transport``: the client's offer (placeholder m-lines) is answered;
* ``produce``: the client's offer with a new sendonly m-line is answered; the remote track of that
  m-line becomes a producer, fanned out with :class:`aiortc.contrib.media.MediaRelay`;
* ``consume``: a sendonly transceiver per producer is added to the consuming transport and an SFU
  *offer* is returned; ``renegotiate`` applies the client's answer. ``stream_id`` of the consumer is
  the receiving mid. One offer/answer exchange per transport at a time (later mutations wait).

Everything is loopback-only: no ICE servers (aiortc would otherwise use a public STUN server) and,
while :func:`loopback_only` is active, host candidates on 127.0.0.1 only. This module imports aiortc
and is itself imported lazily (on the first socket connection), never at MCP server start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fractions
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import aioice.ice
import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RtpPacket

__all__ = [
    "NEGOTIATION_TIMEOUT",
    "Consumer",
    "Producer",
    "Sfu",
    "SfuError",
    "Transport",
    "last_mid_of_kind",
    "loopback_only",
    "settle_and_close",
]

logger = logging.getLogger(__name__)

NEGOTIATION_TIMEOUT: Final = 20.0
"""Seconds a transport waits for the client's answer to an SFU offer before giving up on it."""

# -- loopback-only ICE ---------------------------------------------------------------------------

_LOOPBACK_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "rtk_emulator_loopback_only", default=False
)
_original_host_addresses: Callable[[bool, bool], list[str]] = aioice.ice.get_host_addresses


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    """aioice's host address lookup, restricted to 127.0.0.1 inside :func:`loopback_only`."""
    if _LOOPBACK_ONLY.get():
        return ["127.0.0.1"] if use_ipv4 else []
    return _original_host_addresses(use_ipv4, use_ipv6)


def _install_host_filter() -> None:
    # aioice excludes 127.0.0.1 from host candidates; this wrapper only changes behaviour inside
    # loopback_only() (a context variable), so other aiortc users in the process are unaffected.
    if aioice.ice.get_host_addresses is not _host_addresses:
        aioice.ice.get_host_addresses = _host_addresses


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Within this block (and tasks started from it), aioice gathers host candidates on 127.0.0.1 only."""
    _install_host_filter()
    token = _LOOPBACK_ONLY.set(True)
    try:
        yield
    finally:
        _LOOPBACK_ONLY.reset(token)


# -- SDP helpers (pure) ----------------------------------------------------------------------------


def last_mid_of_kind(sdp: str, kind: str) -> str | None:
    """The ``a=mid`` of the last m-line of ``kind`` (``"audio"``/``"video"``) in ``sdp``."""
    current_kind: str | None = None
    found: str | None = None
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            current_kind = line[2:].split(" ", 1)[0]
        elif line.startswith("a=mid:") and current_kind == kind:
            found = line[len("a=mid:") :]
    return found


def payload_types(sdp: str, mid: str, codec: str) -> set[int]:
    """The RTP payload types mapped to ``codec`` (``"opus"``) in the m-line of ``mid``."""
    found: set[int] = set()
    section: list[str] = []
    sections: list[list[str]] = []
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            section = [line]
            sections.append(section)
        elif section:
            section.append(line)
    for lines in sections:
        if f"a=mid:{mid}" not in lines:
            continue
        for line in lines:
            if line.startswith("a=rtpmap:"):
                number, _, encoding = line[len("a=rtpmap:") :].partition(" ")
                if encoding.split("/", 1)[0].lower() == codec.lower() and number.isdigit():
                    found.add(int(number))
    return found


# -- Opus pass-through -------------------------------------------------------------------------------

_OPUS_TIME_BASE: Final = fractions.Fraction(1, 48000)
if TYPE_CHECKING:
    _Packet = av.Packet[Any]  # encoded audio: no stream attached
else:
    _Packet = av.Packet


class ForwardedTrack(MediaStreamTrack):
    """A subscriber's view of a pass-through producer: encoded Opus packets, bounded queue.

    The queue holds at most ``depth`` packets (oldest dropped) and is emptied on the first
    ``recv`` so a subscription starts at the live edge instead of replaying what queued up
    during negotiation.
    """

    kind = "audio"

    def __init__(self, source: OpusForwarder, depth: int) -> None:
        super().__init__()
        self._source = source
        self._queue: asyncio.Queue[_Packet | None] = asyncio.Queue(maxsize=depth)
        self._started = False

    def put(self, packet: _Packet | None) -> None:
        """Queue a packet (None ends the track), dropping the oldest when full."""
        if self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
        self._queue.put_nowait(packet)

    async def recv(self) -> _Packet:
        """The next packet."""
        if not self._started:
            self._started = True
            while self._queue.qsize() > 1:
                self._queue.get_nowait()
        if self.readyState != "live":
            raise MediaStreamError
        packet = await self._queue.get()
        if packet is None:
            raise MediaStreamError
        return packet

    def stop(self) -> None:
        """End this subscription."""
        self._source.unsubscribe(self)
        super().stop()
        self.put(None)


class OpusForwarder:
    """Forwards a publisher's Opus RTP payloads to subscribers without decoding them.

    Installed on the publishing ``RTCRtpReceiver`` in place of its packet handler, so the SFU
    neither decodes nor re-encodes Opus; the RTP timestamp is unwrapped into a monotonic pts.
    """

    def __init__(self, payload_types: set[int], *, depth: int = 10) -> None:
        self.payload_types = payload_types
        self.depth = depth
        self.paused = False
        self.subscribers: set[ForwardedTrack] = set()
        self._last_timestamp: int | None = None
        self._pts = 0

    def install(self, receiver: RTCRtpReceiver) -> None:
        """Take over the receiver's RTP packets (the receiver decodes nothing any more)."""

        async def handle(packet: RtpPacket, arrival_time_ms: int) -> None:
            self.feed(packet.payload_type, packet.payload, packet.timestamp)

        receiver._handle_rtp_packet = handle  # type: ignore[method-assign]

    def feed(self, payload_type: int, payload: bytes, timestamp: int) -> None:
        """Forward one RTP payload (packets of other payload types and late packets are dropped)."""
        if payload_type not in self.payload_types or not payload:
            return
        if self._last_timestamp is not None:
            delta = (timestamp - self._last_timestamp) & 0xFFFFFFFF
            if delta == 0 or delta >= 0x80000000:
                return  # duplicate or reordered: older than what was forwarded
            self._pts += delta
        self._last_timestamp = timestamp
        if self.paused or not self.subscribers:
            return
        for subscriber in list(self.subscribers):
            packet = av.Packet(payload)
            packet.pts = self._pts
            packet.time_base = _OPUS_TIME_BASE
            subscriber.put(packet)

    def subscribe(self) -> ForwardedTrack:
        """A new subscriber track."""
        track = ForwardedTrack(self, self.depth)
        self.subscribers.add(track)
        return track

    def unsubscribe(self, track: ForwardedTrack) -> None:
        """Forget a subscriber track."""
        self.subscribers.discard(track)

    def close(self) -> None:
        """End every subscription."""
        for track in list(self.subscribers):
            track.stop()


# -- state -------------------------------------------------------------------------------------------


class SfuError(Exception):
    """A media request failed; ``code`` is a Realtime SFU error code (``not_found_track_error``...)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(eq=False)
class Transport:
    """One server-side peer connection of a peer."""

    id: str
    peer_id: str
    consuming: bool
    pc: RTCPeerConnection
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending_answer: asyncio.Future[None] | None = None


@dataclass(eq=False)
class Producer:
    """A track a peer publishes."""

    id: str
    peer_id: str
    transport_id: str
    kind: str
    mid: str
    track: MediaStreamTrack
    paused: bool = False
    screen_share: bool = False
    app_data: str | None = None
    mime_type: str | None = None
    drain: asyncio.Task[None] | None = None
    forwarder: OpusForwarder | None = None
    """Set when the producer's Opus packets are forwarded without transcoding."""


@dataclass(eq=False)
class Consumer:
    """A producer forwarded to a subscribing peer's consuming transport."""

    id: str
    producer_id: str
    peer_id: str
    transport_id: str
    mid: str
    track: MediaStreamTrack
    transceiver: RTCRtpTransceiver


def _transceiver_for_mid(pc: RTCPeerConnection, mid: str) -> RTCRtpTransceiver | None:
    for transceiver in pc.getTransceivers():
        if transceiver.mid == mid:
            return transceiver
    return None


async def settle_and_close(pc: RTCPeerConnection, grace: float = 2.0) -> None:
    """Close ``pc``, first letting a connection attempt in progress finish (bounded).

    aiortc's background connect task fails with "RTCIceTransport is closed" when the peer
    connection is closed in the middle of it; waiting for the attempt to settle avoids that.
    """
    negotiated = pc.localDescription is not None and pc.remoteDescription is not None
    if negotiated and pc.connectionState in ("new", "connecting"):
        settled = asyncio.Event()

        def on_change() -> None:
            if pc.connectionState not in ("new", "connecting"):
                settled.set()

        pc.on("connectionstatechange", on_change)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), grace)
        pc.remove_listener("connectionstatechange", on_change)
        await asyncio.sleep(0)  # let the connect task finish its current step
    await pc.close()


async def _drain(track: MediaStreamTrack) -> None:
    """Read and drop frames so a producer with no subscribers does not queue them forever."""
    with contextlib.suppress(Exception, asyncio.CancelledError):
        while True:
            await track.recv()


class Sfu:
    """Transports, producers and consumers of one emulator (all meetings)."""

    def __init__(self, *, loopback: bool = True, forward_opus: bool = True) -> None:
        self._loopback = loopback
        self.forward_opus = forward_opus
        """Forward Opus audio packets as they are (no decode/encode); video is always transcoded."""
        self._relay = MediaRelay()
        self.transports: dict[str, Transport] = {}
        self.producers: dict[str, Producer] = {}
        self.consumers: dict[str, Consumer] = {}
        self._waiters: set[asyncio.Task[None]] = set()

    @contextlib.contextmanager
    def _ice_scope(self) -> Iterator[None]:
        if self._loopback:
            with loopback_only():
                yield
        else:
            yield

    def _transport(self, transport_id: str, peer_id: str, *, consuming: bool) -> Transport:
        transport = self.transports.get(transport_id)
        if transport is None or transport.peer_id != peer_id:
            raise SfuError("not_found_transport_error", f"No transport {transport_id!r} for this peer")
        if transport.consuming != consuming:
            kind = "consuming" if consuming else "producing"
            raise SfuError("invalid_params", f"Transport {transport_id!r} is not a {kind} transport")
        return transport

    def transports_of(self, peer_id: str, *, consuming: bool) -> list[Transport]:
        """The peer's transports of one direction, oldest first."""
        return [t for t in self.transports.values() if t.peer_id == peer_id and t.consuming == consuming]

    async def _answer(self, pc: RTCPeerConnection, offer_sdp: str) -> str:
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:
            raise SfuError("invalid_session_description", f"Offer rejected: {exc}") from None
        with self._ice_scope():
            answer = await pc.createAnswer()
            await pc.setLocalDescription(answer)
        return str(pc.localDescription.sdp)

    async def create_transport(
        self, peer_id: str, *, consuming: bool, offer_sdp: str
    ) -> tuple[Transport, str]:
        """A new transport for ``peer_id`` answering the client's offer; returns it and the answer."""
        if not offer_sdp:
            raise SfuError("invalid_session_description", "createWebRTCTransport needs an offer")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        transport = Transport(id=str(uuid.uuid4()), peer_id=peer_id, consuming=consuming, pc=pc)
        self.transports[transport.id] = transport
        try:
            async with transport.lock:
                answer = await self._answer(pc, offer_sdp)
        except BaseException:
            self.transports.pop(transport.id, None)
            await pc.close()
            raise
        return transport, answer

    async def produce(
        self,
        peer_id: str,
        transport_id: str,
        *,
        kind: str,
        offer_sdp: str,
        mid: str | None,
        paused: bool = False,
        screen_share: bool = False,
        app_data: str | None = None,
        mime_type: str | None = None,
    ) -> tuple[Producer, str]:
        """Answer the publishing offer and register the track of ``mid`` (or the last ``kind`` m-line)."""
        if kind not in ("audio", "video"):
            raise SfuError("invalid_params", f"Unknown producer kind {kind!r}")
        if not offer_sdp:
            raise SfuError("invalid_session_description", "produce without an SDP offer is not supported")
        transport = self._transport(transport_id, peer_id, consuming=False)
        wanted = mid or last_mid_of_kind(offer_sdp, kind)
        if wanted is None:
            raise SfuError("invalid_session_description", f"The offer has no {kind} m-line")
        async with transport.lock:
            answer = await self._answer(transport.pc, offer_sdp)
            transceiver = _transceiver_for_mid(transport.pc, wanted)
            if transceiver is None or transceiver.kind != kind:
                raise SfuError("invalid_session_description", f"No {kind} m-line with mid {wanted!r}")
            if any(p.transport_id == transport.id and p.mid == wanted for p in self.producers.values()):
                raise SfuError("repeated_local_track_error", f"mid {wanted!r} is already produced")
            producer = Producer(
                id=str(uuid.uuid4()),
                peer_id=peer_id,
                transport_id=transport.id,
                kind=kind,
                mid=wanted,
                track=transceiver.receiver.track,
                paused=paused,
                screen_share=screen_share,
                app_data=app_data,
                mime_type=mime_type,
            )
            opus = payload_types(offer_sdp, wanted, "opus") if kind == "audio" else set()
            if self.forward_opus and opus:
                producer.forwarder = OpusForwarder(opus, depth=10)
                producer.forwarder.paused = paused
                producer.forwarder.install(transceiver.receiver)
            else:
                producer.drain = asyncio.ensure_future(
                    _drain(self._relay.subscribe(producer.track, buffered=False))
                )
            self.producers[producer.id] = producer
        return producer, answer

    async def consume(
        self, peer_id: str, transport_id: str, producer_ids: list[str]
    ) -> tuple[dict[str, Consumer | SfuError], str | None]:
        """Add a sendonly transceiver per producer and return the SFU offer (None if nothing was added).

        The transport stays locked until :meth:`renegotiate` applies the client's answer (or
        :data:`NEGOTIATION_TIMEOUT` passes), so consume calls on one transport are serialized.
        """
        transport = self._transport(transport_id, peer_id, consuming=True)
        await transport.lock.acquire()
        released = False
        try:
            results: dict[str, Consumer | SfuError] = {}
            added: list[tuple[str, Producer, MediaStreamTrack, RTCRtpTransceiver]] = []
            for producer_id in producer_ids:
                producer = self.producers.get(producer_id)
                if producer is None:
                    results[producer_id] = SfuError("not_found_track_error", f"No producer {producer_id!r}")
                    continue
                track = (
                    producer.forwarder.subscribe()
                    if producer.forwarder is not None
                    else self._relay.subscribe(producer.track, buffered=True)
                )
                transceiver = transport.pc.addTransceiver(track, direction="sendonly")
                added.append((producer_id, producer, track, transceiver))
            if not added:
                return results, None
            with self._ice_scope():
                offer = await transport.pc.createOffer()
                await transport.pc.setLocalDescription(offer)
            for producer_id, producer, track, transceiver in added:
                consumer = Consumer(
                    id=str(uuid.uuid4()),
                    producer_id=producer.id,
                    peer_id=peer_id,
                    transport_id=transport.id,
                    mid=str(transceiver.mid),
                    track=track,
                    transceiver=transceiver,
                )
                self.consumers[consumer.id] = consumer
                results[producer_id] = consumer
            transport.pending_answer = asyncio.get_running_loop().create_future()
            waiter = asyncio.ensure_future(self._await_answer(transport, transport.pending_answer))
            self._waiters.add(waiter)
            waiter.add_done_callback(self._waiters.discard)
            released = True  # the lock now belongs to the pending exchange
            return results, str(transport.pc.localDescription.sdp)
        finally:
            if not released:
                transport.lock.release()

    async def _await_answer(self, transport: Transport, pending: asyncio.Future[None]) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(pending), NEGOTIATION_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            logger.warning(
                "transport %s: no answer to the SFU offer within %gs", transport.id, NEGOTIATION_TIMEOUT
            )
        finally:
            if transport.pending_answer is pending:
                transport.pending_answer = None
            if transport.lock.locked():
                transport.lock.release()

    async def renegotiate(self, peer_id: str, transport_id: str, *, answer_sdp: str) -> None:
        """Apply the client's answer to the pending SFU offer of a consuming transport."""
        transport = self.transports.get(transport_id)
        if transport is None or transport.peer_id != peer_id:
            raise SfuError("not_found_transport_error", f"No transport {transport_id!r} for this peer")
        pending = transport.pending_answer
        if pending is None or pending.done():
            raise SfuError("invalid_session_description", "No SFU offer is waiting for an answer")
        try:
            await transport.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        except Exception as exc:
            pending.set_result(None)
            raise SfuError("invalid_session_description", f"Answer rejected: {exc}") from None
        pending.set_result(None)

    async def close_consumers(
        self, peer_id: str, transport_id: str | None, ids: list[str], *, offer_sdp: str | None
    ) -> tuple[list[Consumer], str | None]:
        """Close consumers named by consumer id or receiving mid; answer the client's offer if given."""
        closed = [
            c
            for c in list(self.consumers.values())
            if c.peer_id == peer_id
            and (transport_id is None or not transport_id or c.transport_id == transport_id)
            and (c.id in ids or c.mid in ids)
        ]
        for consumer in closed:
            await self._stop_consumer(consumer)
        answer: str | None = None
        if offer_sdp:
            transports = {c.transport_id for c in closed} or ({transport_id} if transport_id else set())
            for tid in transports:
                transport = self.transports.get(tid)
                if transport is not None and transport.peer_id == peer_id:
                    async with transport.lock:
                        answer = await self._answer(transport.pc, offer_sdp)
        return closed, answer

    async def _stop_consumer(self, consumer: Consumer) -> None:
        self.consumers.pop(consumer.id, None)
        consumer.track.stop()
        with contextlib.suppress(Exception):
            consumer.transceiver.direction = "inactive"
        # Stop the sender's RTP and RTCP tasks now (the peer connection may live on for a long time).
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.transceiver.sender.stop(), 2.0)

    async def close_producer(
        self, peer_id: str, producer_id: str, *, offer_sdp: str | None
    ) -> tuple[Producer, list[Consumer], str | None]:
        """Close a producer and every consumer of it; answer the client's offer if given."""
        producer = self.producers.get(producer_id)
        if producer is None or producer.peer_id != peer_id:
            raise SfuError("not_found_track_error", f"No producer {producer_id!r} of this peer")
        consumers = await self._stop_producer(producer)
        answer: str | None = None
        transport = self.transports.get(producer.transport_id)
        if offer_sdp and transport is not None:
            async with transport.lock:
                answer = await self._answer(transport.pc, offer_sdp)
        return producer, consumers, answer

    async def _stop_producer(self, producer: Producer) -> list[Consumer]:
        self.producers.pop(producer.id, None)
        consumers = [c for c in self.consumers.values() if c.producer_id == producer.id]
        for consumer in consumers:
            await self._stop_consumer(consumer)
        if producer.drain is not None:
            producer.drain.cancel()
        if producer.forwarder is not None:
            producer.forwarder.close()
        return consumers

    @staticmethod
    def set_paused(producer: Producer, paused: bool) -> None:
        """Pause or resume a producer; a paused pass-through producer sends nothing to subscribers."""
        producer.paused = paused
        if producer.forwarder is not None:
            producer.forwarder.paused = paused

    def producers_of(self, peer_id: str) -> list[Producer]:
        """The live producers of a peer, oldest first."""
        return [p for p in self.producers.values() if p.peer_id == peer_id]

    async def close_peer(self, peer_id: str) -> tuple[list[Producer], list[Consumer]]:
        """Tear down everything of a peer; returns its producers and the consumers (of others) they fed."""
        producers = self.producers_of(peer_id)
        fed: list[Consumer] = []
        for producer in producers:
            fed.extend(c for c in await self._stop_producer(producer) if c.peer_id != peer_id)
        for consumer in [c for c in self.consumers.values() if c.peer_id == peer_id]:
            await self._stop_consumer(consumer)
        closing = [t for t in self.transports.values() if t.peer_id == peer_id]
        for transport in closing:
            self.transports.pop(transport.id, None)
            if transport.pending_answer is not None and not transport.pending_answer.done():
                transport.pending_answer.set_result(None)
        # The peer connections are independent: close them together (each waits a settle grace).
        await asyncio.gather(*(settle_and_close(t.pc) for t in closing), return_exceptions=True)
        return producers, fed

    async def aclose(self) -> None:
        """Close every peer connection."""
        for peer_id in {t.peer_id for t in self.transports.values()} | {
            p.peer_id for p in self.producers.values()
        }:
            await self.close_peer(peer_id)

    def stats(self) -> dict[str, Any]:
        """Counts, for the control plane and tests."""
        return {
            "transports": len(self.transports),
            "producers": len(self.producers),
            "consumers": len(self.consumers),
        }
