"""``serve_app`` runs an ASGI app under uvicorn on a loopback port, with its lifespan, from async code."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from realtimekit_mcp.emulator.server import origin_for, serve_app


def _app(events: list[str], fail_startup: bool = False) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("startup")
        if fail_startup:
            raise RuntimeError("store is corrupt")
        yield
        events.append("shutdown")

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    return Starlette(routes=[Route("/hello", hello)], lifespan=lifespan)


@pytest.mark.anyio
async def test_port_zero_serves_on_a_real_port_with_the_lifespan_around_it() -> None:
    events: list[str] = []
    async with serve_app(_app(events), port=0) as running:
        assert events == ["startup"]
        assert running.port > 0
        assert running.origin == f"http://127.0.0.1:{running.port}"
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{running.origin}/hello")
        assert response.text == "hello"
    assert events == ["startup", "shutdown"]
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"{running.origin}/hello")


@pytest.mark.anyio
async def test_a_failing_lifespan_raises_instead_of_hanging_or_exiting() -> None:
    events: list[str] = []
    with anyio.fail_after(10), pytest.raises(RuntimeError, match="failed to start"):
        async with serve_app(_app(events, fail_startup=True), port=0):
            pytest.fail("the block must not run")  # pragma: no cover
    assert events == ["startup"]


@pytest.mark.anyio
async def test_a_busy_port_raises_oserror() -> None:
    async with serve_app(_app([]), port=0) as running:
        with pytest.raises(OSError):
            async with serve_app(_app([]), port=running.port):
                pytest.fail("the block must not run")  # pragma: no cover


@pytest.mark.anyio
async def test_the_embedding_program_keeps_its_signal_handlers() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    async with serve_app(_app([]), port=0):
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


@pytest.mark.anyio
async def test_an_error_in_the_block_propagates_and_the_server_still_stops() -> None:
    events: list[str] = []
    with pytest.raises(LookupError):
        async with serve_app(_app(events), port=0):
            raise LookupError("boom")
    assert events == ["startup", "shutdown"]


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1", "http://127.0.0.1:80"),
        ("0.0.0.0", "http://127.0.0.1:80"),
        ("", "http://127.0.0.1:80"),
        ("::", "http://[::1]:80"),
        ("::1", "http://[::1]:80"),
        ("localhost", "http://localhost:80"),
    ],
)
def test_wildcard_binds_are_reached_through_loopback(host: str, origin: str) -> None:
    assert origin_for(host, 80) == origin


@pytest.mark.anyio
async def test_the_in_process_emulator_runs_its_lifespan_and_serves_through_its_client() -> None:
    from realtimekit_mcp.emulator.config import EmulatorConfig
    from realtimekit_mcp.emulator.server import in_process_emulator

    async with in_process_emulator(EmulatorConfig(db_path=":memory:")) as emulator:
        assert emulator.base_url == "http://emulator.local/client/v4"
        assert emulator.app.state.webhooks.running  # the lifespan is running: deliveries happen
        http = emulator.http_client
        headers = {"Authorization": f"Bearer {emulator.api_token}"}
        created = await http.post(
            f"{emulator.base_url}{emulator.api_path}/meetings", headers=headers, json={"title": "inside"}
        )
        assert created.status_code == 201, created.text
        key = await http.get("/.well-known/webhooks.json")
        assert key.json()["data"]["publicKey"].startswith("-----BEGIN PUBLIC KEY-----")
        assert emulator.api_token not in repr(emulator)
    assert not emulator.app.state.webhooks.running


@pytest.mark.anyio
async def test_run_emulator_reports_its_identity_and_hides_the_token_in_reprs() -> None:
    from realtimekit_mcp.emulator.config import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    config = EmulatorConfig(db_path=":memory:", api_token="fixed-token-0123456789")
    async with run_emulator(config, port=0) as running:
        assert running.api_token == "fixed-token-0123456789"
        assert running.api_token not in repr(running)
        assert running.base_url == f"http://127.0.0.1:{running.port}/client/v4"
        assert running.config.public_base_url == running.origin  # download URLs point at the real port
        async with httpx.AsyncClient(base_url=running.base_url) as http:
            response = await http.get(
                f"{running.api_path.lstrip('/')}/meetings",
                headers={"Authorization": f"Bearer {running.api_token}"},
            )
        assert response.status_code == 200, response.text
