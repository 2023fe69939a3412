"""Facts about a tool derived from its handler (used by docs and the rule tests)."""

from __future__ import annotations

import inspect
import typing
from typing import Annotated, get_args, get_origin

from mcp.server.mcpserver import Resolve

from realtimekit_mcp.server.registry import ToolSpec


def asks_confirmation(spec: ToolSpec) -> bool:
    """True when the tool has a ``Resolve``-filled parameter (a user confirmation)."""
    fn = inspect.unwrap(spec.fn)
    hints = typing.get_type_hints(fn, include_extras=True)
    for name in inspect.signature(fn).parameters:
        hint = hints.get(name)
        if get_origin(hint) is Annotated and any(isinstance(m, Resolve) for m in get_args(hint)[1:]):
            return True
    return False
