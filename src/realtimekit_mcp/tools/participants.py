"""Toolset ``participants``: who may join a meeting, with the auth tokens they join with."""

import uuid
from typing import Annotated, Any

from mcp.server.mcpserver import Elicit, Resolve
from pydantic import BaseModel, Field

from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, short, tool_handler
from realtimekit_mcp.tools._common import Ctx, MeetingId, client_of, deps_of, field_or_unknown, g

NOT_FOUND = "Use meeting_get with view=participants to find participant ids."
ParticipantId = Annotated[str, Field(description="Participant id (meeting_get view=participants)")]
NO_JOIN_PAGE = "no hosted join page: pass token to the RealtimeKit SDK (init({authToken}))"


class ParticipantOut(BaseModel):
    """A participant with the credentials to join."""

    id: str
    name: str | None = None
    preset_name: str | None = None
    token: str | None = None
    join_url: str | None = None


def _out(ctx: Ctx, meeting_id: str, p: Any, token: str | None) -> ParticipantOut:
    join = deps_of(ctx).join_url(meeting_id, token) if token else None
    return ParticipantOut(
        id=str(g(p, "id")), name=g(p, "name"), preset_name=g(p, "preset_name"), token=token, join_url=join
    )


def _credentials(out: ParticipantOut) -> str:
    return f"token: {out.token}\njoin_url: {out.join_url or NO_JOIN_PAGE}"


@tool_handler(
    action="add the participant",
    not_found="Use meeting_get without meeting_id to list meetings.",
    output=ParticipantOut,
)
async def participant_add(
    ctx: Ctx,
    meeting_id: MeetingId,
    name: str,
    preset_name: Annotated[
        str, Field(description="Role preset, e.g. group_call_host")
    ] = "group_call_participant",
    custom_participant_id: Annotated[str | None, Field(description="Your user id (default: random)")] = None,
) -> ToolOutput:
    client = await client_of(ctx)
    p = await client.participants.add(
        meeting_id,
        custom_participant_id=custom_participant_id or str(uuid.uuid4()),
        preset_name=preset_name,
        name=name,
    )
    token = g(p, "token")
    register_secret(token)
    out = _out(ctx, meeting_id, p, token)
    return ToolOutput(f"Added {out.name} ({out.id}) as {out.preset_name}.\n{_credentials(out)}", out)


@tool_handler(action="update the participant", not_found=NOT_FOUND, output=ParticipantOut)
async def participant_update(
    ctx: Ctx,
    meeting_id: MeetingId,
    participant_id: ParticipantId,
    name: str | None = None,
    preset_name: str | None = None,
    new_token: Annotated[bool, Field(description="Issue a fresh auth token")] = False,
) -> ToolOutput:
    client = await client_of(ctx)
    fields = {k: v for k, v in {"name": name, "preset_name": preset_name}.items() if v is not None}
    if not fields and not new_token:
        return ToolOutput("Nothing to change: pass name, preset_name or new_token=true.")
    p: Any = None
    token: str | None = None
    if fields:
        p = await client.participants.edit(meeting_id, participant_id, **fields)
        token = g(p, "token")
    if new_token:
        token = await client.participants.refresh_token(meeting_id, participant_id)
    if p is None:
        p = await client.participants.get(meeting_id, participant_id)
    register_secret(token)
    out = _out(ctx, meeting_id, p, token)
    changed = ", ".join([*fields, *(["token"] if new_token else [])])
    text = f"Updated {out.name} ({out.id}): {changed}."
    if new_token:
        text += "\n" + _credentials(out)
    else:
        out.token = out.join_url = None
    return ToolOutput(text, out)


async def _confirm_remove(meeting_id: str, participant_id: str, ctx: Ctx) -> Elicit[Confirm] | Confirm:
    if (early := gate(ctx, f"removing participant {participant_id} from meeting {meeting_id}")) is not None:
        return early
    client = await client_of(ctx)
    name = await field_or_unknown(client.participants.get(meeting_id, participant_id), "name", "(no name)")
    return ask(
        f"Remove participant '{short(name, 40)}' ({participant_id}) from meeting {meeting_id}? "
        "Their auth token stops working.",
    )


@tool_handler(action="remove the participant", not_found=NOT_FOUND)
async def participant_remove(
    ctx: Ctx,
    meeting_id: MeetingId,
    participant_id: ParticipantId,
    confirmed: Annotated[Confirmation, Resolve(_confirm_remove)],
) -> ToolOutput:
    require(confirmed, f"removing participant {participant_id}")
    client = await client_of(ctx)
    await client.participants.delete(meeting_id, participant_id)
    return ToolOutput(f"Removed participant {participant_id} from meeting {meeting_id}.")


TOOLSET = Toolset(
    id="participants",
    description="Who may join a meeting, and the auth tokens they join with.",
    default=True,
    tools=(
        ToolSpec(
            name="participant_add",
            title="Add participant",
            description="Add a person to a meeting; returns their auth token and a join link when one exists.",
            fn=participant_add,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="participant_update",
            title="Update participant",
            description="Rename a participant, change their preset, or issue a fresh auth token.",
            fn=participant_update,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="participant_remove",
            title="Remove participant",
            description="Delete a participant from a meeting; asks the user to confirm.",
            fn=participant_remove,
            read_only=False,
            destructive=True,
            idempotent=True,
        ),
    ),
)
