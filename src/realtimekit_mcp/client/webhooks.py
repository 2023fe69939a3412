"""Webhooks (W1-W7): delivery configurations. Signatures are verified by
``realtimekit_mcp.webhook_signature`` (the signing key is global, not per webhook)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import Field

from realtimekit_mcp.client._models import (
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, validated
from realtimekit_mcp.client.errors import ResponseFormatError

__all__ = [
    "WEBHOOK_EVENTS",
    "CreateWebhookRequest",
    "UpdateWebhookRequest",
    "Webhook",
    "WebhookEvent",
    "WebhooksResource",
]

WebhookEvent = Literal[
    "meeting.started",
    "meeting.ended",
    "meeting.participantJoined",
    "meeting.participantLeft",
    "meeting.chatSynced",
    "recording.statusUpdate",
    "livestreaming.statusUpdate",
    "meeting.transcript",
    "meeting.summary",
]
WEBHOOK_EVENTS: tuple[str, ...] = get_args(WebhookEvent)
"""The event names, in the order the SDK lists them."""

Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


class CreateWebhookRequest(RequestModel):
    """Body of W2 POST and W5 PUT."""

    name: Annotated[str, Field(min_length=1)]
    url: Url
    events: Annotated[list[WebhookEvent], Field(min_length=1)]
    enabled: bool | None = None


class UpdateWebhookRequest(RequestModel):
    """Body of W4 PATCH: any subset."""

    name: Annotated[str, Field(min_length=1)] | None = None
    url: Url | None = None
    events: Annotated[list[WebhookEvent], Field(min_length=1)] | None = None
    enabled: bool | None = None


class Webhook(ResponseModel):
    """A webhook configuration."""

    id: str
    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    enabled: bool | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class WebhooksResource(Resource):
    """``client.webhooks``."""

    @validated
    async def list(self) -> builtins.list[Webhook]:
        """W1 GET webhooks (not paged)."""
        env = await self._call("GET", "webhooks")
        return [parse_response(Webhook, item) for item in _as_list(env.data, env.status_code)]

    @validated
    async def create(
        self, name: str, url: str, events: Sequence[WebhookEvent], enabled: bool = True
    ) -> Webhook:
        """W2 POST webhooks."""
        body = build_request(CreateWebhookRequest, name=name, url=url, events=list(events), enabled=enabled)
        env = await self._call("POST", "webhooks", json=body.to_body())
        return parse_response(Webhook, env.data, status_code=env.status_code)

    @validated
    async def get(self, webhook_id: str) -> Webhook:
        """W3 GET webhooks/{id}."""
        env = await self._call("GET", "webhooks", webhook_id)
        return parse_response(Webhook, env.data, status_code=env.status_code)

    @validated
    async def update(
        self,
        webhook_id: str,
        *,
        name: str | None = None,
        url: str | None = None,
        events: Sequence[WebhookEvent] | None = None,
        enabled: bool | None = None,
    ) -> Webhook:
        """W4 PATCH webhooks/{id}: change only the given fields."""
        body = build_request(
            UpdateWebhookRequest,
            name=name,
            url=url,
            events=list(events) if events is not None else None,
            enabled=enabled,
        )
        env = await self._call("PATCH", "webhooks", webhook_id, json=body.to_body())
        return parse_response(Webhook, env.data, status_code=env.status_code)

    @validated
    async def replace(
        self,
        webhook_id: str,
        name: str,
        url: str,
        events: Sequence[WebhookEvent],
        enabled: bool | None = None,
    ) -> Webhook:
        """W5 PUT webhooks/{id}: replace name, url and events (and ``enabled`` when given)."""
        body = build_request(CreateWebhookRequest, name=name, url=url, events=list(events), enabled=enabled)
        env = await self._call("PUT", "webhooks", webhook_id, json=body.to_body())
        return parse_response(Webhook, env.data, status_code=env.status_code)

    @validated
    async def delete(self, webhook_id: str) -> Webhook:
        """W6 DELETE webhooks/{id}: returns the deleted webhook."""
        env = await self._call("DELETE", "webhooks", webhook_id)
        return parse_response(Webhook, env.data, status_code=env.status_code)

    @validated
    async def events(self) -> builtins.list[str]:
        """W7 GET webhooks/all: the event names RealtimeKit supports."""
        env = await self._call("GET", "webhooks", "all")
        data = env.data
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, builtins.list)), None)
        return [str(e) for e in _as_list(data, env.status_code)]


def _as_list(data: Any, status: int) -> builtins.list[Any]:
    if data is None:
        return []
    if not isinstance(data, builtins.list):
        raise ResponseFormatError("expected a list in the response", status_code=status)
    return data
