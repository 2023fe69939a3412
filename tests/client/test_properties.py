"""Property tests: whatever the server answers, the client returns a model or raises a typed error."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtimekit_mcp.client import (
    App,
    LivestreamAnalyticsTotals,
    Meeting,
    Page,
    RealtimeKitClient,
    Recording,
    SessionParticipant,
    StopLivestreamResult,
    SummaryJob,
    errors,
)
from tests.client._helpers import ACCOUNT, APP, BASE_URL, VirtualClock

CANARY = "CANARY-property-token-5b7e"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
envelope_like = st.fixed_dictionaries(
    {},
    optional={
        "success": st.booleans() | st.none() | st.text(max_size=3),
        "data": json_values,
        "paging": json_values,
        "error": json_values,
        "errors": json_values,
        "message": json_values,
        "result": json_values,
    },
)
bodies = (
    envelope_like.map(lambda b: json.dumps(b).encode())
    | json_values.map(lambda b: json.dumps(b).encode())
    | st.binary(max_size=64)
)
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 504])
headers = st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "cf-ray", "content-type"]),
    st.text(max_size=30),
    max_size=3,
)


OPS: dict[str, tuple[Callable[[RealtimeKitClient], Awaitable[Any]], type | tuple[type, ...]]] = {
    "meetings.get": (lambda c: c.meetings.get("m-1"), Meeting),
    "meetings.create": (lambda c: c.meetings.create(title="t"), Meeting),
    "meetings.list": (lambda c: c.meetings.list(), Page),
    "apps.create": (lambda c: c.apps.create("a"), App),
    "sessions.list": (lambda c: c.sessions.list(), Page),
    "sessions.participants": (lambda c: c.sessions.participants("s-1"), Page),
    "sessions.participant": (lambda c: c.sessions.participant("s-1", "p-1"), SessionParticipant),
    "sessions.generate_summary": (lambda c: c.sessions.generate_summary("s-1"), SummaryJob),
    "participants.refresh_token": (lambda c: c.participants.refresh_token("m-1", "p-1"), str),
    "recordings.start_track": (lambda c: c.recordings.start_track("m-1"), Recording),
    "livestreams.list": (lambda c: c.livestreams.list(), Page),
    "livestreams.stop": (lambda c: c.livestreams.stop("m-1"), StopLivestreamResult),
    "livestreams.for_session": (lambda c: c.livestreams.for_session("s-1"), Page),
    "livestreams.analytics_overall": (lambda c: c.livestreams.analytics_overall(), LivestreamAnalyticsTotals),
    "livestreams.analytics_daywise": (lambda c: c.livestreams.analytics_daywise(), list),
    "webhooks.list": (lambda c: c.webhooks.list(), list),
    "webhooks.events": (lambda c: c.webhooks.events(), list),
}


def _client(handler: Any) -> RealtimeKitClient:
    return RealtimeKitClient(
        account_id=ACCOUNT,
        app_id=APP,
        api_token=CANARY,
        base_url=BASE_URL,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        clock=VirtualClock(),
        rng=random.Random(0),
    )


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, body=bodies, extra_headers=headers, op=st.sampled_from(sorted(OPS)))
def test_any_answer_gives_a_model_or_a_typed_error(
    status: int, body: bytes, extra_headers: dict[str, str], op: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        safe = {k: v for k, v in extra_headers.items() if v.isascii() and v.isprintable()}
        return httpx.Response(status, content=body, headers=safe)

    async def run() -> None:
        async with _client(handler) as client:
            call, expected = OPS[op]
            try:
                result = await call(client)
            except errors.RealtimeKitError as err:
                assert CANARY not in str(err) and CANARY not in repr(err)
                if isinstance(err, errors.APIError):
                    assert isinstance(err.status_code, int)
                if err.retry_after is not None:
                    assert err.retry_after >= 0
            else:
                assert isinstance(result, expected)

    anyio.run(run)
