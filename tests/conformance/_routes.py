"""Does the emulator's router serve an OpenAPI operation?"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Match, Mount

from . import _openapi
from .conftest import ACCOUNT_ID, APP_ID

UNKNOWN = "00000000-0000-4000-8000-0000000000ff"


def _routes_match(routes: list[BaseRoute], scope: dict[str, Any]) -> bool:
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            if _routes_match(list(route.routes), {**scope, **child}):
                return True
            continue
        if match is Match.FULL:
            return True
    return False


def has_route(app: Any, method: str, path: str) -> bool:
    """Whether the app's router has a route for ``method path`` (a PARTIAL match is a 405)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "path_params": {}}
    return _routes_match(list(app.router.routes), scope)


def concrete(op: _openapi.Operation) -> str:
    path = op.path.replace("{account_id}", ACCOUNT_ID).replace("{app_id}", APP_ID)
    return "/client/v4" + re.sub(r"\{[^}]+\}", UNKNOWN, path)


def serves(app: Any, op: _openapi.Operation) -> bool:
    """Whether ``app`` has a route for ``op``."""
    return has_route(app, op.method, concrete(op))
