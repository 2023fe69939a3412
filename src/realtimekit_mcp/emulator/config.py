"""Configuration of the RealtimeKit emulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A function returning the current time as an aware UTC ``datetime``."""


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


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
