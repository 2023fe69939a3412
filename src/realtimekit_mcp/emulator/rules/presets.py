"""Presets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import schemas
from ..errors import BadRequest, Conflict, NotFound
from ..store import Doc
from ..validation import is_uuid, validate_body
from .base import (
    Page,
    RulesBase,
    _deep_merge,
    _locked,
    paginate,
)


class PresetRules(RulesBase):
    """Presets."""

    def _preset(self, app_id: str, preset_id: str) -> Doc:
        doc = self.store.get("preset", preset_id.lower(), app_id=app_id) if is_uuid(preset_id) else None
        if doc is None:
            raise NotFound(f"No preset found for preset_id {preset_id}")
        return doc

    def _check_preset_name_free(self, app_id: str, name: str, own_id: str | None = None) -> None:
        for doc in self.store.list("preset", app_id=app_id):
            if doc["name"] == name and doc["id"] != own_id:
                raise Conflict(f"A preset named {name!r} already exists")

    @_locked
    def list_presets(
        self,
        app_id: str,
        *,
        page_no: int | None = None,
        per_page: int | None = None,
        search: str | None = None,
    ) -> Page:
        """Preset summaries (PR1)."""
        docs = self.store.list("preset", app_id=app_id)
        if search:
            docs = [d for d in docs if search.lower() in d["name"].lower()]
        page = paginate(docs, page_no, per_page)
        page.items = [{k: d[k] for k in ("id", "name", "created_at", "updated_at")} for d in page.items]
        return page

    @_locked
    def create_preset(self, app_id: str, body: Any) -> dict[str, Any]:
        """Create a preset; every section is required (PR2)."""
        data = validate_body(schemas.PRESET, body)
        self._check_preset_name_free(app_id, data["name"])
        now = self._now_iso()
        doc = {"id": self.new_id(), **{k: data[k] for k in ("name", "config", "permissions", "ui")}}
        doc.update(created_at=now, updated_at=now)
        self.store.put("preset", doc, app_id=app_id)
        return self._preset_public(doc)

    @_locked
    def get_preset(self, app_id: str, preset_id: str) -> dict[str, Any]:
        """One preset (PR3)."""
        return self._preset_public(self._preset(app_id, preset_id))

    @_locked
    def update_preset(self, app_id: str, preset_id: str, body: Any) -> dict[str, Any]:
        """Deep-merge a partial preset; the result must still be a valid preset (PR4)."""
        doc = self._preset(app_id, preset_id)
        if not isinstance(body, dict):
            raise BadRequest('"value" must be of type object')
        patch = {k: v for k, v in body.items() if k in ("name", "config", "permissions", "ui")}
        merged = _deep_merge(self._preset_public(doc), patch)
        data = validate_body(schemas.PRESET, merged)
        return self._save_preset(app_id, doc, data)

    @_locked
    def replace_preset(self, app_id: str, preset_id: str, body: Any) -> dict[str, Any]:
        """Replace a preset (PR5)."""
        doc = self._preset(app_id, preset_id)
        data = validate_body(schemas.PRESET, body)
        return self._save_preset(app_id, doc, data)

    def _save_preset(self, app_id: str, doc: Doc, data: Mapping[str, Any]) -> dict[str, Any]:
        self._check_preset_name_free(app_id, data["name"], doc["id"])
        new = {"id": doc["id"], **{k: data[k] for k in ("name", "config", "permissions", "ui")}}
        new.update(created_at=doc["created_at"], updated_at=self._now_iso())
        with self.store.transaction():
            self.store.put("preset", new, app_id=app_id)
            if new["name"] != doc["name"]:
                for participant in self.store.list("participant", app_id=app_id):
                    if participant["preset_id"] == doc["id"]:
                        participant["preset_name"] = new["name"]
                        self.store.put(
                            "participant", participant, app_id=app_id, parent=participant["meeting_id"]
                        )
        return self._preset_public(new)

    @_locked
    def delete_preset(self, app_id: str, preset_id: str) -> dict[str, Any]:
        """Delete a preset and return it (PR6)."""
        doc = self._preset(app_id, preset_id)
        self.store.delete("preset", doc["id"])
        return self._preset_public(doc)
