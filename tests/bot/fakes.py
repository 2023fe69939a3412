"""An in-memory WebSocket and connect function for signalling tests (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from realtimekit_mcp.bot.signalling import HandshakeRefused, WebSocketLike
from realtimekit_mcp.protocol.framing import Frame, decode_frame, encode_frame


class FakeClosed(Exception):
    """Raised by recv() once the fake socket is closed."""


class FakeSocket:
    """The client end of a fake WebSocket. The test plays the server with :meth:`push` and :meth:`next_sent`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.query = {
            k: v[0] if v else "" for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()
        }
        self._incoming: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self._sent: asyncio.Queue[str | bytes] = asyncio.Queue()
        self.closed = False
        self.close_code: int | None = None

    # client side (WebSocketLike)
    async def send(self, message: str | bytes) -> None:
        if self.closed:
            raise FakeClosed("send on a closed socket")
        await self._sent.put(message)

    async def recv(self) -> str | bytes:
        if self.closed:
            raise FakeClosed("closed")
        item = await self._incoming.get()
        if item is None:
            self.closed = True
            raise FakeClosed("closed by server")
        return item

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = True
        self.close_code = code
        self._incoming.put_nowait(None)

    # server side (the test)
    def push(self, data: str | bytes | Frame) -> None:
        self._incoming.put_nowait(encode_frame(data) if isinstance(data, Frame) else data)

    def drop(self) -> None:
        """Close from the server side (the client's recv raises)."""
        self._incoming.put_nowait(None)

    async def next_sent(self) -> str | bytes:
        return await self._sent.get()

    async def next_frame(self) -> Frame:
        while True:
            item = await self._sent.get()
            if isinstance(item, bytes):
                return decode_frame(item)


class FakeConnect:
    """A connect function handing out :class:`FakeSocket` objects; ``refuse`` makes the next calls fail."""

    def __init__(self) -> None:
        self.sockets: list[FakeSocket] = []
        self.refuse: Callable[[str], Exception | None] | None = None
        self.opened = asyncio.Event()

    async def __call__(self, url: str) -> WebSocketLike:
        if self.refuse is not None:
            error = self.refuse(url)
            if error is not None:
                raise error
        socket = FakeSocket(url)
        self.sockets.append(socket)
        self.opened.set()
        return socket

    @property
    def last(self) -> FakeSocket:
        return self.sockets[-1]


def refused(status: int, reason: str) -> Callable[[str], Exception | None]:
    return lambda url: HandshakeRefused(status, reason)
