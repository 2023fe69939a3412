"""Image and file chat uploads: RealtimeKit's presigned upload and download URLs, emulated.

The web SDK sends an image or a file in three steps (there is no socket message for the bytes):

1. ``POST /v2/meetings/chat-upload`` ``{roomUUID, filename, expiry}`` with the participant token
   answers ``{"success": true, "data": {"get_location", "put_location"}}``;
2. ``PUT put_location`` with the bytes (no auth header: the URL is presigned, like S3's);
3. a chat message with ``payload_type`` 1 (image: payload = ``get_location``) or 2 (file: payload =
   ``{"link": get_location, "name", "size"}`` as JSON).

Here both locations are signed, expiring ``/_emulator/chat-files/{id}/{name}`` URLs on the
emulator's origin (HMAC of the method, id and expiry with the emulator's URL secret). Upload
records are documents of kind ``chat_file`` in the emulator's store; the bytes live in a
``<database>.chat-files`` directory next to an on-disk database, or in memory for ``:memory:``.
A reset of the emulator forgets both. This module has no HTTP imports: the routes are in
:mod:`.routes.chat_files`.
"""

from __future__ import annotations

import math
import mimetypes
import secrets
import shutil
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import tokens
from .backend import iso
from .errors import BadRequest, Forbidden, NotFound, PayloadTooLarge

if TYPE_CHECKING:
    from .backend import EmulatorBackend

__all__ = [
    "IMAGE_TYPES",
    "MAX_CHAT_FILE_BYTES",
    "ChatFileStore",
    "StoredFile",
]

MAX_CHAT_FILE_BYTES = 20 * 1024 * 1024
"""Largest upload accepted (bytes); a larger PUT is refused with 413."""
MEMORY_BUDGET_BYTES = 256 * 1024 * 1024
"""In memory (no data directory), the oldest uploads are forgotten past this total."""
PUT_URL_TTL = 15 * 60
"""Seconds a ``put_location`` stays valid."""
MIN_GET_TTL = 60
MAX_FILENAME = 255
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""Content types served inline; anything else is served as an ``application/octet-stream`` attachment."""
KIND = "chat_file"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A downloaded upload: its bytes, the content type it is served with and its file name."""

    data: bytes
    content_type: str
    filename: str


def _clean_filename(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest('"filename" is required and must be a non-empty string')
    name = value.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise BadRequest('"filename" must name a file')
    if len(name) > MAX_FILENAME:
        raise BadRequest(f'"filename" must be at most {MAX_FILENAME} characters')
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise BadRequest('"filename" must not contain control characters')
    return name


def served_type(declared: str | None, filename: str) -> str:
    """The content type a download is served with: an image type as declared (or guessed from the
    name), anything else ``application/octet-stream`` (never HTML or script from the emulator's origin)."""
    candidate = (declared or "").split(";", 1)[0].strip().lower()
    if candidate not in IMAGE_TYPES:
        guessed = (mimetypes.guess_type(filename)[0] or "").lower()
        candidate = guessed if guessed in IMAGE_TYPES and not candidate else candidate
    return candidate if candidate in IMAGE_TYPES else "application/octet-stream"


class ChatFileStore:
    """Upload records (in the emulator's store) and their bytes (on disk or in memory).

    Args:
        backend: the emulator backend (store, clock, URL secret, base URL, config).
        max_bytes: the largest upload accepted.
        directory: where the bytes go; by default ``<database>.chat-files`` next to an on-disk
            database, none (memory) for ``:memory:``.
    """

    def __init__(
        self,
        backend: EmulatorBackend,
        *,
        max_bytes: int = MAX_CHAT_FILE_BYTES,
        directory: Path | None = None,
    ) -> None:
        self.backend = backend
        self.max_bytes = max_bytes
        db_path = backend.config.db_path
        if directory is None and db_path != ":memory:" and not db_path.startswith("file:"):
            directory = Path(db_path).with_name(Path(db_path).name + ".chat-files")
        self.directory = directory
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        backend.listeners.append(self._on_notice)

    # -- URLs ------------------------------------------------------------------------------------
    def _sign(self, method: str, file_id: str, expires: int) -> str:
        return tokens.sign_url(self.backend.url_secret, f"chat-file/{method}/{file_id}/{expires}")

    def _url(self, method: str, doc: dict[str, Any], expires: int) -> str:
        name = quote(doc["filename"], safe="")
        sig = self._sign(method, doc["id"], expires)
        return f"{self.backend.base_url}/_emulator/chat-files/{doc['id']}/{name}?expires={expires}&sig={sig}"

    def _verify(self, method: str, file_id: str, expires: str | None, sig: str | None) -> dict[str, Any]:
        if (
            not expires
            or not sig
            or not (expires.isascii() and expires.isdigit())
            or len(expires) > 12
            or not sig.isascii()
        ):
            raise Forbidden(
                "Invalid or missing upload signature"
                if method == "PUT"
                else "Invalid or missing download signature"
            )
        if not secrets.compare_digest(self._sign(method, file_id, int(expires)), sig):
            raise Forbidden("Invalid upload signature" if method == "PUT" else "Invalid download signature")
        if int(expires) <= self.backend.now().timestamp():
            raise Forbidden("Upload URL has expired" if method == "PUT" else "Download URL has expired")
        doc = self.backend.store.get(KIND, file_id)
        if doc is None:
            raise NotFound(f"No chat file found for id {file_id}")
        return doc

    # -- rules -----------------------------------------------------------------------------------
    def create_upload(self, token: str, body: Any) -> dict[str, str]:
        """``POST /v2/meetings/chat-upload``: presigned ``get_location`` and ``put_location``.

        The token's holder must be a participant of ``roomUUID`` (the meeting id) whose preset allows
        sending files in chat (public or private); ``expiry`` (seconds, optional) is how long the
        download URL stays valid (default and maximum: the emulator's download URL lifetime).
        """
        details = self.backend.verify_participant_token(token)
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        room = body.get("roomUUID")
        if not isinstance(room, str) or not room:
            raise BadRequest('"roomUUID" is required and must be the meeting id')
        filename = _clean_filename(body.get("filename"))
        expiry = body.get("expiry")
        max_ttl = int(self.backend.config.download_url_ttl)
        if expiry is None:
            ttl = max_ttl
        elif (
            isinstance(expiry, bool)
            or not isinstance(expiry, int | float)
            or not math.isfinite(expiry)
            or expiry <= 0
        ):
            raise BadRequest('"expiry" must be a positive number of seconds')
        else:
            ttl = max(MIN_GET_TTL, min(int(expiry), max_ttl))
        participant = details["participant"]
        if room.lower() != str(details["claims"]["meetingId"]).lower():
            raise Forbidden(f"This participant is not a participant of meeting {room}")
        chat = ((details.get("preset") or {}).get("permissions") or {}).get("chat")
        if isinstance(chat, dict) and not any(
            isinstance(part, dict) and part.get("can_send", True) and part.get("files")
            for part in (chat.get("public"), chat.get("private"))
        ):
            raise Forbidden("The preset of this participant does not allow sending files in chat")
        now = int(self.backend.now().timestamp())
        doc: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "app_id": details["app_id"],
            "meeting_id": room.lower(),
            "participant_id": participant["id"],
            "filename": filename,
            "created_at": iso(self.backend.now()),
            "get_expires": now + ttl,
            "put_expires": now + PUT_URL_TTL,
            "size": None,
            "content_type": None,
        }
        self.backend.store.put(KIND, doc, app_id=details["app_id"], parent=doc["meeting_id"])
        return {
            "get_location": self._url("GET", doc, doc["get_expires"]),
            "put_location": self._url("PUT", doc, doc["put_expires"]),
        }

    def check_put(
        self, file_id: str, expires: str | None, sig: str | None, declared_size: str | None
    ) -> None:
        """Refuse a PUT before its body is read: bad or expired signature (403), unknown id (404),
        a declared ``Content-Length`` over the limit (413)."""
        self._verify("PUT", file_id, expires, sig)
        if declared_size is not None and declared_size.isdigit() and int(declared_size) > self.max_bytes:
            raise PayloadTooLarge(self._too_large())

    def _too_large(self) -> str:
        return f"Chat file is larger than the limit of {self.max_bytes} bytes"

    def put(
        self, file_id: str, expires: str | None, sig: str | None, content_type: str | None, data: bytes
    ) -> None:
        """``PUT put_location``: store the bytes (a second PUT before expiry replaces them)."""
        doc = self._verify("PUT", file_id, expires, sig)
        if len(data) > self.max_bytes:
            raise PayloadTooLarge(self._too_large())
        self._write(file_id, data)
        doc["size"] = len(data)
        doc["content_type"] = served_type(content_type, doc["filename"])
        doc["uploaded_at"] = iso(self.backend.now())
        self.backend.store.put(KIND, doc, app_id=doc["app_id"], parent=doc["meeting_id"])

    def get(self, file_id: str, expires: str | None, sig: str | None) -> StoredFile:
        """``GET get_location``: the uploaded bytes (404 until the upload happened)."""
        doc = self._verify("GET", file_id, expires, sig)
        if doc.get("size") is None:
            raise NotFound("This chat file has not been uploaded yet")
        data = self._read(file_id)
        if data is None:
            raise NotFound(f"No chat file found for id {file_id}")
        return StoredFile(data, str(doc.get("content_type") or "application/octet-stream"), doc["filename"])

    # -- bytes -----------------------------------------------------------------------------------
    def _path(self, file_id: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{uuid.UUID(file_id)}.bin"  # a UUID: never a path outside the directory

    def _write(self, file_id: str, data: bytes) -> None:
        if self.directory is None:
            with self._lock:
                self._memory.pop(file_id, None)
                self._memory[file_id] = data
                total = sum(len(v) for v in self._memory.values())
                while total > MEMORY_BUDGET_BYTES and len(self._memory) > 1:
                    _, dropped = self._memory.popitem(last=False)
                    total -= len(dropped)
            return
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(file_id)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)

    def _read(self, file_id: str) -> bytes | None:
        if self.directory is None:
            with self._lock:
                return self._memory.get(file_id)
        try:
            return self._path(file_id).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def _on_notice(self, notice: str, data: dict[str, Any]) -> None:
        if notice != "emulator.reset":
            return
        with self._lock:
            self._memory.clear()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
