"""Apps: ``/accounts/{account_id}/realtime/kit/apps``."""

from __future__ import annotations

from ._common import Call, Reply, api, ok, paged


def list_apps(c: Call) -> Reply:
    return paged(
        c.backend.list_apps(
            **c.paging(minimum=1), search=c.q("search"), sort_order=c.q_enum("sort_order", ("ASC", "DESC"))
        )
    )


def create_app(c: Call) -> Reply:
    return ok(c.backend.create_app(c.body))


def get_app(c: Call) -> Reply:
    return ok(c.backend.get_app(c.path("app_id")))


ROUTES = [
    api("GET", "/apps", list_apps, app_scoped=False),
    api("POST", "/apps", create_app, app_scoped=False),
    api("GET", "/apps/{app_id}", get_app, app_scoped=False),
]
