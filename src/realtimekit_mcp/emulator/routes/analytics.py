"""Organisation analytics: ``.../analytics/daywise``."""

from __future__ import annotations

from ._common import Call, Reply, api, ok


def daywise(c: Call) -> Reply:
    return ok(
        c.backend.org_analytics(c.app_id, start_date=c.q_date("start_date"), end_date=c.q_date("end_date"))
    )


ROUTES = [api("GET", "/analytics/daywise", daywise)]
