"""Webhook configuration (CRUD) and the event list: ``.../webhooks``."""

from __future__ import annotations

from ._common import Call, Reply, api, ok


def list_webhooks(c: Call) -> Reply:
    return ok(c.backend.list_webhooks(c.app_id))


def create_webhook(c: Call) -> Reply:
    return ok(c.backend.create_webhook(c.app_id, c.body), status=201)


def webhook_events(c: Call) -> Reply:
    return ok(c.backend.webhook_events())


def get_webhook(c: Call) -> Reply:
    return ok(c.backend.get_webhook(c.app_id, c.uuid("webhook_id")))


def edit_webhook(c: Call) -> Reply:
    return ok(c.backend.update_webhook(c.app_id, c.uuid("webhook_id"), c.body))


def replace_webhook(c: Call) -> Reply:
    return ok(c.backend.update_webhook(c.app_id, c.uuid("webhook_id"), c.body, replace=True))


def delete_webhook(c: Call) -> Reply:
    return ok(c.backend.delete_webhook(c.app_id, c.uuid("webhook_id")))


ROUTES = [
    api("GET", "/webhooks", list_webhooks),
    api("POST", "/webhooks", create_webhook),
    api("GET", "/webhooks/all", webhook_events),
    api("GET", "/webhooks/{webhook_id}", get_webhook),
    api("PATCH", "/webhooks/{webhook_id}", edit_webhook),
    api("PUT", "/webhooks/{webhook_id}", replace_webhook),
    api("DELETE", "/webhooks/{webhook_id}", delete_webhook),
]
