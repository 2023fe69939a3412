"""Paging iterators and ``client.download``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import respx

from realtimekit_mcp.client import Page, Paging, RealtimeKitClient, errors
from tests.client._helpers import BASE_URL, TOKEN, P, VirtualClock, make_client, ok

pytestmark = pytest.mark.anyio


def _meetings_pages(total: int, per_page: int) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        page_no = int(request.url.params.get("page_no", "1"))
        start = (page_no - 1) * per_page
        ids = [f"m-{i}" for i in range(start, min(start + per_page, total))]
        paging = {"total_count": total, "start_offset": start + 1, "end_offset": start + len(ids)}
        return ok([{"id": i} for i in ids], paging=paging)

    return handler


async def test_iter_walks_every_page_and_stops(client: RealtimeKitClient, router: respx.Router) -> None:
    route = router.get(f"{P}/meetings").mock(side_effect=_meetings_pages(total=45, per_page=20))
    ids = [m.id async for m in client.meetings.iter(per_page=20)]
    assert ids == [f"m-{i}" for i in range(45)]
    assert [c.request.url.params["page_no"] for c in route.calls] == ["1", "2", "3"]


async def test_iter_stops_when_the_server_ignores_page_no(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    stuck = ok([{"id": "m-0"}], paging={"total_count": 99, "start_offset": 1, "end_offset": 1})
    route = router.get(f"{P}/meetings").mock(return_value=stuck)
    ids = [m.id async for m in client.meetings.iter(per_page=1)]
    assert ids == ["m-0"]
    assert route.call_count == 2


async def test_iter_without_paging_stops_on_a_short_page(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get(f"{P}/sessions/s-1/participants").mock(
        side_effect=[ok({"participants": [{"id": "a"}, {"id": "b"}]}), ok({"participants": [{"id": "c"}]})]
    )
    ids = [p.id async for p in client.sessions.iter_participants("s-1", per_page=2)]
    assert ids == ["a", "b", "c"]


def test_has_more_rules() -> None:
    assert Page(items=[1], paging=Paging(total_count=2, start_offset=1, end_offset=1)).has_more
    assert not Page(items=[1, 2], paging=Paging(total_count=2, start_offset=1, end_offset=2)).has_more
    assert not Page(items=[], paging=Paging(total_count=5, start_offset=0, end_offset=0)).has_more
    assert Page(items=[1, 2], per_page=2).has_more
    assert not Page(items=[1], per_page=2).has_more
    assert not Page(items=[1]).has_more


async def test_download_from_the_api_origin_carries_credentials(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.get("https://api.example.test/_emulator/files/t.csv").mock(
        return_value=httpx.Response(200, content=b"a,b\n")
    )
    assert await client.download("https://api.example.test/_emulator/files/t.csv") == b"a,b\n"
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_download_of_a_relative_url_resolves_against_the_base_url(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get("https://api.example.test/_emulator/files/x").mock(
        return_value=httpx.Response(200, content=b"x")
    )
    assert await client.download("/_emulator/files/x") == b"x"


async def test_download_from_another_host_gets_no_credentials(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    route = router.get("https://storage.example.net/rec.mp4").mock(
        return_value=httpx.Response(200, content=b"\0\1")
    )
    assert await client.download("https://storage.example.net/rec.mp4") == b"\0\1"
    headers = route.calls.last.request.headers
    assert "authorization" not in headers and "x-auth-key" not in headers


async def test_download_redirect_to_another_host_drops_credentials(
    router: respx.Router, clock: VirtualClock
) -> None:
    router.get("https://api.example.test/files/1").mock(
        return_value=httpx.Response(302, headers={"location": "https://cdn.example.net/1?sig=abc"})
    )
    cdn = router.get("https://cdn.example.net/1").mock(return_value=httpx.Response(200, content=b"ok"))
    async with make_client(
        router, clock, api_token=None, api_email="me@example.com", api_key="global-key-1"
    ) as c:
        assert await c.download("https://api.example.test/files/1") == b"ok"
    headers = cdn.calls.last.request.headers
    assert "x-auth-key" not in headers and "x-auth-email" not in headers


async def test_download_errors_are_typed_and_retried_like_reads(
    client: RealtimeKitClient, router: respx.Router, clock: VirtualClock
) -> None:
    route = router.get("https://storage.example.net/gone").mock(
        side_effect=[httpx.Response(503), httpx.Response(404, text="NoSuchKey")]
    )
    with pytest.raises(errors.NotFoundError):
        await client.download("https://storage.example.net/gone")
    assert route.call_count == 2 and len(clock.sleeps) == 1


async def test_download_refuses_non_http_urls(client: RealtimeKitClient) -> None:
    with pytest.raises(errors.RequestValidationError):
        await client.download("file:///etc/passwd")


async def test_base_url_with_trailing_slash_is_accepted(router: respx.Router, clock: VirtualClock) -> None:
    route = router.get(f"{P}/webhooks").mock(return_value=ok([]))
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    from realtimekit_mcp.client import RealtimeKitClient as Client

    async with Client(
        account_id="acc0123",
        app_id="app-4567",
        api_token=TOKEN,
        base_url=BASE_URL + "/",
        http_client=http,
        clock=clock,
    ) as c:
        assert await c.webhooks.list() == []
    assert route.called
    await http.aclose()


async def test_download_larger_than_max_bytes_is_refused(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    router.get("https://storage.example.net/big").mock(return_value=httpx.Response(200, content=b"x" * 1000))
    with pytest.raises(errors.ResponseTooLargeError):
        await client.download("https://storage.example.net/big", max_bytes=999)
    assert await client.download("https://storage.example.net/big", max_bytes=1000) == b"x" * 1000


async def test_download_larger_than_max_bytes_without_length_is_cut_while_streaming(
    client: RealtimeKitClient, router: respx.Router
) -> None:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"y" * 100

    router.get("https://storage.example.net/stream").mock(return_value=httpx.Response(200, content=body()))
    with pytest.raises(errors.ResponseTooLargeError):
        await client.download("https://storage.example.net/stream", max_bytes=250)
