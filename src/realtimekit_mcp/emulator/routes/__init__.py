"""The REST surface of the emulator, one module per resource group."""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import active_session, analytics, apps, livestreams, meetings, presets, recordings, sessions, webhooks


def api_routes() -> list[BaseRoute]:
    """Every RealtimeKit REST route (more specific paths first)."""
    routes: list[BaseRoute] = []
    for module in (
        apps,
        meetings,
        active_session,
        presets,
        sessions,
        recordings,
        livestreams,
        analytics,
        webhooks,
    ):
        routes.extend(module.ROUTES)
    return routes
