"""Bot feature ``chat_files``: send images and files in chat, and fetch received ones.

The bot does what the web SDK does (RealtimeKit has no socket message for the bytes):

1. ``POST {api_base}/v2/meetings/chat-upload`` ``{roomUUID, filename}`` with the participant token
   gives ``data.{get_location, put_location}``;
2. ``PUT put_location`` with the bytes and their content type (the URL is presigned: no auth header);
3. a chat message with ``payload_type`` 1 (image; payload = ``get_location``) or 2 (file; payload =
   ``{"link": get_location, "name", "size"}`` JSON), to the room or privately.

:meth:`ChatFiles.fetch` downloads a received image or file, only from the client API origin the
bot was configured with (never an arbitrary host named in a chat message) and at most
``max_bytes``.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.bot.signalling import _headers
from realtimekit_mcp.protocol import chat_pb2
from realtimekit_mcp.protocol.events import ChatEvent
from realtimekit_mcp.protocol.framing import parse_payload

if TYPE_CHECKING:
    from realtimekit_mcp.bot.participant import BotParticipant
    from realtimekit_mcp.bot.signalling import SignallingClient
    from realtimekit_mcp.protocol.framing import Frame

__all__ = ["ChatFileError", "ChatFiles", "file_link"]

MAX_UPLOAD_BYTES = 20_000_000
"""Largest file the bot uploads."""
RECENT = 10
"""Image and file messages kept for :meth:`ChatFiles.status`."""
IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
"""The image types the web SDK sends as image messages, with their magic numbers."""
KINDS = {1: "image", 2: "file"}


class ChatFileError(Exception):
    """An image or file could not be sent or fetched (refused by the server, unreadable, too large)."""


def file_link(payload: str) -> tuple[str, str | None, int | None]:
    """``(url, name, size)`` of an image or file chat payload (a URL, or the SDK's file JSON)."""
    text = payload.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return text, None, None
        if isinstance(data, dict) and isinstance(data.get("link"), str):
            name = data.get("name")
            size = data.get("size")
            return (
                data["link"],
                name if isinstance(name, str) else None,
                size if isinstance(size, int) and not isinstance(size, bool) else None,
            )
    return text, None, None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _server_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message", response.reason_phrase))
    return response.reason_phrase


def _read_file(file: Path) -> bytes:
    try:
        if not file.exists():
            raise ChatFileError(f"no such file: {file.name}")
        if not file.is_file():
            raise ChatFileError(f"{file.name} is not a file")
        size = file.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise ChatFileError(f"{file.name} is {size} bytes; chat files are at most {MAX_UPLOAD_BYTES}")
        data = file.read_bytes()
    except OSError as exc:
        raise ChatFileError(f"cannot read {file.name}: {exc.strerror or type(exc).__name__}") from None
    if not data:
        raise ChatFileError(f"{file.name} is empty")
    return data


def _image_type(path: Path, head: bytes) -> str:
    for content_type, signatures in IMAGE_SIGNATURES.items():
        if head.startswith(signatures):
            return content_type
    raise ChatFileError(f"{path.name} is not a PNG, JPEG or GIF image (the image types chat accepts)")


class ChatFiles(BotFeature):
    """Images and files in chat: :meth:`send_image`, :meth:`send_file`, :meth:`fetch`."""

    name = "chat_files"

    def __init__(self, bot: BotParticipant) -> None:
        super().__init__(bot)
        self._recent: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self._sent = 0
        self._received = 0

    # -- sending -----------------------------------------------------------------------------------
    async def send_image(self, path: str | Path, *, to: list[str] | None = None) -> str:
        """Upload a PNG, JPEG or GIF and send it as an image message (to the room, or privately to
        the given participant or peer ids); returns its download URL.

        Raises:
            ChatFileError: unreadable or not an image, too large, or refused by the server.
            KeyError: a recipient is not in the room. RuntimeError: the bot is not joined.
        """
        path, data = await self._read(path)
        content_type = _image_type(path, data[:16])
        url = await self._upload(path.name, data, content_type, to)
        await self._send(1, url, to)
        self._note_sent("image", url, path.name, len(data), to)
        return url

    async def send_file(self, path: str | Path, *, to: list[str] | None = None) -> str:
        """Upload any file and send it as a file message (``{"link", "name", "size"}``, like the web
        SDK); returns its download URL. Raises like :meth:`send_image`."""
        path, data = await self._read(path)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        url = await self._upload(path.name, data, content_type, to)
        await self._send(2, json.dumps({"link": url, "name": path.name, "size": len(data)}), to)
        self._note_sent("file", url, path.name, len(data), to)
        return url

    async def _read(self, path: str | Path) -> tuple[Path, bytes]:
        self.bot._require_joined()
        file = Path(path)
        return file, await asyncio.to_thread(_read_file, file)

    async def _upload(self, filename: str, data: bytes, content_type: str, to: list[str] | None) -> str:
        recipients = [self.bot._resolve_peer(x) for x in to] if to is not None else None  # KeyError first
        if recipients == []:
            raise ChatFileError("a private message needs at least one recipient")
        bot = self.bot
        headers = _headers(bot._token, bot.peer_id)  # the participant token, as for participant-details
        url = bot.config.api_base.rstrip("/") + "/v2/meetings/chat-upload"
        try:
            response = await bot._http.post(
                url, json={"roomUUID": bot.meeting_id, "filename": filename}, headers=headers
            )
        except httpx.HTTPError as exc:
            raise ChatFileError(f"chat-upload failed: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ChatFileError(
                f"chat-upload refused (HTTP {response.status_code}): {_server_error(response)}"
            )
        try:
            locations = response.json()["data"]
            get_location, put_location = str(locations["get_location"]), str(locations["put_location"])
        except (ValueError, KeyError, TypeError):
            raise ChatFileError("chat-upload answered without get_location and put_location") from None
        try:
            put = await bot._http.put(put_location, content=data, headers={"Content-Type": content_type})
        except httpx.HTTPError as exc:
            raise ChatFileError(f"upload of {filename} failed: {type(exc).__name__}") from None
        if put.status_code >= 400:
            raise ChatFileError(
                f"upload of {filename} refused (HTTP {put.status_code}): {_server_error(put)}"
            )
        return get_location

    async def _send(self, payload_type: int, payload: str, to: list[str] | None) -> None:
        self.bot._require_joined()
        sig = self.bot._require_sig()
        if to is None:
            await sig.send(
                ChatEvent.SEND_MESSAGE_TO_ROOM,
                chat_pb2.SendChatMessageToRoomRequest(payload_type=payload_type, payload=payload),
            )
            return
        peer_ids = list(dict.fromkeys(self.bot._resolve_peer(x) for x in to))
        await sig.send(
            ChatEvent.SEND_MESSAGE_TO_PEERS,
            chat_pb2.SendChatMessageToPeersRequest(
                peer_ids=peer_ids, payload_type=payload_type, payload=payload
            ),
        )

    def _note_sent(self, kind: str, url: str, name: str, size: int, to: list[str] | None) -> None:
        self._sent += 1
        recipients = list(to) if to is not None else None
        self._recent.append(
            {"direction": "sent", "kind": kind, "url": url, "name": name, "size": size, "to": recipients}
        )
        self.bot._emit("chat_sent", kind=kind, url=url, name=name, to=recipients)

    # -- receiving ---------------------------------------------------------------------------------
    def register(self, sig: SignallingClient) -> None:
        """Note the images and files that arrive (for :meth:`status`)."""
        sig.on(ChatEvent.SEND_MESSAGE_TO_ROOM, lambda f: self._on_chat(f, private=False))
        sig.on(ChatEvent.SEND_MESSAGE_TO_PEERS, lambda f: self._on_chat(f, private=True))

    def _on_chat(self, frame: Frame, *, private: bool) -> None:
        if private:
            message = parse_payload(frame, chat_pb2.SendChatMessageToPeersResponse).message
        else:
            message = parse_payload(frame, chat_pb2.SendChatMessageToRoomResponse).message
        kind = KINDS.get(message.payload_type)
        if kind is None or (message.peer_id and message.peer_id == self.bot.peer_id):
            return
        url, name, size = file_link(message.payload)
        self._received += 1
        self._recent.append(
            {
                "direction": "received",
                "kind": kind,
                "url": url,
                "name": name,
                "size": size,
                "private": private,
                "from_participant_id": message.user_id,
                "from_name": message.display_name,
            }
        )

    # -- fetching ----------------------------------------------------------------------------------
    async def fetch(self, url: str, *, max_bytes: int = 20_000_000) -> bytes:
        """Download a received image or file (its URL, or a file message's JSON payload).

        Only URLs on the client API origin the bot was configured with are fetched (the emulator
        serves chat files there), without credentials and without following redirects.

        Raises:
            ChatFileError: another origin, an HTTP error, or more than ``max_bytes``.
        """
        link, _, _ = file_link(url)
        if _origin(link) != _origin(self.bot.config.api_base) or not urlsplit(link).hostname:
            raise ChatFileError(
                "only chat files on the bot's API origin "
                f"({urlsplit(self.bot.config.api_base).netloc}) can be fetched, not {urlsplit(link).netloc or link[:60]!r}"
            )
        chunks: list[bytes] = []
        total = 0
        try:
            async with self.bot._http.stream("GET", link, follow_redirects=False) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise ChatFileError(
                        f"fetch refused (HTTP {response.status_code}): {_server_error(response)}"
                    )
                if response.status_code >= 300:
                    raise ChatFileError(
                        f"fetch answered a redirect (HTTP {response.status_code}); not followed"
                    )
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                    raise ChatFileError(f"the file is {declared} bytes, more than max_bytes={max_bytes}")
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise ChatFileError(f"the file is more than max_bytes={max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ChatFileError(f"fetch failed: {type(exc).__name__}") from None
        return b"".join(chunks)

    # -- feature -----------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """``{"sent", "received", "recent": [last image/file messages, oldest first]}``."""
        return {"sent": self._sent, "received": self._received, "recent": list(self._recent)}
