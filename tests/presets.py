"""Presets for tests: a default preset with some permissions changed, created over REST."""

from __future__ import annotations

from typing import Any

from realtimekit_mcp.emulator.presets import default_preset_body

__all__ = ["make_preset"]


async def make_preset(live: Any, name: str, base: str = "group_call_participant", **permissions: Any) -> str:
    """Create ``name`` from the default preset ``base`` with ``permissions`` replaced; returns the name.

    ``live`` is any test environment with ``rest(method, path, **kwargs)`` on the app's REST API.
    """
    view_type = "WEBINAR" if base.startswith("webinar") else "GROUP_CALL"
    body = default_preset_body(name, view_type, base.endswith("_host"))
    body["permissions"].update(permissions)
    r = await live.rest("POST", "/presets", json=body)
    assert r.status_code == 201, r.text
    return name
