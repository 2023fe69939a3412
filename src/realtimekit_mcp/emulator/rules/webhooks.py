"""Webhook configuration and subscriber lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import schemas
from ..errors import NotFound
from ..events import WEBHOOK_EVENTS
from ..store import Doc
from ..validation import is_uuid, validate_body
from .base import (
    RulesBase,
    _locked,
    _payload_app,
)


class WebhookRules(RulesBase):
    """Webhook configuration and subscriber lookup."""

    def _webhook(self, app_id: str, webhook_id: str) -> Doc:
        doc = self.store.get("webhook", webhook_id.lower(), app_id=app_id) if is_uuid(webhook_id) else None
        if doc is None:
            raise NotFound(f"No webhook found for webhook_id {webhook_id}")
        return doc

    @staticmethod
    def _webhook_public(doc: Doc) -> dict[str, Any]:
        keys = ("id", "name", "url", "events", "enabled", "created_at", "updated_at")
        return {k: doc[k] for k in keys}

    @_locked
    def list_webhooks(self, app_id: str) -> list[dict[str, Any]]:
        """Every webhook of the app (W1)."""
        return [self._webhook_public(d) for d in self.store.list("webhook", app_id=app_id)]

    @_locked
    def create_webhook(self, app_id: str, body: Any) -> dict[str, Any]:
        """Register a webhook (W2)."""
        data = validate_body(schemas.webhook_body(partial=False), body)
        now = self._now_iso()
        doc = {
            "id": self.new_id(),
            "name": data["name"],
            "url": data["url"],
            "events": data["events"],
            "enabled": data.get("enabled", True),
            "created_at": now,
            "updated_at": now,
        }
        self.store.put("webhook", doc, app_id=app_id)
        return self._webhook_public(doc)

    @_locked
    def get_webhook(self, app_id: str, webhook_id: str) -> dict[str, Any]:
        """One webhook (W3)."""
        return self._webhook_public(self._webhook(app_id, webhook_id))

    @_locked
    def update_webhook(
        self, app_id: str, webhook_id: str, body: Any, *, replace: bool = False
    ) -> dict[str, Any]:
        """Edit (W4) or replace (W5) a webhook."""
        doc = self._webhook(app_id, webhook_id)
        data = validate_body(schemas.webhook_body(partial=not replace), body)
        if replace:
            data.setdefault("enabled", True)
        for key in ("name", "url", "events", "enabled"):
            if key in data:
                doc[key] = data[key]
        doc["updated_at"] = self._now_iso()
        self.store.put("webhook", doc, app_id=app_id)
        return self._webhook_public(doc)

    @_locked
    def delete_webhook(self, app_id: str, webhook_id: str) -> dict[str, Any]:
        """Delete a webhook and return it (W6)."""
        doc = self._webhook(app_id, webhook_id)
        self.store.delete("webhook", doc["id"])
        return self._webhook_public(doc)

    @staticmethod
    def webhook_events() -> list[str]:
        """Every webhook event name (W7)."""
        return list(WEBHOOK_EVENTS)

    @_locked
    def webhooks_for_event(
        self, event: str, payload: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The enabled webhooks subscribed to ``event`` of the app that produced ``payload``."""
        app_id = _payload_app(payload or {})
        docs = self.store.list("webhook", app_id=app_id) if app_id else self.store.list("webhook")
        return [self._webhook_public(d) for d in docs if d["enabled"] and event in d["events"]]
