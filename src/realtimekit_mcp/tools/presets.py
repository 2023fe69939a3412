"""Toolset ``presets``: the role templates (permissions, media, UI) participants join with."""

from typing import Annotated, Any

from mcp.server.mcpserver import Elicit, Resolve
from pydantic import Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import (
    ToolOutput,
    compact_json,
    page_args,
    page_note,
    preview,
    tool_handler,
    when,
)
from realtimekit_mcp.tools._common import Ctx, Cursor, Limit, client_of, field_or_unknown, g

NOT_FOUND = "Use preset_list to find preset ids."
PresetId = Annotated[str, Field(description="Preset id from preset_list")]
JsonObject = Annotated[dict[str, Any], Field(description="JSON object as in RealtimeKit's preset API")]


@tool_handler(action="list presets")
async def preset_list(ctx: Ctx, limit: Limit = 20, cursor: Cursor = None) -> ToolOutput:
    page_no, per_page = page_args(cursor, limit)
    client = await client_of(ctx)
    page = await client.presets.list(page_no=page_no, per_page=per_page)
    items = list(page.items)
    note = page_note(len(items), page, page_no, per_page)
    lines = [f"- {g(p, 'id')} | {g(p, 'name')} | created {when(g(p, 'created_at'))}" for p in items]
    return ToolOutput("\n".join([*(lines or ["No presets."]), note]))


@tool_handler(action="get the preset", not_found=NOT_FOUND)
async def preset_get(ctx: Ctx, preset_id: PresetId) -> ToolOutput:
    client = await client_of(ctx)
    p = await client.presets.get(preset_id)
    body, cut = preview(compact_json(p), 6000)
    return ToolOutput(f"Preset {g(p, 'name')} ({preset_id}){' (truncated)' if cut else ''}:\n{body}")


@tool_handler(action="create the preset")
async def preset_create(
    ctx: Ctx, name: str, config: JsonObject, permissions: JsonObject, ui: JsonObject | None = None
) -> ToolOutput:
    client = await client_of(ctx)
    p = await client.presets.create(name=name, config=config, permissions=permissions, ui=ui or {})
    return ToolOutput(f"Created preset {g(p, 'name')} ({g(p, 'id')}).")


@tool_handler(action="update the preset", not_found=NOT_FOUND)
async def preset_update(
    ctx: Ctx,
    preset_id: PresetId,
    changes: Annotated[dict[str, Any], Field(description="Deep-partial preset: only given keys change")],
) -> ToolOutput:
    client = await client_of(ctx)
    p = await client.presets.update(preset_id, **changes)
    return ToolOutput(f"Updated preset {g(p, 'name')} ({preset_id}): {', '.join(changes) or 'nothing'}.")


async def _confirm_delete(preset_id: str, ctx: Ctx) -> Elicit[Confirm] | Confirm:
    if (early := gate(ctx, f"deleting preset {preset_id}")) is not None:
        return early
    client = await client_of(ctx)
    name = await field_or_unknown(client.presets.get(preset_id), "name", "(unnamed)")
    return ask(f"Delete preset '{name}' ({preset_id})? Participants can no longer be added with it.")


@tool_handler(action="delete the preset", not_found=NOT_FOUND)
async def preset_delete(
    ctx: Ctx, preset_id: PresetId, confirmed: Annotated[Confirmation, Resolve(_confirm_delete)]
) -> ToolOutput:
    require(confirmed, f"deleting preset {preset_id}")
    client = await client_of(ctx)
    await client.presets.delete(preset_id)
    return ToolOutput(f"Deleted preset {preset_id}.")


TOOLSET = Toolset(
    id="presets",
    description="Role templates (permissions, media, UI) that participants join with.",
    default=False,
    tools=(
        ToolSpec(
            name="preset_list",
            title="List presets",
            description="List presets (participant roles) by name.",
            fn=preset_list,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="preset_get",
            title="Get preset",
            description="Get a preset's full configuration as JSON.",
            fn=preset_get,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="preset_create",
            title="Create preset",
            description="Create a preset from config, permissions and ui objects (RealtimeKit's preset schema).",
            fn=preset_create,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="preset_update",
            title="Update preset",
            description="Change part of a preset; other settings stay as they are.",
            fn=preset_update,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
        ToolSpec(
            name="preset_delete",
            title="Delete preset",
            description="Delete a preset; asks the user to confirm.",
            fn=preset_delete,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
    ),
)
