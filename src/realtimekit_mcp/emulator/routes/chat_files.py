"""Client-API routes: chat_files (being built for issue 6; see /tmp/rtk-plan/contract.md)."""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["chat_files_routes"]


def chat_files_routes() -> list[BaseRoute]:
    """The routes of this feature."""
    return []
