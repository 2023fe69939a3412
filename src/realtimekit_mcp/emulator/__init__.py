"""A local RealtimeKit: the REST surface of Cloudflare RealtimeKit backed by SQLite.

``create_app(EmulatorConfig(...))`` returns a Starlette app whose ``state.backend`` is the
``EmulatorBackend`` holding every rule; run it with uvicorn or in-process through
``httpx.ASGITransport``. The exports load lazily (PEP 562) so importing a submodule such as
``realtimekit_mcp.emulator.cli`` does not import Starlette, SQLite or JWT code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .backend import EmulatorBackend
    from .config import EmulatorConfig

__all__ = ["EmulatorBackend", "EmulatorConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "EmulatorBackend":
        from .backend import EmulatorBackend

        return EmulatorBackend
    if name == "EmulatorConfig":
        from .config import EmulatorConfig

        return EmulatorConfig
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
