"""Small media files for tests: a PNG written with zlib only, and the demo's tone WAV."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from realtimekit_mcp.server.demo import write_tone_wav

__all__ = ["write_png", "write_tone_wav"]


def write_png(path: Path, width: int = 32, height: int = 24) -> bytes:
    """A small RGB PNG (red/blue halves) at ``path``; returns its bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xd0\x20\x20" * (width // 2) + b"\x20\x40\xd0" * (width - width // 2)
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(body)
    return body
