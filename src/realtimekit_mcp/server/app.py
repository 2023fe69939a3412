"""The MCP server: an ``MCPServer`` with the selected toolsets, resources, prompts and policy.

``build_server(settings)`` registers only the tools that survive the filters
(``server.registry``); a tool hidden by a filter is also refused at call time with a message
that says why. Tool schemas are compacted (no ``title`` keywords, nullable optionals collapsed)
to keep ``tools/list`` small, and the tool order is stable.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp.server.caching import CacheHint
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, InputRequiredResult, ToolAnnotations
from mcp_types import Tool as MCPTool

from realtimekit_mcp import __version__
from realtimekit_mcp.config import ServerSettings
from realtimekit_mcp.server.deps import ClientFactory, Deps
from realtimekit_mcp.server.registry import ToolSpec, alias_table, all_toolsets, select_tools

INSTRUCTIONS = (
    "Operate Cloudflare RealtimeKit meetings. meeting_get without an id lists meetings; ids also come "
    "from meeting_create. participant_add returns the auth token (and join link) a person joins with. "
    "session_get with only meeting_id uses the meeting's latest session; view=transcript|summary|chat "
    "returns a preview and a realtimekit:// link. bot_join puts a live bot in a meeting (bot_send, "
    "bot_status, bot_leave); with the host toolset it hosts (bot_moderate, bot_poll, bot_plugin). "
    "Destructive tools ask the user to confirm. Backend: realtimekit://status."
)


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop ``title`` keywords and collapse ``anyOf [T, null]`` optionals to ``T`` (fewer tokens).

    Property *names* called ``title`` are kept: only the JSON Schema keyword is removed.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                continue
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {name: walk(sub) for name, sub in value.items()}
            else:
                out[key] = walk(value)
        variants = out.get("anyOf")
        if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
            other = next(v for v in variants if v != {"type": "null"})
            out.pop("anyOf")
            if out.get("default", 0) is None:
                out.pop("default")
            out = {**other, **out}
        return out

    result: dict[str, Any] = walk(schema)  # builds new dicts and lists: ``schema`` is left as is
    return result


class RealtimeKitMCP(MCPServer[Any]):
    """``MCPServer`` with compact tool schemas and refusal of filtered-out tools."""

    def __init__(self, deps: Deps, hidden: dict[str, str], enabled: list[ToolSpec], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deps = deps
        self.hidden = hidden
        self.enabled = enabled
        self._tools_cache: list[MCPTool] | None = None
        self.aliases = alias_table()

    async def list_tools(self) -> list[MCPTool]:
        """The registered tools in stable order, with compacted schemas."""
        if self._tools_cache is None:
            tools = await super().list_tools()
            for tool in tools:
                tool.input_schema = compact_schema(tool.input_schema)
                if tool.output_schema is not None:
                    tool.output_schema = compact_schema(tool.output_schema)
            self._tools_cache = tools
        return [t.model_copy() for t in self._tools_cache]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Map a renamed tool's old name to its new one, refuse tools hidden by a filter (e.g. write
        tools in read-only mode), then call."""
        renamed = self.aliases.get(name)
        if renamed is not None:
            name, fixed = renamed[0], renamed[1]
            arguments = {**(arguments or {}), **fixed}
        reason = self.hidden.get(name)
        if reason is not None:
            raise ToolError(f"Tool {name} is not available: {reason}.")
        return await super().call_tool(name, arguments, context)


def _annotations(spec: ToolSpec) -> ToolAnnotations:
    return ToolAnnotations(
        title=spec.title,
        read_only_hint=spec.read_only,
        destructive_hint=spec.destructive,
        idempotent_hint=spec.idempotent,
        open_world_hint=spec.open_world,
    )


def build_server(
    settings: ServerSettings,
    *,
    client_factory: ClientFactory | None = None,
    media_dir: str | Path | None = None,
    bot_options: dict[str, Any] | None = None,
) -> RealtimeKitMCP:
    """Build the MCP server for ``settings``. Cheap: no network, no client, no emulator yet.

    ``media_dir`` is where bot tools may read files (default: ``REALTIMEKIT_MEDIA_DIR``, else
    ``media`` under the data directory; see ``server.media``). ``bot_options`` are extra
    ``BotConfig`` fields for every bot (e.g. ``{"tts": "test", "stt": "test", "vad": "test"}``).
    """
    enabled, hidden = select_tools(
        toolsets=settings.toolsets,
        tools=settings.tools,
        exclude_tools=settings.exclude_tools,
        read_only=settings.read_only,
    )
    deps = Deps(
        settings,
        client_factory=client_factory,
        media_dir=Path(media_dir).expanduser() if media_dir is not None else None,
        bot_options=bot_options,
    )

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
            deps.task_group = tasks
            try:
                yield None
            finally:
                deps.task_group = None
                with anyio.CancelScope(shield=True):
                    await deps.aclose()

    server = RealtimeKitMCP(
        deps,
        hidden,
        enabled,
        name="realtimekit",
        title="Cloudflare RealtimeKit",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        cache_hints={"tools/list": CacheHint(ttl_ms=3_600_000, scope="private")},
        warn_on_duplicate_tools=True,
    )
    for spec in enabled:
        server.add_tool(
            spec.fn,
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=_annotations(spec),
        )
    from realtimekit_mcp.server import prompts, resources

    resources.register(server)
    prompts.register(server)
    return server


def status(server: RealtimeKitMCP) -> dict[str, Any]:
    """What ``realtimekit://status`` reports: backend, app, enabled toolsets and tools, policy."""
    deps = server.deps
    backend = deps.backend
    chosen = _chosen_sets(deps.settings) | {s.toolset for s in server.enabled}
    account_id, app_id = deps.ids()
    return {
        "server": f"realtimekit-mcp {__version__}",
        "backend": backend.kind,
        "backend_description": backend.describe(),
        "base_url": backend.base_url,
        "account_id": account_id,
        "app_id": app_id,
        "embedded_emulator_started": deps.started if backend.kind == "embedded" else None,
        "toolsets": [t.id for t in all_toolsets() if t.id in chosen],
        "tools": [s.name for s in server.enabled],
        "bots": {
            "media_dir": str(deps.media_dir),
            "started": deps.bot_manager is not None,
            "live": sum(
                1 for b in deps.bot_manager.list() if b["state"] in ("joining", "joined", "reconnecting")
            )
            if deps.bot_manager is not None
            else 0,
            "emulator_listener": deps.bot_origin,
        },
        "read_only": deps.settings.read_only,
        "allow_destructive_without_confirmation": deps.settings.allow_destructive,
    }


def _chosen_sets(settings: ServerSettings) -> set[str]:
    chosen: set[str] = set()
    for name in settings.toolsets:
        if name == "all":
            chosen |= {t.id for t in all_toolsets()}
        elif name == "default":
            chosen |= {t.id for t in all_toolsets() if t.default}
        else:
            chosen.add(name)
    return chosen


def status_json(server: RealtimeKitMCP) -> str:
    """``status`` as indented JSON (it is read by people as often as by models)."""
    return json.dumps(status(server), indent=1)
