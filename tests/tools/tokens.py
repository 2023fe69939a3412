"""Offline cl100k token counting over what tools/list sends (name, title, description, schemas,
annotations), serialised as compact JSON. ``bpe-openai`` bundles OpenAI's cl100k_base ranks, so
nothing is downloaded at run time (tiktoken would fetch them)."""

from __future__ import annotations

import json
from typing import Any

import bpe_openai

ENCODING = bpe_openai.get_encoding("cl100k_base")
FIELDS = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")


def visible(tool: Any) -> dict[str, Any]:
    """The fields of a tools/list entry that count against the budget."""
    wire = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {k: wire[k] for k in FIELDS if k in wire}


def count(tool: Any) -> int:
    """cl100k tokens of one tools/list entry."""
    return len(ENCODING.encode(json.dumps(visible(tool), separators=(",", ":"), ensure_ascii=False)))
