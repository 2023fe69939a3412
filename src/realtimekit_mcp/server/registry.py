"""Toolsets as data, and the filters that decide which tools a server exposes.

Each module under ``realtimekit_mcp.tools`` exports one ``Toolset``. Nothing is registered at
import time: ``select_tools`` filters the specs and ``build_server`` registers the survivors.

Filter order (documented, tested):

1. ``--exclude-tools`` removes a tool, always (exclusion wins over everything).
2. ``--read-only`` removes every tool whose ``read_only`` hint is false (it also wins over
   ``--tools``); the server also refuses such a tool at call time.
3. ``--toolsets`` keeps the tools of the named toolsets (``default`` = the toolsets marked
   default, ``all`` = every toolset).
4. ``--tools`` adds individual tools by name, whatever their toolset.

Renamed tools keep their old names as *aliases*: not listed, but accepted at call time (and by
``--tools``/``--exclude-tools``), with fixed arguments added (e.g. ``recording_start`` calls
``recording_control`` with ``action="start"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Alias:
    """An old tool name, still accepted at call time (never listed).

    A call by ``name`` becomes a call of the owning tool with ``args`` set (they win over the
    caller's arguments of the same name).
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its agent-facing text, its hints and its handler.

    The hints drive both what the client is told (``ToolAnnotations``) and the server's own
    policy (``--read-only`` hides and refuses tools whose ``read_only`` is false).
    """

    name: str
    title: str
    description: str
    fn: Callable[..., Any]
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool = True
    toolset: str = ""
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class Toolset:
    """A named group of tools, on or off by default."""

    id: str
    description: str
    default: bool
    tools: tuple[ToolSpec, ...] = field(default_factory=tuple)
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "tools",
            tuple(
                t if t.toolset == self.id else ToolSpec(**{**t.__dict__, "toolset": self.id})
                for t in self.tools
            ),
        )


class SelectionError(ValueError):
    """An unknown toolset or tool name was given; the message lists the valid ones."""


def all_toolsets() -> tuple[Toolset, ...]:
    """Every toolset, in the stable order the server lists them."""
    from realtimekit_mcp.tools import TOOLSETS

    return TOOLSETS


def alias_table(available: Sequence[Toolset] | None = None) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """{old name: (current tool name, fixed arguments)} over every toolset."""
    available = all_toolsets() if available is None else available
    return {a.name: (spec.name, a.args) for ts in available for spec in ts.tools for a in spec.aliases}


def _expand_toolsets(names: Iterable[str], toolsets: Sequence[Toolset]) -> set[str]:
    known = {t.id for t in toolsets}
    chosen: set[str] = set()
    for name in names:
        if name == "all":
            chosen |= known
        elif name == "default":
            chosen |= {t.id for t in toolsets if t.default}
        elif name in known:
            chosen.add(name)
        else:
            raise SelectionError(
                f"unknown toolset {name!r}; choose from: default, all, {', '.join(sorted(known))}"
            )
    return chosen


def select_tools(
    *,
    toolsets: Sequence[str] = ("default",),
    tools: Sequence[str] = (),
    exclude_tools: Sequence[str] = (),
    read_only: bool = False,
    available: Sequence[Toolset] | None = None,
) -> tuple[list[ToolSpec], dict[str, str]]:
    """Return (enabled tools in stable order, {hidden tool name: reason}) for the given filters."""
    available = all_toolsets() if available is None else available
    every = [spec for ts in available for spec in ts.tools]
    by_name = {spec.name: spec for spec in every}
    renamed = alias_table(available)
    tools = [renamed[n][0] if n in renamed else n for n in tools]
    exclude_tools = [renamed[n][0] if n in renamed else n for n in exclude_tools]
    for name in (*tools, *exclude_tools):
        if name not in by_name:
            raise SelectionError(f"unknown tool {name!r}; see the README tool table for names")
    chosen_sets = _expand_toolsets(toolsets, available)
    enabled: list[ToolSpec] = []
    hidden: dict[str, str] = {}
    for spec in every:
        if spec.name in exclude_tools:
            hidden[spec.name] = "it is excluded by the server's --exclude-tools setting"
        elif read_only and not spec.read_only:
            hidden[spec.name] = "the server runs in read-only mode"
        elif spec.toolset in chosen_sets or spec.name in tools:
            enabled.append(spec)
        else:
            hidden[spec.name] = (
                f"its toolset {spec.toolset!r} is not enabled (start with --toolsets {spec.toolset})"
            )
    return enabled, hidden
