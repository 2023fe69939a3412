"""Base models shared by every resource group, and the ``Page`` of a paged list.

- ``RequestModel``: what we send. ``extra="forbid"``, so a misspelt field fails here, before a
  request leaves the process, instead of being silently ignored by the server.
- ``ResponseModel``: what we receive. ``extra="allow"`` and optional fields, so fields Cloudflare
  adds (or omits) do not break the client; unknown fields stay reachable via ``model_extra``.

Timestamps in responses are kept as the ISO-8601 strings the API sends (``Timestamp``): sources
disagree on their exact form (``T`` vs space separator, the literal string ``"null"``), and a
string is what the tool layer forwards anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from realtimekit_mcp.client.errors import RequestValidationError

__all__ = [
    "DateTimeQuery",
    "Page",
    "PageNo",
    "Paging",
    "PerPage",
    "RequestModel",
    "ResponseModel",
    "Timestamp",
]

Timestamp = str
"""An ISO-8601 timestamp as sent by the API (kept as text; see the module docstring)."""


class RequestModel(BaseModel):
    """Base of request bodies: strict about what we send."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body: only fields that were set, by alias, JSON-compatible values."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class ResponseModel(BaseModel):
    """Base of response models: tolerant of fields we do not know."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Paging(ResponseModel):
    """The ``paging`` object of a list response (offsets are 1-based and inclusive)."""

    total_count: int | None = None
    start_offset: int | None = None
    end_offset: int | None = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a paged list.

    ``items`` are the unwrapped ``data`` entries, ``paging`` is the server's paging object (or
    ``None`` when the server sent none), ``page_no``/``per_page`` echo what was requested.
    """

    model_config = ConfigDict(extra="forbid")

    items: list[T]
    paging: Paging | None = None
    page_no: int | None = None
    per_page: int | None = None

    @property
    def has_more(self) -> bool:
        """Whether a further page probably exists.

        With ``paging``: ``end_offset < total_count``. Without it: the page was full
        (``len(items) >= per_page``). An empty page never has more.
        """
        if not self.items:
            return False
        p = self.paging
        if p is not None and p.total_count is not None and p.end_offset is not None:
            return p.end_offset < p.total_count
        return self.per_page is not None and len(self.items) >= self.per_page

    def __len__(self) -> int:
        return len(self.items)


M = TypeVar("M", bound=BaseModel)


def build_request(model: type[M], **fields: Any) -> M:
    """Validate request fields into ``model``; ``None`` values are treated as "not given".

    Raises ``RequestValidationError`` naming the bad fields (never echoing their values, which may
    be secrets such as storage credentials).
    """
    given = {k: v for k, v in fields.items() if v is not None}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise RequestValidationError(_describe(exc, model.__name__)) from None


def _describe(exc: ValidationError, what: str) -> str:
    parts = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    return f"invalid {what}: " + "; ".join(parts)


def parse_response(model: type[M], data: Any, *, status_code: int = 200) -> M:
    """Validate response ``data`` into ``model``; raise ``ResponseFormatError`` without input echo."""
    from realtimekit_mcp.client.errors import ResponseFormatError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ResponseFormatError(
            _describe(exc, f"{model.__name__} in response"), status_code=status_code
        ) from None


PageNo = Annotated[int, Field(ge=0)]
"""``page_no`` query value (the API documents minimum 0; pages are 1-based in practice)."""

PerPage = Annotated[int, Field(ge=0)]
"""``per_page`` query value."""

DateTimeQuery = datetime | str
"""An ISO-8601 ``start_time``/``end_time`` query value (a ``datetime`` is formatted for you)."""
