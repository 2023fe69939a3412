"""Apps (A1, A2 and GET apps/{app_id}): the RealtimeKit apps of the account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from pydantic import Field

from realtimekit_mcp.client._models import (
    Page,
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, iterate_pages, to_page, validated
from realtimekit_mcp.client.errors import ResponseFormatError

__all__ = ["App", "AppsResource", "CreateAppRequest"]

SortOrder = Literal["ASC", "DESC"]


class App(ResponseModel):
    """A RealtimeKit app (the Dyte "organization"): ``id``, ``name``, ``created_at``."""

    id: str | None = None
    name: str | None = None
    created_at: Timestamp | None = None


class CreateAppRequest(RequestModel):
    """Body of A2 POST apps."""

    name: str = Field(min_length=1)


class AppsResource(Resource):
    """``client.apps``: list, create and get apps. These paths have no ``{app_id}`` prefix."""

    @validated
    async def list(
        self,
        *,
        page_no: Annotated[int, Field(ge=1)] | None = None,
        per_page: Annotated[int, Field(ge=1)] | None = None,
        search: Annotated[str, Field(max_length=125)] | None = None,
        sort_order: SortOrder | None = None,
    ) -> Page[App]:
        """A1 GET apps: one page of the account's apps."""
        env = await self._http.request(
            "GET",
            self._http.account_path("apps"),
            params={"page_no": page_no, "per_page": per_page, "search": search, "sort_order": sort_order},
        )
        return to_page(env, App, page_no=page_no, per_page=per_page)

    def iter(
        self, *, per_page: int | None = None, search: str | None = None, sort_order: SortOrder | None = None
    ) -> AsyncIterator[App]:
        """Every app, page after page."""
        return iterate_pages(
            lambda n: self.list(page_no=n, per_page=per_page, search=search, sort_order=sort_order)
        )

    @validated
    async def create(self, name: str) -> App:
        """A2 POST apps: create an app (the response wraps it as ``data.app``)."""
        body = build_request(CreateAppRequest, name=name).to_body()
        env = await self._http.request("POST", self._http.account_path("apps"), json=body)
        data = env.data
        if isinstance(data, dict) and isinstance(data.get("app"), dict):
            data = data["app"]
        if not isinstance(data, dict):
            raise ResponseFormatError(
                "expected data.app in the create-app response", status_code=env.status_code
            )
        return parse_response(App, data)

    @validated
    async def get(self, app_id: str | None = None) -> App:
        """GET apps/{app_id}: details of one app (the client's own app by default)."""
        env = await self._http.request("GET", self._http.account_path("apps", app_id or self._http.app_id))
        return parse_response(App, env.data, status_code=env.status_code)
