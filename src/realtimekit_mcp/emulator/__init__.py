"""A local RealtimeKit: the REST surface of Cloudflare RealtimeKit backed by SQLite.

``create_app(EmulatorConfig(...))`` returns a Starlette app whose ``state.backend`` is the
``EmulatorBackend`` holding every rule; run it with uvicorn or in-process through
``httpx.ASGITransport``.
"""

from __future__ import annotations

from .app import create_app
from .backend import EmulatorBackend
from .config import EmulatorConfig

__all__ = ["EmulatorBackend", "EmulatorConfig", "create_app"]
