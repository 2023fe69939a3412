"""Shared plumbing of the resource groups: the base class, argument validation and page building."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, validate_call

from realtimekit_mcp.client import errors
from realtimekit_mcp.client._http import Envelope, HTTPCore, parse_paging
from realtimekit_mcp.client._models import Page, _describe, parse_response

__all__ = ["Resource", "iterate_pages", "to_page", "validated"]

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_CALL_CONFIG = ConfigDict(arbitrary_types_allowed=True)


def validated(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Validate a resource method's arguments against its annotations (enums, ranges, types).

    Bad arguments raise ``RequestValidationError`` (naming the argument, never echoing its value)
    before any request is sent. Callers such as MCP tools pass untyped JSON, so the annotations are
    enforced at run time, not only by the type checker.
    """
    checked: Callable[P, Awaitable[R]] | None = None  # built on first call: keeps imports fast

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal checked
        if checked is None:
            checked = validate_call(config=_CALL_CONFIG)(fn)
        try:
            return await checked(*args, **kwargs)
        except ValidationError as exc:
            raise errors.RequestValidationError(_describe(exc, f"arguments to {fn.__name__}")) from None

    return wrapper


class Resource:
    """Base of a resource group: holds the shared ``HTTPCore``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def _call(
        self,
        method: str,
        *segments: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Envelope:
        return await self._http.request(method, self._http.app_path(*segments), params=params, json=json)


def to_page(
    env: Envelope,
    model: type[M],
    *,
    key: str | None = None,
    page_no: int | None = None,
    per_page: int | None = None,
) -> Page[M]:
    """Build a ``Page`` from a list envelope.

    ``data`` is either the list itself or (``key`` given) an object holding it under ``key``; the
    paging object is taken from the top level or, failing that, from inside ``data``.
    """
    data = env.data
    paging = env.paging
    if isinstance(data, dict):
        if paging is None:
            paging = parse_paging(data.get("paging"))
        if key is not None:
            data = data.get(key)
    if data is None:
        data = []
    if not isinstance(data, list):
        raise errors.ResponseFormatError(
            f"expected a list of {model.__name__} in the response", status_code=env.status_code
        )
    items = [parse_response(model, item) for item in data]
    return Page(items=items, paging=paging, page_no=page_no, per_page=per_page)


async def iterate_pages(
    fetch: Callable[[int], Awaitable[Page[T]]],
    *,
    start: int = 1,
    max_pages: int = 10_000,
) -> AsyncIterator[T]:
    """Yield every item of every page, fetching ``fetch(page_no)`` from ``start`` on.

    Stops on an empty page, when ``has_more`` is false, or when the server's offsets stop advancing
    (a server that ignores ``page_no`` must not make this loop forever).
    """
    page_no = start
    last_end: int | None = None
    for _ in range(max_pages):
        page = await fetch(page_no)
        end = page.paging.end_offset if page.paging is not None else None
        if end is not None and last_end is not None and end <= last_end:
            return  # the server returned a page we have already seen
        for item in page.items:
            yield item
        if not page.has_more:
            return
        last_end = end
        page_no += 1
