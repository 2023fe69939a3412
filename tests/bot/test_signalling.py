"""The signalling layer against an in-memory socket and httpx mock transports (no network, no aiortc)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from typing import Any

import anyio
import httpx
import pytest

from realtimekit_mcp.bot.signalling import (
    BootstrapError,
    HandshakeRefused,
    RequestError,
    RequestTimeout,
    SignallingClient,
    SocketClosed,
    backoff_delays,
    decode_token_claims,
    fetch_ice_servers,
    fetch_participant_details,
    socket_url,
)
from realtimekit_mcp.protocol import api_pb2, chat_pb2, media_edge_pb2, room_pb2
from realtimekit_mcp.protocol.events import ERROR_EVENT, ChatEvent, MediaEvent, RoomEvent
from realtimekit_mcp.protocol.framing import Frame, parse_payload, serialize

from .fakes import FakeConnect, refused

pytestmark = pytest.mark.anyio


def make_token(**claims: Any) -> str:
    def seg(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    body = {"meetingId": "meeting-1", "orgId": "org-1", "participantId": "part-1", **claims}
    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(body)}.c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"


TOKEN = make_token()


# ----------------------------------------------------------------------------- pure parts


def test_token_claims_are_read_without_verification() -> None:
    claims = decode_token_claims(TOKEN)
    assert (claims.meeting_id, claims.org_id, claims.participant_id) == ("meeting-1", "org-1", "part-1")


@pytest.mark.parametrize("token", ["not-a-jwt", "a.!!!.c", make_token(meetingId="")])
def test_tokens_without_a_meeting_id_are_rejected(token: str) -> None:
    with pytest.raises(ValueError):
        decode_token_claims(token)


def test_socket_url_on_cloudflare_uses_the_sdk_flags_and_client_pings() -> None:
    url = socket_url(meeting_id="m", peer_id="p", token="t0k", socket_base_uri="realtime.cloudflare.com")
    assert url.startswith("wss://socket-edge.realtime.cloudflare.com/ws?")
    assert (
        "roomID=m&peerID=p&authToken=t0k&useMediaV2=true&ping=false&capabilities=&joinWithDetails=true"
        "&useCfWorker=true&useStartSession=true"
    ) in url
    assert "oldPeerID" not in url


def test_socket_url_elsewhere_advertises_ping_and_carries_old_peer_id() -> None:
    url = socket_url(meeting_id="m", peer_id="p2", token="t", base="ws://127.0.0.1:9/ws", old_peer_id="p1")
    assert url.startswith("ws://127.0.0.1:9/ws?") and "ping=true&capabilities=2" in url
    assert url.endswith("&oldPeerID=p1")
    assert socket_url(meeting_id="m", peer_id="p", token="t", socket_base_uri="ws://h:1").startswith(
        "ws://h:1/ws?"
    )
    assert socket_url(meeting_id="m", peer_id="p", token="t", socket_base_uri="socket-edge.x.dev").startswith(
        "wss://socket-edge.x.dev/ws?"
    )


def test_a_config_for_one_origin_derives_the_socket_url() -> None:
    from realtimekit_mcp.bot.participant import BotConfig

    config = BotConfig.for_origin("https://rtk.example:8443/", request_timeout=3.0)
    assert (config.api_base, config.socket_url) == ("https://rtk.example:8443", "wss://rtk.example:8443/ws")
    assert config.request_timeout == 3.0
    assert BotConfig().socket_url is None and BotConfig().api_base == "https://api.realtime.cloudflare.com"
    with pytest.raises(ValueError, match="origin"):
        BotConfig.for_origin("rtk.example")


def test_backoff_is_full_jitter_below_a_growing_cap() -> None:
    delays = backoff_delays(0.5, 4.0, rng=random.Random(7))
    got = [next(delays) for _ in range(8)]
    caps = [min(4.0, 0.5 * 2**i) for i in range(8)]
    assert all(0 <= d <= c for d, c in zip(got, caps, strict=True))
    assert len(set(got)) == 8


# ----------------------------------------------------------------------------- REST bootstrap


def _mock(handler: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_participant_details_sends_the_sdk_headers_and_reads_snake_or_camel_case() -> None:
    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        seen["path"] = request.url.path
        data = {
            "participant": {"id": "part-1", "name": "Bot", "customParticipantId": "c1"},
            "preset": {"name": "bots"},
            "meeting": {"title": "Standup"},
            "socket": {"base_uri": "127.0.0.1:9"},
        }
        return httpx.Response(200, json={"success": True, "data": data})

    async with _mock(handler) as http:
        details = await fetch_participant_details(http, "http://api.test/", TOKEN, "peer-9")
    assert seen["path"] == "/v2/internals/participant-details"
    assert seen["authorization"] == f"Bearer {TOKEN}"
    assert seen["x-realtimekit-version"] == "2.0.2" and seen["tracing-id"] == "peer-9"
    assert (details.name, details.custom_participant_id, details.preset_name) == ("Bot", "c1", "bots")
    assert (details.meeting_title, details.socket_base_uri) == ("Standup", "127.0.0.1:9")


async def test_a_refused_bootstrap_says_why_and_never_shows_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"success": False, "error": {"message": f"bad token {TOKEN}"}})

    async with _mock(handler) as http:
        with pytest.raises(BootstrapError) as info:
            await fetch_participant_details(http, "http://api.test", TOKEN, "peer")
    assert info.value.status == 401
    assert "invalid or expired" in str(info.value) and TOKEN not in str(info.value)


async def test_ice_servers_are_read_and_failures_mean_none() -> None:
    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": True, "iceServers": [{"urls": "turn:x"}, {"nope": 1}]})

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="boom")

    async with _mock(ok) as http:
        assert await fetch_ice_servers(http, "http://api.test", TOKEN, "p") == [{"urls": "turn:x"}]
    async with _mock(broken) as http:
        assert await fetch_ice_servers(http, "http://api.test", TOKEN, "p") == []


# ----------------------------------------------------------------------------- the socket


async def connected(fake: FakeConnect, **kwargs: Any) -> SignallingClient:
    client = SignallingClient(
        meeting_id="meeting-1", token=TOKEN, base_url="ws://edge.test/ws", connect=fake, **kwargs
    )
    await client.connect(peer_id="peer-1")
    return client


async def test_replies_are_matched_to_requests_by_id_even_out_of_order() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    server = fake.last
    assert server.query["peerID"] == "peer-1" and server.query["authToken"] == TOKEN
    with anyio.fail_after(5):
        first = asyncio.create_task(client.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse))
        second = asyncio.create_task(
            client.request(
                RoomEvent.GET_ROOM_PEERS_INFO, room_pb2.RoomPeersInfoRequest(), room_pb2.RoomPeersInfoResponse
            )
        )
        f1 = await server.next_frame()
        f2 = await server.next_frame()
        assert f1.id and f2.id and f1.id != f2.id and f1.id.startswith("peer-1-")
        assert f1.payload is None and f1.metadata == b"{}"
        peers = room_pb2.RoomPeersInfoResponse(peers=[room_pb2.Peer(peer_id="x")])
        server.push(Frame(event=f2.event, id=f2.id, payload=serialize(peers)))
        room = room_pb2.RoomInfoResponse(room=room_pb2.Room(title="T"))
        server.push(Frame(event=f1.event, id=f1.id, payload=serialize(room)))
        assert (await first).room.title == "T"
        assert [p.peer_id for p in (await second).peers] == ["x"]
    await client.close()


async def test_error_replies_raise_with_the_server_message() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    server = fake.last
    with anyio.fail_after(5):
        join = asyncio.create_task(
            client.request(RoomEvent.JOIN_ROOM, room_pb2.JoinRoomRequest(), room_pb2.PeerInfoResponse)
        )
        frame = await server.next_frame()
        error = api_pb2.ErrorMessage(code=403, message="Meeting m is INACTIVE")
        server.push(Frame(event=ERROR_EVENT, id=frame.id, payload=serialize(error)))
        with pytest.raises(RequestError) as info:
            await join
        assert info.value.code == 403 and "INACTIVE" in str(info.value)

        produce = asyncio.create_task(
            client.request(
                MediaEvent.PRODUCE,
                media_edge_pb2.ProducerCreateRequest(),
                media_edge_pb2.ProducerCreateResponse,
            )
        )
        frame = await server.next_frame()
        media_error = media_edge_pb2.ErrorResponse(
            error_message=json.dumps(
                {"errorCode": "invalid_session_description", "errorDescription": "bad sdp"}
            ),
            event_id=frame.event,
        )
        server.push(Frame(event=MediaEvent.ERROR_RESPONSE, id=frame.id, payload=serialize(media_error)))
        with pytest.raises(RequestError, match="invalid_session_description: bad sdp"):
            await produce
    await client.close()


async def test_a_request_without_reply_times_out_and_is_forgotten() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    with anyio.fail_after(5), pytest.raises(RequestTimeout):
        await client.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse, reply_timeout=0.05)
    assert client._pending == {}
    await client.close()


async def test_keepalive_answers_pings_and_sends_its_own() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0.01)
    server = fake.last
    with anyio.fail_after(5):
        assert await server.next_sent() == "2"  # the client's own ping
        server.push("2")
        while (await server.next_sent()) != "3":
            pass
    await client.close()


async def test_pushes_go_to_their_event_handler_and_others_to_the_default() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    chats: list[str] = []
    others: list[int] = []
    got_other = asyncio.Event()
    client.on(
        ChatEvent.SEND_MESSAGE_TO_ROOM,
        lambda f: chats.append(parse_payload(f, chat_pb2.SendChatMessageToRoomResponse).message.payload),
    )

    def other(frame: Frame) -> None:
        others.append(frame.event)
        got_other.set()

    client.on_default(other)
    message = chat_pb2.SendChatMessageToRoomResponse(message=chat_pb2.ChatMessage(payload="hi"))
    fake.last.push(
        Frame(event=ChatEvent.SEND_MESSAGE_TO_ROOM, id="someone-else-7", payload=serialize(message))
    )
    fake.last.push(b"\xff\xff")  # undecodable: dropped, the loop goes on
    fake.last.push(Frame(event=RoomEvent.TRANSCRIPT))
    with anyio.fail_after(5):
        await got_other.wait()
    assert chats == ["hi"] and others == [RoomEvent.TRANSCRIPT]
    await client.close()


async def test_a_dropped_socket_fails_pending_requests_and_resolves_closed() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    with anyio.fail_after(5):
        pending = asyncio.create_task(
            client.request(RoomEvent.GET_ROOM_INFO, None, room_pb2.RoomInfoResponse)
        )
        await fake.last.next_frame()
        fake.last.drop()
        with pytest.raises(SocketClosed):
            await pending
        assert "closed" in await client.closed
    assert not client.connected
    with pytest.raises(SocketClosed):
        await client.send(ChatEvent.SEND_MESSAGE_TO_ROOM, chat_pb2.SendChatMessageToRoomRequest(payload="x"))


async def test_reconnect_uses_a_new_peer_id_and_names_the_old_one() -> None:
    fake = FakeConnect()
    client = await connected(fake, ping_interval=0)
    calls = 0

    def flaky(url: str) -> Exception | None:
        nonlocal calls
        calls += 1
        return OSError("connection refused") if calls == 1 else None

    fake.refuse = flaky
    fake.last.drop()
    with anyio.fail_after(5):
        await client.closed
        await client.reconnect(backoff_base=0.001, backoff_cap=0.01)
    assert calls == 2 and len(fake.sockets) == 2
    new = fake.last
    assert new.query["oldPeerID"] == "peer-1" and new.query["peerID"] == client.peer_id != "peer-1"
    assert client.connected and not client.closed.done()
    await client.close()


async def test_a_refused_handshake_is_final_and_redacted() -> None:
    fake = FakeConnect()
    fake.refuse = refused(403, f"Meeting is INACTIVE (token {TOKEN})")
    client = SignallingClient(meeting_id="meeting-1", token=TOKEN, base_url="ws://edge.test/ws", connect=fake)
    with pytest.raises(HandshakeRefused) as info:
        await client.connect()
    assert info.value.status == 403 and "INACTIVE" in str(info.value) and TOKEN not in str(info.value)
    with anyio.fail_after(5), pytest.raises(HandshakeRefused):
        await client.reconnect(backoff_base=0.001, max_attempts=5)
