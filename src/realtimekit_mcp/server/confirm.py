"""Human confirmation for destructive tools, through the SDK's ``Resolve`` + ``Elicit``.

A destructive tool declares ``confirmed: Annotated[Confirm, Resolve(some_resolver)]``; the
resolver names the concrete target and effect and calls ``ask``. The SDK carries the question
as an ``InputRequiredResult`` on 2026-07-28 connections and as a pushed ``elicitation/create`` on
handshake-era ones. The model cannot answer it: there is no ``confirm`` argument in the schema.

When the client cannot elicit, the call fails closed with a ``ToolError`` unless the operator
started the server with ``--allow-destructive``.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field


class Confirm(BaseModel):
    """The form the user sees: one checkbox."""

    confirm: bool = Field(description="Check to go ahead")


def client_can_elicit(ctx: Context[Any, Any]) -> bool:
    """True when the connected client declared the (form) elicitation capability."""
    caps = ctx.client_capabilities
    return caps is not None and caps.elicitation is not None


def gate(ctx: Context[Any, Any], what: str) -> Confirm | None:
    """Decide before any lookup: None when the user can be asked, else pass or fail closed.

    Without elicitation the call fails closed (``ToolError`` naming ``what``) unless the operator
    passed ``--allow-destructive``, in which case it proceeds unasked.
    """
    if client_can_elicit(ctx):
        return None
    if ctx.mcp_server.deps.settings.allow_destructive:  # type: ignore[attr-defined]
        return Confirm(confirm=True)
    raise ToolError(
        f"Not done: {what} needs the user's confirmation, but this MCP client (or connection) cannot show "
        "confirmation prompts (elicitation). Ask the user to do it in a client that supports "
        "elicitation, or the operator to restart the server with --allow-destructive."
    )


def ask(message: str) -> Elicit[Confirm]:
    """The confirmation question: ``message`` must name the concrete target and the effect."""
    return Elicit(message + " Check 'confirm' to proceed.", Confirm)


Confirmation = ElicitationResult[Confirm]
"""What a destructive tool receives: the user's answer (accept with the form, decline, cancel)."""


def require(confirmed: Confirmation, what: str) -> None:
    """Raise unless the user accepted and actually checked ``confirm``."""
    if not isinstance(confirmed, AcceptedElicitation):
        raise ToolError(
            f"Not done: the user declined {what}; nothing was changed. Do not retry unless the user asks."
        )
    if not confirmed.data.confirm:
        raise ToolError(f"Not done: the user did not confirm {what}; nothing was changed.")
