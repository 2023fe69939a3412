"""Toolset ``webhooks``: where RealtimeKit sends meeting, recording and transcript events."""

from typing import Annotated, Any, cast

from mcp.server.mcpserver import Elicit, Resolve
from pydantic import Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, short, tool_handler
from realtimekit_mcp.tools._common import Ctx, client_of, g

NOT_FOUND = "Use webhook_list to find webhook ids."
WebhookId = Annotated[str, Field(description="Webhook id from webhook_list")]
Events = Annotated[
    list[str],
    Field(
        min_length=1,
        description="e.g. meeting.started, meeting.ended, meeting.participantJoined, recording.statusUpdate, "
        "meeting.transcript, meeting.summary",
    ),
]


def webhook_line(w: Any) -> str:
    """One compact line per webhook."""
    events = ",".join(g(w, "events", default=[]) or [])
    state = "enabled" if g(w, "enabled", default=True) else "disabled"
    return f"- {g(w, 'id')} | {short(g(w, 'name', default=''), 30)} | {g(w, 'url')} | {state} | {events}"


@tool_handler(action="list webhooks")
async def webhook_list(ctx: Ctx) -> ToolOutput:
    client = await client_of(ctx)
    items = list(await client.webhooks.list())
    lines = [webhook_line(w) for w in items] or ["No webhooks."]
    return ToolOutput("\n".join([*lines, f"showing {len(items)} of {len(items)}"]))


@tool_handler(action="create the webhook")
async def webhook_create(ctx: Ctx, name: str, url: str, events: Events) -> ToolOutput:
    client = await client_of(ctx)
    w = await client.webhooks.create(name=name, url=url, events=cast(Any, events))
    return ToolOutput("Created " + webhook_line(w).removeprefix("- "))


@tool_handler(action="update the webhook", not_found=NOT_FOUND)
async def webhook_update(
    ctx: Ctx,
    webhook_id: WebhookId,
    name: str | None = None,
    url: str | None = None,
    events: list[str] | None = None,
    enabled: bool | None = None,
) -> ToolOutput:
    fields: dict[str, Any] = {
        k: v
        for k, v in {"name": name, "url": url, "events": events, "enabled": enabled}.items()
        if v is not None
    }
    if not fields:
        return ToolOutput("Nothing to change: pass at least one field.")
    client = await client_of(ctx)
    w = await client.webhooks.update(webhook_id, **fields)
    return ToolOutput("Updated " + webhook_line(w).removeprefix("- "))


async def _confirm_delete(webhook_id: str, ctx: Ctx) -> Elicit[Confirm] | Confirm:
    if (early := gate(ctx, f"deleting webhook {webhook_id}")) is not None:
        return early
    client = await client_of(ctx)
    try:
        w = await client.webhooks.get(webhook_id)
        target = f"'{g(w, 'name', default='')}' ({webhook_id}, {g(w, 'url')})"
    except Exception:
        target = webhook_id
    return ask(f"Delete webhook {target}? Its URL stops receiving events.")


@tool_handler(action="delete the webhook", not_found=NOT_FOUND)
async def webhook_delete(
    ctx: Ctx, webhook_id: WebhookId, confirmed: Annotated[Confirmation, Resolve(_confirm_delete)]
) -> ToolOutput:
    require(confirmed, f"deleting webhook {webhook_id}")
    client = await client_of(ctx)
    await client.webhooks.delete(webhook_id)
    return ToolOutput(f"Deleted webhook {webhook_id}.")


TOOLSET = Toolset(
    id="webhooks",
    description="Where RealtimeKit sends meeting, recording and transcript events.",
    default=False,
    tools=(
        ToolSpec(
            name="webhook_list",
            title="List webhooks",
            description="List webhooks with URL, events and whether they are enabled.",
            fn=webhook_list,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="webhook_create",
            title="Create webhook",
            description="Send the given events to a URL.",
            fn=webhook_create,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="webhook_update",
            title="Update webhook",
            description="Change a webhook's name, URL, events or enabled flag.",
            fn=webhook_update,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
        ToolSpec(
            name="webhook_delete",
            title="Delete webhook",
            description="Delete a webhook; asks the user to confirm.",
            fn=webhook_delete,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
    ),
)
