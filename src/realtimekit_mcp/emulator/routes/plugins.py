"""Client-API routes: plugins (being built for issue 6; see /tmp/rtk-plan/contract.md)."""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["plugins_routes"]


def plugins_routes() -> list[BaseRoute]:
    """The routes of this feature."""
    return []
