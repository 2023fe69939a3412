"""Presets: ``.../presets``."""

from __future__ import annotations

from ._common import Call, Reply, api, ok, paged


def list_presets(c: Call) -> Reply:
    return paged(c.backend.list_presets(c.app_id, **c.paging(), search=c.q("search")))


def create_preset(c: Call) -> Reply:
    return ok(c.backend.create_preset(c.app_id, c.body), status=201)


def get_preset(c: Call) -> Reply:
    return ok(c.backend.get_preset(c.app_id, c.uuid("preset_id")))


def update_preset(c: Call) -> Reply:
    return ok(c.backend.update_preset(c.app_id, c.uuid("preset_id"), c.body))


def replace_preset(c: Call) -> Reply:
    return ok(c.backend.replace_preset(c.app_id, c.uuid("preset_id"), c.body))


def delete_preset(c: Call) -> Reply:
    return ok(c.backend.delete_preset(c.app_id, c.uuid("preset_id")))


ROUTES = [
    api("GET", "/presets", list_presets),
    api("POST", "/presets", create_preset),
    api("GET", "/presets/{preset_id}", get_preset),
    api("PATCH", "/presets/{preset_id}", update_preset),
    api("PUT", "/presets/{preset_id}", replace_preset),
    api("DELETE", "/presets/{preset_id}", delete_preset),
]
