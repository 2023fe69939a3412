"""HTTP core: auth, URLs, query encoding, envelope, error mapping, timeouts, retries."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
import respx

from realtimekit_mcp.client import RealtimeKitClient, errors
from realtimekit_mcp.client._http import encode_query, parse_retry_after
from tests.client._helpers import APP, BASE_URL, TOKEN, P, VirtualClock, fail, make_client, ok

pytestmark = pytest.mark.anyio

MEETING = {"id": "m-1", "title": "Stand-up", "status": "ACTIVE"}


# -- auth, URL, query -----------------------------------------------------------------------------


async def test_bearer_token_and_app_prefix_are_sent(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.get(f"{P}/meetings/m-1").mock(return_value=ok(MEETING))
    meeting = await client.meetings.get("m-1")
    assert meeting.id == "m-1"
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert str(request.url) == f"{BASE_URL}{P}/meetings/m-1"
    assert request.headers["user-agent"].startswith("realtimekit-mcp/")


async def test_email_and_global_key_are_sent_as_x_auth_headers(
    router: respx.Router, clock: VirtualClock
) -> None:
    route = router.get(f"{P}/meetings/m-1").mock(return_value=ok(MEETING))
    async with make_client(
        router, clock, api_token=None, api_email="me@example.com", api_key="global-key-123"
    ) as c:
        await c.meetings.get("m-1")
    headers = route.calls.last.request.headers
    assert headers["x-auth-email"] == "me@example.com"
    assert headers["x-auth-key"] == "global-key-123"
    assert "authorization" not in headers


def test_client_without_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="api_token"):
        RealtimeKitClient(account_id="a", app_id="b")
    with pytest.raises(ValueError, match="api_token"):
        RealtimeKitClient(account_id="a", app_id="b", api_email="me@example.com")


async def test_apps_paths_have_no_app_id(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.get("/accounts/acc0123/realtime/kit/apps").mock(return_value=ok([]))
    await client.apps.list()
    assert route.called


async def test_ids_are_percent_encoded_so_they_cannot_change_the_path(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.get(url__regex=r".*").mock(return_value=ok(MEETING))
    await client.meetings.get("../presets/x y")
    assert route.calls.last.request.url.raw_path.decode() == f"/client/v4{P}/meetings/..%2Fpresets%2Fx%20y"


async def test_empty_id_is_rejected_before_sending(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.route().mock(return_value=ok([]))
    with pytest.raises(errors.RequestValidationError):
        await client.meetings.get("")
    assert not route.called


def test_query_encoding_uses_true_false_repeated_keys_and_iso_times() -> None:
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert encode_query(
        {"a": True, "b": False, "s": ["UPLOADED", "ERRORED"], "t": when, "n": None, "p": 2, "x": "y"}
    ) == [
        ("a", "true"),
        ("b", "false"),
        ("s", "UPLOADED"),
        ("s", "ERRORED"),
        ("t", "2025-01-02T03:04:05Z"),
        ("p", "2"),
        ("x", "y"),
    ]


async def test_recording_status_filter_is_sent_repeated(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.get(f"{P}/recordings").mock(return_value=ok([]))
    await client.recordings.list(status=["UPLOADED", "ERRORED"], expired=False)
    params = route.calls.last.request.url.params
    assert params.get_list("status") == ["UPLOADED", "ERRORED"]
    assert params["expired"] == "false"


async def test_bad_enum_argument_is_rejected_before_sending(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.route().mock(return_value=ok([]))
    with pytest.raises(errors.RequestValidationError, match="status"):
        await client.meetings.list(status="PAUSED")  # type: ignore[arg-type]
    with pytest.raises(errors.RequestValidationError, match="session_keep_alive_time_in_secs"):
        await client.meetings.create(session_keep_alive_time_in_secs=30)
    with pytest.raises(errors.RequestValidationError, match=r"unknown_field|Extra inputs"):
        await client.meetings.create(ai_config={"unknown_field": 1})
    assert not route.called


# -- envelope and paging --------------------------------------------------------------------------


async def test_list_envelope_is_unwrapped_into_a_page(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/meetings").mock(
        return_value=ok([MEETING], paging={"total_count": 45, "start_offset": 21, "end_offset": 40})
    )
    page = await client.meetings.list(page_no=2, per_page=20)
    assert [m.id for m in page.items] == ["m-1"]
    assert page.paging is not None and page.paging.total_count == 45
    assert (page.page_no, page.per_page, page.has_more) == (2, 20, True)


async def test_unknown_response_fields_are_kept(client: RealtimeKitClient, router: respx.Router) -> None:
    router.get(f"{P}/meetings/m-1").mock(return_value=ok({**MEETING, "brand_new_field": 7}))
    meeting = await client.meetings.get("m-1")
    assert meeting.model_extra == {"brand_new_field": 7}


async def test_success_status_with_a_non_json_body_is_a_format_error(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/meetings/m-1").mock(return_value=httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(errors.ResponseFormatError) as info:
        await client.meetings.get("m-1")
    assert info.value.status_code == 200


async def test_success_status_with_a_wrong_shape_is_a_format_error(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/meetings/m-1").mock(return_value=ok({"title": "no id"}))
    with pytest.raises(errors.ResponseFormatError, match="id"):
        await client.meetings.get("m-1")
    router.get(f"{P}/meetings").mock(return_value=ok({"not": "a list"}))
    with pytest.raises(errors.ResponseFormatError):
        await client.meetings.list()


async def test_success_false_inside_a_200_is_mapped_by_its_code(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/meetings/m-1").mock(
        return_value=httpx.Response(200, json={"success": False, "error": {"code": 404, "message": "gone"}})
    )
    with pytest.raises(errors.NotFoundError, match="gone"):
        await client.meetings.get("m-1")


# -- error mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (418, errors.APIError),
        (422, errors.BadRequestError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.ServerError),
    ],
)
async def test_error_status_maps_to_its_error_class_with_the_api_message(
    router: respx.Router, clock: VirtualClock, status: int, cls: type[errors.APIError]
) -> None:
    message = 'BAD_REQUEST: "name" is required'
    router.post(f"{P}/webhooks").mock(
        return_value=fail(status, message, **{"cf-ray": "ray-123", "retry-after": "3"})
    )
    async with make_client(router, clock) as c:
        with pytest.raises(errors.APIError) as info:
            await c.webhooks.create("n", "https://example.com/hook", ["meeting.started"])
    err = info.value
    assert type(err) is cls
    assert str(err) == message
    assert (err.status_code, err.code, err.request_id, err.method) == (status, status, "ray-123", "POST")
    assert err.path == f"/client/v4{P}/webhooks"
    if status == 429:
        assert isinstance(err, errors.RateLimitError) and err.retry_after == 3.0


async def test_gateway_authentication_error_shape_maps_to_authentication_error(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    body = {
        "success": False,
        "errors": [{"code": 10000, "message": "Authentication error"}],
        "messages": [],
        "result": None,
    }
    router.get(f"{P}/meetings").mock(return_value=httpx.Response(403, json=body))
    with pytest.raises(errors.AuthenticationError) as info:
        await client.meetings.list()
    assert str(info.value) == "Authentication error"
    assert info.value.code == 10000
    assert info.value.status_code == 403


async def test_gateway_errors_that_are_not_about_auth_keep_their_status_class(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    body = {"success": False, "errors": [{"code": 7003, "message": "Could not route"}, {"message": "second"}]}
    router.get(f"{P}/meetings").mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(errors.BadRequestError, match="Could not route; second"):
        await client.meetings.list()


async def test_dyte_style_message_only_body_is_understood(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/webhooks").mock(return_value=httpx.Response(401, json={"message": "Unauthorized"}))
    with pytest.raises(errors.AuthenticationError, match="Unauthorized"):
        await client.webhooks.list()


async def test_non_json_error_body_still_maps_by_status(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.post(f"{P}/meetings").mock(return_value=httpx.Response(500, text="<html>Internal</html>"))
    with pytest.raises(errors.ServerError) as info:
        await client.meetings.create(title="x")
    assert "HTTP 500" in str(info.value)
    assert "<html>" not in str(info.value)


# -- timeouts and connection errors ---------------------------------------------------------------


async def test_timeout_on_a_post_raises_api_timeout_error_without_retry(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    route = router.post(f"{P}/meetings").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(errors.APITimeoutError):
        await client.meetings.create(title="x")
    assert route.call_count == 1
    assert clock.sleeps == []


async def test_timeout_on_a_get_is_retried_then_raised_with_retry_after(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    route = router.get(f"{P}/meetings").mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(errors.APITimeoutError) as info:
        await client.meetings.list()
    assert route.call_count == 6  # first attempt + the default max_retries=5
    assert info.value.retry_after is not None and info.value.retry_after > 0
    assert isinstance(info.value, errors.APIConnectionError)


async def test_connection_error_maps_to_api_connection_error(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.post(f"{P}/meetings").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(errors.APIConnectionError, match="connection refused") as info:
        await client.meetings.create()
    assert not isinstance(info.value, errors.APITimeoutError)


async def test_timeout_setting_is_passed_to_each_attempt_and_capped_by_the_budget(
    router: respx.Router, clock: VirtualClock
) -> None:
    route = router.get(f"{P}/meetings").mock(side_effect=[fail(503, "busy", **{"retry-after": "4"}), ok([])])
    async with make_client(router, clock, timeout=7.0, retry_budget=10.0) as c:
        await c.meetings.list()
    first, second = (call.request.extensions["timeout"] for call in route.calls)
    assert first["read"] == 7.0
    assert second["read"] == pytest.approx(6.0)  # 10 s budget - 4 s waited


# -- retries --------------------------------------------------------------------------------------


async def test_retry_after_seconds_is_honoured(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    router.get(f"{P}/meetings").mock(side_effect=[fail(429, "slow down", **{"retry-after": "2"}), ok([])])
    await client.meetings.list()
    assert clock.sleeps == [2.0]


async def test_retry_after_ms_wins_over_retry_after(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    router.get(f"{P}/meetings").mock(
        side_effect=[fail(503, "busy", **{"retry-after": "5", "retry-after-ms": "250"}), ok([])]
    )
    await client.meetings.list()
    assert clock.sleeps == [0.25]


async def test_retry_after_http_date_is_honoured(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    when = format_datetime(datetime.fromtimestamp(clock.time() + 3, tz=UTC), usegmt=True)
    router.get(f"{P}/meetings").mock(side_effect=[fail(503, "busy", **{"retry-after": when}), ok([])])
    await client.meetings.list()
    assert clock.sleeps == [pytest.approx(3.0, abs=1.0)]


def test_parse_retry_after_variants() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(httpx.Headers({"retry-after": "1.5"}), now) == 1.5
    assert parse_retry_after(httpx.Headers({"retry-after": "-3"}), now) == 0.0
    assert parse_retry_after(httpx.Headers({"retry-after": "soon"}), now) is None
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "x", "retry-after": "2"}), now) == 2.0
    assert parse_retry_after(httpx.Headers({}), now) is None
    past = format_datetime(datetime.fromtimestamp(now - 60, tz=UTC), usegmt=True)
    assert parse_retry_after(httpx.Headers({"retry-after": past}), now) == 0.0


async def test_retry_after_beyond_the_budget_raises_at_once_with_retry_after(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    route = router.get(f"{P}/meetings").mock(return_value=fail(429, "slow down", **{"retry-after": "30"}))
    with pytest.raises(errors.RateLimitError) as info:
        await client.meetings.list()
    assert route.call_count == 1
    assert clock.sleeps == []
    assert info.value.retry_after == 30.0


async def test_backoff_without_hint_is_exponential_and_jittered(
    router: respx.Router, clock: VirtualClock
) -> None:
    router.get(f"{P}/meetings").mock(side_effect=[fail(502, "bad gw")] * 4 + [ok([])])
    async with make_client(router, clock, max_retries=4) as c:
        await c.meetings.list()
    assert len(clock.sleeps) == 4
    for n, slept in enumerate(clock.sleeps):
        nominal = 0.25 * 2**n
        assert 0.75 * nominal <= slept <= nominal
    assert len(set(clock.sleeps)) == 4


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_are_retried(router: respx.Router, clock: VirtualClock, method: str) -> None:
    route = router.route(method=method).mock(side_effect=[fail(503, "busy"), ok({"id": "w-1"})])
    async with make_client(router, clock) as c:
        if method == "PUT":
            await c.webhooks.replace("w-1", "n", "https://example.com/h", ["meeting.ended"])
        else:
            await c.webhooks.delete("w-1")
    assert route.call_count == 2


@pytest.mark.parametrize("side_effect", [fail(503, "busy"), fail(429, "slow"), httpx.ConnectError("reset")])
async def test_post_is_never_retried(
    client: RealtimeKitClient,
    router: respx.Router,
    clock: VirtualClock,
    side_effect: httpx.Response | Exception,
) -> None:
    route = router.post(f"{P}/meetings").mock(side_effect=[side_effect, ok(MEETING, 201)])
    with pytest.raises(errors.RealtimeKitError) as info:
        await client.meetings.create(title="once")
    assert route.call_count == 1
    assert clock.sleeps == []
    if isinstance(info.value, errors.RateLimitError):
        assert info.value.retry_after is None  # no header: nothing to promise


async def test_patch_is_not_retried(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.patch(f"{P}/meetings/m-1").mock(side_effect=[fail(503, "busy"), ok(MEETING)])
    with pytest.raises(errors.ServerError):
        await client.meetings.update("m-1", status="INACTIVE")
    assert route.call_count == 1


async def test_non_retryable_status_is_raised_immediately(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    for status in (400, 404, 500):
        route = router.get(f"{P}/meetings/m-{status}").mock(return_value=fail(status, "no"))
        with pytest.raises(errors.APIError):
            await client.meetings.get(f"m-{status}")
        assert route.call_count == 1
    assert clock.sleeps == []


async def test_zero_budget_disables_retries(router: respx.Router, clock: VirtualClock) -> None:
    route = router.get(f"{P}/meetings").mock(return_value=fail(503, "busy"))
    async with make_client(router, clock, retry_budget=0) as c:
        with pytest.raises(errors.ServerError) as info:
            await c.meetings.list()
    assert route.call_count == 1
    assert info.value.retry_after is not None


async def test_injected_http_client_is_not_closed_but_an_owned_one_is() -> None:
    http = httpx.AsyncClient()
    async with RealtimeKitClient(account_id="a", app_id=APP, api_token=TOKEN, http_client=http):
        pass
    assert not http.is_closed
    await http.aclose()
    own = RealtimeKitClient(account_id="a", app_id=APP, api_token=TOKEN)
    await own.aclose()
    assert own._http_client.is_closed
