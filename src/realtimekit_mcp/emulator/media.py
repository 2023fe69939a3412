"""Files the emulator serves: recordings (WAV), chat and transcript exports, HLS playlists.

Summaries are made by :func:`realtimekit_mcp.emulator.intelligence.summarize`.

Everything here is a pure function of its inputs, so downloads are deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import math
import struct
import wave
from collections.abc import Sequence
from typing import Any

SAMPLE_RATE = 8000
MAX_MEDIA_SECONDS = 10


def tone_wav(seconds: float, *, frequency: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV: a quiet sine tone of ``seconds`` (clamped to 1..10 s)."""
    duration = max(1.0, min(float(seconds), float(MAX_MEDIA_SECONDS)))
    frames = int(SAMPLE_RATE * duration)
    amplitude = 3000
    samples = b"".join(
        struct.pack("<h", int(amplitude * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
        for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples)
    return buffer.getvalue()


def wav_size(seconds: float) -> int:
    """The byte size of ``tone_wav(seconds)`` without building it."""
    duration = max(1.0, min(float(seconds), float(MAX_MEDIA_SECONDS)))
    return 44 + 2 * int(SAMPLE_RATE * duration)


def _csv(rows: Sequence[Sequence[Any]], *, header: Sequence[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


CHAT_PAYLOAD_TYPES = {0: "text", 1: "image", 2: "file"}


def _chat_payload(message: dict[str, Any]) -> str:
    """A chat record's exported payload: the text, or for an image or file its download URL.

    A file message travels as ``{"link", "name", "size"}`` JSON (what the web SDK sends); the export
    keeps its ``link``.
    """
    text = str(message["text"])
    if message.get("payload_type") == 2:
        try:
            data = json.loads(text)
        except ValueError:
            return text
        if isinstance(data, dict) and isinstance(data.get("link"), str):
            return str(data["link"])
    return text


def chat_csv(messages: Sequence[dict[str, Any]]) -> str:
    """The chat export: one quoted CSV row per message, with a header row.

    ``payloadType`` is ``text``, ``image`` or ``file`` (``payload`` is then the download URL);
    ``targetParticipantIds`` lists the recipients of a private message (comma-separated participant
    ids) and is empty for a message to the room.
    """
    header = (
        "id",
        "participantId",
        "sessionId",
        "meetingId",
        "displayName",
        "payloadType",
        "payload",
        "createdAt",
        "targetParticipantIds",
    )
    rows = [
        (
            m["id"],
            m.get("participant_id"),
            m["session_id"],
            m["meeting_id"],
            m.get("display_name"),
            CHAT_PAYLOAD_TYPES.get(int(m.get("payload_type") or 0), "custom"),
            _chat_payload(m),
            m["created_at"],
            ",".join(m.get("targets") or ()),
        )
        for m in messages
    ]
    return _csv(rows, header=header)


def transcript_csv(lines: Sequence[dict[str, Any]]) -> str:
    """Cloudflare's transcript CSV: ``"<start_ms>","<peer_id>","<user_id>","<custom_participant_id>","<name>","<text>"``."""
    rows = [
        (
            line["start_ms"],
            line.get("peer_id"),
            line.get("user_id"),
            line.get("custom_participant_id"),
            line.get("name"),
            line["text"],
        )
        for line in lines
    ]
    return _csv(rows)


def transcript_json(lines: Sequence[dict[str, Any]]) -> str:
    """The JSON transcript: ``[{startTime, endTime, sentence, peerData: {...}}]``."""
    items = [
        {
            "startTime": line["start_ms"],
            "endTime": line["end_ms"],
            "sentence": line["text"],
            "peerData": {
                "id": line.get("peer_id"),
                "userId": line.get("user_id"),
                "displayName": line.get("name"),
                "cpi": line.get("custom_participant_id"),
                "joinedAt": line.get("joined_at"),
                "leftAt": line.get("left_at"),
            },
        }
        for line in lines
    ]
    return json.dumps(items, indent=2)


def _timestamp(ms: int, sep: str) -> str:
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def transcript_srt(lines: Sequence[dict[str, Any]]) -> str:
    """SubRip captions, ``Name: text``."""
    blocks = [
        f"{i}\n{_timestamp(line['start_ms'], ',')} --> {_timestamp(line['end_ms'], ',')}\n"
        f"{line.get('name') or 'Unknown'}: {line['text']}\n"
        for i, line in enumerate(lines, start=1)
    ]
    return "\n".join(blocks)


def transcript_vtt(lines: Sequence[dict[str, Any]]) -> str:
    """WebVTT captions, ``Name: text``."""
    blocks = [
        f"{_timestamp(line['start_ms'], '.')} --> {_timestamp(line['end_ms'], '.')}\n"
        f"{line.get('name') or 'Unknown'}: {line['text']}\n"
        for line in lines
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


TRANSCRIPT_RENDERERS = {
    "CSV": (transcript_csv, "text/csv; charset=utf-8", "csv"),
    "JSON": (transcript_json, "application/json", "json"),
    "SRT": (transcript_srt, "application/x-subrip; charset=utf-8", "srt"),
    "VTT": (transcript_vtt, "text/vtt; charset=utf-8", "vtt"),
}


def hls_playlist() -> str:
    """A minimal HLS media playlist with no segments yet (the emulator carries no live video)."""
    return "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
