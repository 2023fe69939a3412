"""WebRTC for the bot: the send and receive peer connections (aiortc), with no protobuf.

RealtimeKit uses two RTCPeerConnections per participant, each created with placeholder
``audio`` and ``video`` sendonly transceivers and offered to the server
(createWebRTCTransport). Every flow below is expressed as SDP in/out through an ``exchange``
callback that the caller (``participant.py``) implements with signalling, and every mutation of a
connection holds that connection's lock from its local change until the server's reply is applied,
as the SDK's per-transport queue does.

Pure SDP helpers (:func:`media_sections`, :func:`msid_of_mid`, :func:`last_section_of_kind`)
are module-level functions with no aiortc dependency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

__all__ = [
    "ConsumeOffer",
    "MediaSection",
    "PeerError",
    "ProduceOffer",
    "RecvTransport",
    "SendTransport",
    "last_section_of_kind",
    "local_capabilities",
    "media_sections",
    "msid_of_mid",
    "set_audio_jitter_prefetch",
]

logger = logging.getLogger(__name__)

Kind = Literal["audio", "video"]


class PeerError(Exception):
    """A WebRTC step failed (bad SDP from the server, missing transceiver, closed connection)."""


# ----------------------------------------------------------------------------- pure SDP helpers


@dataclass(frozen=True, slots=True)
class MediaSection:
    """One ``m=`` section of an SDP: kind, mid, direction and msid (``"<stream> <track>"``)."""

    kind: str
    mid: str | None
    direction: str | None
    msid: str | None
    port: int


def media_sections(sdp: str) -> list[MediaSection]:
    """The media sections of ``sdp`` in order."""
    sections: list[MediaSection] = []
    current: dict[str, Any] | None = None

    def flush() -> None:
        if current is not None:
            sections.append(MediaSection(**current))

    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            flush()
            parts = line[2:].split()
            current = {
                "kind": parts[0] if parts else "",
                "mid": None,
                "direction": None,
                "msid": None,
                "port": int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0,
            }
        elif current is not None:
            if line.startswith("a=mid:"):
                current["mid"] = line[6:]
            elif line.startswith("a=msid:"):
                current["msid"] = line[7:]
            elif line in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"):
                current["direction"] = line[2:]
    flush()
    return sections


def msid_of_mid(sdp: str, mid: str) -> str | None:
    """The ``a=msid`` value of the section whose mid is ``mid``."""
    for section in media_sections(sdp):
        if section.mid == mid:
            return section.msid
    return None


def last_section_of_kind(sdp: str, kind: str) -> MediaSection | None:
    """The last media section of ``kind`` (the SDK takes the produce msid from it)."""
    found = None
    for section in media_sections(sdp):
        if section.kind == kind:
            found = section
    return found


def local_capabilities() -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
    """aiortc's sender/receiver RTP capabilities as plain data, video filtered to VP8 (as the SDK does).

    Shape: ``{"sender"|"receiver": {"audio"|"video": {"codecs": [...], "header_extensions": [...]}}}``
    with codec entries ``{mime_type, clock_rate, channels, sdp_fmtp_line}``.
    """
    result: dict[str, dict[str, Any]] = {}
    for role, cls in (("sender", RTCRtpSender), ("receiver", RTCRtpReceiver)):
        per_kind: dict[str, Any] = {}
        for kind in ("audio", "video"):
            caps = cls.getCapabilities(kind)
            if caps is None:
                continue
            codecs = []
            for codec in caps.codecs:
                if kind == "video" and codec.mimeType.lower() != "video/vp8":
                    continue
                fmtp = ";".join(f"{k}={v}" if v is not None else k for k, v in codec.parameters.items())
                codecs.append(
                    {
                        "mime_type": codec.mimeType,
                        "clock_rate": codec.clockRate,
                        "channels": codec.channels,
                        "sdp_fmtp_line": fmtp or None,
                    }
                )
            per_kind[kind] = {
                "codecs": codecs,
                "header_extensions": [{"uri": ext.uri} for ext in caps.headerExtensions],
            }
        result[role] = per_kind
    return result


# ----------------------------------------------------------------------------- transports

_JITTER_ATTR = "_RTCRtpReceiver__jitter_buffer"


def set_audio_jitter_prefetch(receiver: RTCRtpReceiver, packets: int) -> bool:
    """Make an audio receiver hold ``packets`` frames before decoding (aiortc's default is 4, 80 ms).

    Uses aiortc's private jitter buffer; returns False (and changes nothing) if aiortc has none.
    """
    from aiortc.jitterbuffer import JitterBuffer

    if not hasattr(receiver, _JITTER_ATTR):
        logger.debug("aiortc receiver has no jitter buffer attribute; keeping its default")
        return False
    setattr(receiver, _JITTER_ATTR, JitterBuffer(capacity=16, prefetch=max(0, packets)))
    return True


def _configuration(ice_servers: Sequence[dict[str, Any]]) -> RTCConfiguration:
    servers = []
    for server in ice_servers:
        urls = server.get("urls")
        if not urls:
            continue
        servers.append(
            RTCIceServer(urls=urls, username=server.get("username"), credential=server.get("credential"))
        )
    # An empty list, not None: with None aiortc falls back to a public STUN server.
    return RTCConfiguration(iceServers=servers)


ExchangeFn = Callable[[str], Awaitable[str]]
"""Sends a local offer to the server and returns the server's answer SDP."""


class _Transport:
    """One RTCPeerConnection with its mutation lock and server transport id."""

    direction: Literal["send", "recv"]

    def __init__(self, ice_servers: Sequence[dict[str, Any]] = ()) -> None:
        self.pc = RTCPeerConnection(_configuration(ice_servers))
        self.lock = asyncio.Lock()
        self.server_id: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(server_id={self.server_id!r}, state={self.pc.connectionState!r})"

    async def connect(self, exchange: ExchangeFn) -> str:
        """Add the placeholder transceivers, offer, and apply the server's answer.

        ``exchange`` receives the offer and returns ``(answer)``; the caller stores the transport
        id in :attr:`server_id`. Returns the offer that was sent.
        """
        async with self.lock:
            self.pc.addTransceiver("audio", direction="sendonly")
            self.pc.addTransceiver("video", direction="sendonly")
            offer = await self.pc.createOffer()
            await self.pc.setLocalDescription(offer)
            sdp = self.pc.localDescription.sdp
            answer = await exchange(sdp)
            await self._set_remote(answer, "answer")
            return sdp

    async def _set_remote(self, sdp: str, type_: str) -> None:
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=type_))
        except (ValueError, KeyError, TypeError) as exc:
            raise PeerError(f"server {type_} rejected by aiortc: {exc}") from exc

    async def wait_connected(self, within: float = 10.0) -> None:
        """Wait until the connection state is ``connected`` (raises :class:`PeerError` on failure)."""
        done = asyncio.Event()

        def check() -> None:
            if self.pc.connectionState in ("connected", "failed", "closed"):
                done.set()

        self.pc.on("connectionstatechange", check)
        try:
            check()
            await asyncio.wait_for(done.wait(), within)
        except TimeoutError:
            raise PeerError(f"{self.direction} connection not connected within {within:g} s") from None
        finally:
            self.pc.remove_listener("connectionstatechange", check)
        if self.pc.connectionState != "connected":
            raise PeerError(f"{self.direction} connection {self.pc.connectionState}")

    async def close(self) -> None:
        """Close the peer connection (idempotent).

        A connection still establishing ICE is given up to 3 s to settle first: closing aiortc in
        the middle of its connect step leaves a failed background task behind.
        """
        if self.pc.connectionState == "connecting":
            with contextlib.suppress(PeerError):
                await self.wait_connected(3.0)
        with contextlib.suppress(Exception):
            await self.pc.close()


@dataclass(frozen=True, slots=True)
class ProduceOffer:
    """What a produce request needs: the offer and the new track's mid and msid."""

    sdp: str
    kind: Kind
    mid: str
    msid: str


class SendTransport(_Transport):
    """The publishing connection (target PUBLISHER)."""

    direction = "send"

    def __init__(self, ice_servers: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(ice_servers)
        self._by_mid: dict[str, RTCRtpTransceiver] = {}

    async def produce(
        self, track: MediaStreamTrack, exchange: Callable[[ProduceOffer], Awaitable[str]]
    ) -> str:
        """Add ``track`` sendonly, offer, and apply the server's answer. Returns the track's mid."""
        async with self.lock:
            transceiver = self.pc.addTransceiver(track, direction="sendonly")
            offer = await self.pc.createOffer()
            await self.pc.setLocalDescription(offer)
            sdp = self.pc.localDescription.sdp
            mid = transceiver.mid
            if mid is None:
                raise PeerError("new transceiver has no mid after setLocalDescription")
            section = last_section_of_kind(sdp, track.kind)
            msid = (section.msid if section and section.mid == mid else msid_of_mid(sdp, mid)) or ""
            kind: Kind = "audio" if track.kind == "audio" else "video"
            answer = await exchange(ProduceOffer(sdp=sdp, kind=kind, mid=mid, msid=msid))
            await self._set_remote(answer, "answer")
            self._by_mid[mid] = transceiver
            return mid

    async def close_producer(self, mid: str, exchange: ExchangeFn) -> None:
        """Make the track's transceiver inactive, offer, and apply the server's answer."""
        async with self.lock:
            transceiver = self._by_mid.pop(mid, None)
            if transceiver is None:
                raise PeerError(f"no producing transceiver with mid {mid}")
            transceiver.direction = "inactive"
            with contextlib.suppress(Exception):
                transceiver.sender.replaceTrack(None)
            offer = await self.pc.createOffer()
            await self.pc.setLocalDescription(offer)
            answer = await exchange(self.pc.localDescription.sdp)
            await self._set_remote(answer, "answer")


@dataclass(frozen=True, slots=True)
class ConsumeOffer:
    """The server's reply to a consume request: its offer and the receiving mids it names."""

    sdp: str
    mids: Sequence[str]


@dataclass(slots=True)
class _Consumer:
    mid: str
    transceiver: RTCRtpTransceiver
    track: MediaStreamTrack


class RecvTransport(_Transport):
    """The subscribing connection (target SUBSCRIBER)."""

    direction = "recv"

    def __init__(
        self, ice_servers: Sequence[dict[str, Any]] = (), *, audio_prefetch: int | None = None
    ) -> None:
        super().__init__(ice_servers)
        self._consumers: dict[str, _Consumer] = {}
        self.audio_prefetch = audio_prefetch

    async def consume(
        self,
        request: Callable[[], Awaitable[ConsumeOffer]],
        renegotiate: ExchangeFn,
    ) -> dict[str, MediaStreamTrack]:
        """Ask the server to add tracks, apply its offer, answer, and renegotiate.

        ``request`` sends the consume request and returns the server's offer with the receiving
        mids; ``renegotiate`` sends our answer (its return value is ignored). Returns the remote
        track of each mid.
        """
        async with self.lock:
            offer = await request()
            if not offer.sdp or not offer.mids:
                return {}
            await self._set_remote(offer.sdp, "offer")
            if self.audio_prefetch is not None:  # before the answer: no RTP can arrive yet
                for added in self.pc.getTransceivers():
                    if added.mid in offer.mids and added.kind == "audio":
                        set_audio_jitter_prefetch(added.receiver, self.audio_prefetch)
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            tracks: dict[str, MediaStreamTrack] = {}
            by_mid = {t.mid: t for t in self.pc.getTransceivers() if t.mid is not None}
            for mid in offer.mids:
                transceiver = by_mid.get(mid)
                if transceiver is None or transceiver.receiver.track is None:
                    logger.warning("consume: the server's offer has no receiving section for mid %s", mid)
                    continue
                tracks[mid] = transceiver.receiver.track
                self._consumers[mid] = _Consumer(mid, transceiver, transceiver.receiver.track)
            await renegotiate(self.pc.localDescription.sdp)
            return tracks

    def forget(self, mid: str) -> MediaStreamTrack | None:
        """Drop a consumer from the map without telling the server; returns its track."""
        consumer = self._consumers.pop(mid, None)
        return consumer.track if consumer else None

    async def close_consumers(self, mids: Sequence[str], exchange: ExchangeFn | None) -> None:
        """Make the consumers' transceivers inactive, offer and apply the answer, then stop them.

        Without ``exchange`` (or when it fails) the transceivers are only stopped locally, which
        ends aiortc's receive tasks for them.
        """
        async with self.lock:
            consumers = [c for c in (self._consumers.pop(mid, None) for mid in mids) if c is not None]
            if not consumers:
                return
            try:
                if exchange is not None:
                    for consumer in consumers:
                        consumer.transceiver.direction = "inactive"
                    offer = await self.pc.createOffer()
                    await self.pc.setLocalDescription(offer)
                    answer = await exchange(self.pc.localDescription.sdp)
                    await self._set_remote(answer, "answer")
            finally:
                for consumer in consumers:
                    with contextlib.suppress(Exception):
                        await consumer.transceiver.stop()
