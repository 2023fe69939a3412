"""Configuration of the RealtimeKit emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Clock = Callable[[], datetime]
"""A function returning the current time as an aware UTC ``datetime``."""


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


DEFAULT_PLUGINS: tuple[dict[str, str], ...] = (
    {
        "id": "9c1f1d6e-2a4b-4f3e-8a57-5b0f1c3d2e10",
        "name": "Whiteboard",
        "url": "https://plugins.emulator.invalid/whiteboard",
        "description": "A shared whiteboard (placeholder: the emulator never loads plugin content).",
    },
    {
        "id": "4e7a2b90-6c1d-4d8f-9b3a-2f5e8c7d1a24",
        "name": "Document sharing",
        "url": "https://plugins.emulator.invalid/document-sharing",
        "description": "Share and page through a document (placeholder: the emulator never loads plugin content).",
    },
)
"""The emulator's default plugin catalogue. Its URLs use the reserved ``.invalid`` domain: never fetched."""

MAX_PLUGINS = 100
MAX_PLUGIN_FIELD = 2000


def default_plugins() -> list[dict[str, str]]:
    """A fresh copy of :data:`DEFAULT_PLUGINS`."""
    return [dict(p) for p in DEFAULT_PLUGINS]


def parse_plugin_catalogue(data: Any) -> list[dict[str, str]]:
    """Check a plugin catalogue: a JSON list of ``{"id", "name", "url", "description"?}`` objects.

    Ids must be unique and free of ``":"`` (the socket joins ``"<meeting id>:<plugin id>"``).
    Raises ValueError saying what is wrong.
    """
    if not isinstance(data, list):
        raise ValueError("the plugin catalogue must be a JSON list of objects")
    if len(data) > MAX_PLUGINS:
        raise ValueError(f"the plugin catalogue holds at most {MAX_PLUGINS} plugins")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise ValueError(f"plugin #{n}: must be an object with id, name and url")
        item: dict[str, str] = {}
        for key, required in (("id", True), ("name", True), ("url", True), ("description", False)):
            value = entry.get(key)
            if value is None and not required:
                value = ""
            if not isinstance(value, str) or (required and not value.strip()):
                raise ValueError(f"plugin #{n}: {key!r} must be a non-empty string")
            if len(value) > MAX_PLUGIN_FIELD:
                raise ValueError(f"plugin #{n}: {key!r} is longer than {MAX_PLUGIN_FIELD} characters")
            item[key] = value.strip()
        if ":" in item["id"]:
            raise ValueError(f"plugin #{n}: 'id' must not contain ':'")
        if not item["url"].startswith(("http://", "https://")):
            raise ValueError(f"plugin #{n}: 'url' must be an http(s) URL")
        if item["id"].lower() in seen:
            raise ValueError(f"plugin #{n}: id {item['id']!r} appears twice")
        seen.add(item["id"].lower())
        out.append(item)
    return out


def load_plugin_catalogue(path: str | Path) -> list[dict[str, str]]:
    """Read and check a plugin catalogue JSON file (see :func:`parse_plugin_catalogue`).

    Raises ValueError (unreadable file, bad JSON, bad entries) with a message naming the file.
    """
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the plugin catalogue {path}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"the plugin catalogue {path} is not JSON: {exc}") from None
    try:
        return parse_plugin_catalogue(data)
    except ValueError as exc:
        raise ValueError(f"the plugin catalogue {path}: {exc}") from None


@dataclass
class EmulatorConfig:
    """Settings for one emulator instance.

    ``account_id``, ``app_id`` and ``api_token`` are generated on first start when not given and
    persisted in the store, so a restart with the same ``db_path`` keeps them. ``seed`` makes every
    generated id deterministic; ``clock`` replaces the wall clock (``backend.advance`` moves time
    forward on top of it either way).
    """

    account_id: str | None = None
    app_id: str | None = None
    api_token: str | None = field(default=None, repr=False)
    db_path: str = ":memory:"
    seed: int | None = None
    clock: Clock | None = None
    public_base_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    app_name: str = "emulator"
    # Delays (seconds) of the timed lifecycle transitions.
    recording_start_delay: float = 1.0
    recording_upload_delay: float = 2.0
    livestream_start_delay: float = 1.0
    download_url_ttl: float = 7 * 24 * 3600.0
    tick_interval: float = 0.5
    """While the app's lifespan runs, due transitions run this often (seconds; 0 disables)."""
    # Webhook delivery (implemented in emulator/webhooks.py).
    allow_external_webhooks: bool = False
    webhook_max_attempts: int = 5
    webhook_backoff_base: float = 1.0
    # Server-side transcription (emulator/intelligence.py).
    stt_engine: str | None = "faster-whisper"
    """Speech-to-text engine of the speech registry (``"test"`` in unit tests; None or "" turns
    server-side transcription off). Without the ``speech`` extra transcription is off, with a warning."""
    vad_engine: str = "silero"
    transcription_max_pending: int = 16
    """Utterances waiting for speech-to-text; beyond it the oldest is dropped (media never waits)."""
    plugins: list[dict[str, str]] = field(default_factory=default_plugins)
    """The plugin catalogue (``id``, ``name``, ``url``, ``description``): what participants may
    activate, served at ``GET /v2/plugins/user``. Plugin content is never loaded or run."""
