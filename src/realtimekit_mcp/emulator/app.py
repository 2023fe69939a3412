"""The emulator's Starlette application: REST surface, control plane, one error envelope."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .agent_ws import agent_routes, close_agent_hub
from .backend import EmulatorBackend
from .config import EmulatorConfig
from .control import control_routes
from .errors import EmulatorError, MethodNotAllowed, NotFound
from .events import EventSink
from .intelligence import close_intelligence, install_intelligence, intelligence_routes
from .routes import api_routes
from .routes._common import authenticate, error_response, internal_error_response, log_unexpected
from .routes.client_api import close_live_plane, live_routes

LIVE_SHUTDOWN_BOUND = 10.0
"""Seconds the live plane (sockets, peer connections) gets to close at shut-down."""


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(NotFound(f"No route for {request.method} {request.url.path}"))
    if exc.status_code == 405:
        response = error_response(
            MethodNotAllowed(f"Method {request.method} is not allowed on {request.url.path}")
        )
        if exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    return error_response(EmulatorError(str(exc.detail), status_code=exc.status_code))


async def _emulator_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EmulatorError)
    return error_response(exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log_unexpected(exc, request.method, request.url.path)
    return internal_error_response()


def _webhook_wiring(config: EmulatorConfig, backend: EmulatorBackend) -> tuple[Any, list[BaseRoute]]:
    """Wire webhook delivery (emulator/webhooks.py): the dispatcher becomes the backend's sink."""
    from . import webhooks

    key = webhooks.load_or_create_signing_key(config.db_path, meta=backend.store)
    dispatcher = webhooks.WebhookDispatcher(
        key,
        targets=backend.webhooks_for_event,
        policy=webhooks.DeliveryPolicy(
            allow_external=config.allow_external_webhooks,
            max_attempts=config.webhook_max_attempts,
            backoff_base=config.webhook_backoff_base,
        ),
        now=backend.now,
    )
    backend.sink = dispatcher

    def authorize(request: Request) -> bool:
        authenticate(request, backend)  # raises the gateway's 401 when the token is wrong
        return True

    return dispatcher, list(webhooks.webhook_routes(dispatcher, authorize=authorize))


def create_app(
    config: EmulatorConfig | None = None,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    sink: EventSink | None = None,
) -> Starlette:
    """Build the emulator app; ``app.state.backend`` is its ``EmulatorBackend``.

    ``sink`` replaces webhook delivery as the backend's event sink (tests). ``extra_routes`` are
    mounted before the REST surface. Webhook deliveries run inside the app's lifespan. The live
    plane (``/v2/internals/participant-details``, ``/iceservers``, WebSocket ``/ws``) is always
    mounted; its heavy modules (aiortc, protobuf) load on the first socket connection.
    """
    config = config or EmulatorConfig()
    backend = EmulatorBackend(config)
    dispatcher: Any = None
    webhook_routes: list[BaseRoute] = []
    if sink is not None:
        backend.sink = sink
    else:
        dispatcher, webhook_routes = _webhook_wiring(config, backend)

    async def ticker() -> None:
        while True:
            await anyio.sleep(config.tick_interval)
            try:
                backend.tick()
            except Exception as exc:  # keep ticking
                log_unexpected(exc, "TICK", "(timers)")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if dispatcher is not None:
                await stack.enter_async_context(dispatcher)
            async with anyio.create_task_group() as tasks:
                if config.tick_interval > 0:
                    tasks.start_soon(ticker)
                try:
                    yield
                finally:
                    try:
                        # Live peers leave (webhooks still deliverable) before the dispatcher stops.
                        with anyio.move_on_after(LIVE_SHUTDOWN_BOUND, shield=True):
                            await close_agent_hub(app)
                            await close_live_plane(app)
                            await close_intelligence(app)
                    finally:
                        tasks.cancel_scope.cancel()

    routes: list[BaseRoute] = [
        *extra_routes,
        *webhook_routes,
        *control_routes(),
        *live_routes(),
        *agent_routes(),
        *intelligence_routes(),
        *api_routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_exception,
            EmulatorError: _emulator_error,
            Exception: _unexpected,
        },
    )
    app.state.backend = backend
    app.state.config = config
    install_intelligence(app)  # server-side transcription (engines load on first use)
    app.state.webhooks = dispatcher
    return app


__all__ = ["create_app"]
