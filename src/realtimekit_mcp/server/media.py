"""The media directory: the only place bot tools read audio, image and video files from.

A tool argument names a file *inside* the directory (``intro.wav``, ``slides/cover.png``). The
name is refused when it is a URL, an absolute path or contains ``..``; it is then resolved
(symlinks followed) and refused unless the real file still lies inside the resolved directory.
Nothing is ever fetched from the network.

Where the directory is: ``--media-dir``, else ``REALTIMEKIT_MEDIA_DIR``, else ``media`` under the
data directory (``REALTIMEKIT_DATA_DIR`` or the user data directory).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath

MEDIA_ENV = "REALTIMEKIT_MEDIA_DIR"

AUDIO_SUFFIXES = frozenset({".wav", ".ogg", ".oga", ".opus", ".mp3", ".flac", ".m4a", ".aac"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".webm", ".mkv", ".mov", ".avi"})
DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".txt", ".md", ".csv", ".json", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".zip"}
)
"""Files a bot may attach to chat besides images, audio and video."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class MediaPathError(ValueError):
    """A file name that is not allowed or not found; the message says what to do instead."""


def resolve_media_dir(
    explicit: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    data_dir: Path | None = None,
) -> Path:
    """The configured media directory (not created, not resolved).

    ``data_dir`` is the server's data directory when it has one (the embedded emulator's).
    """
    env = os.environ if env is None else env
    chosen = explicit or env.get(MEDIA_ENV)
    if chosen:
        return Path(chosen).expanduser()
    if data_dir is not None:
        return data_dir / "media"
    data = env.get("REALTIMEKIT_DATA_DIR")
    if data:
        return Path(data).expanduser() / "media"
    from realtimekit_mcp.config import default_data_dir

    return default_data_dir() / "media"


def media_file(media_dir: Path, name: str, suffixes: frozenset[str], what: str) -> Path:
    """The real path of ``name`` inside ``media_dir``, or ``MediaPathError``.

    ``suffixes`` are the accepted extensions and ``what`` names them in errors ("an audio file").
    """
    name = name.strip()
    if not name:
        raise MediaPathError(f"Pass file: the name of {what} in the media directory.")
    if "://" in name or (_SCHEME.match(name) and not PureWindowsPath(name).drive):
        raise MediaPathError("URLs are not fetched: put the file in the media directory and pass its name.")
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise MediaPathError("Pass a file name relative to the media directory, not an absolute path.")
    if ".." in posix.parts or ".." in windows.parts:
        raise MediaPathError(
            "'..' is not allowed in media file names: files must lie in the media directory."
        )
    if "\x00" in name:
        raise MediaPathError("Invalid file name.")
    try:
        root = media_dir.resolve(strict=True)
    except OSError:
        raise MediaPathError(
            f"The media directory {media_dir} does not exist; the operator sets it with --media-dir "
            f"or {MEDIA_ENV} and puts files there."
        ) from None
    try:
        real = (root / name).resolve(strict=True)
    except OSError:
        raise MediaPathError(
            f"No file {name!r} in the media directory {media_dir}; ask the user to put it there."
        ) from None
    if not real.is_relative_to(root):
        raise MediaPathError(f"{name!r} points outside the media directory (a link); it is not used.")
    if not real.is_file():
        raise MediaPathError(f"{name!r} is not a file in the media directory.")
    if real.suffix.lower() not in suffixes:
        raise MediaPathError(f"{name!r} is not {what} ({', '.join(sorted(suffixes))}).")
    return real
