"""Run the emulator (or any ASGI app) under uvicorn on a loopback port, from async code.

``run_emulator`` is what the ``realtimekit-mcp emulator`` command, the MCP server's embedded
default and the tests use::

    async with run_emulator(EmulatorConfig(db_path=":memory:"), port=0) as running:
        print(running.base_url)        # http://127.0.0.1:<port>/client/v4
        ...                            # the app's lifespan (webhook deliveries) is running

The socket is bound before uvicorn starts, so ``port=0`` works and the real port is known;
readiness is awaited on uvicorn's own start-up (no polling), and leaving the block shuts the
server down (graceful, bounded). The embedding program keeps its signal handlers: uvicorn's
signal capture is disabled here, the CLI handles SIGINT/SIGTERM itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
import uvicorn

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp

    from realtimekit_mcp.emulator.backend import EmulatorBackend
    from realtimekit_mcp.emulator.config import EmulatorConfig

__all__ = [
    "InProcessEmulator",
    "RunningEmulator",
    "RunningServer",
    "in_process_emulator",
    "origin_for",
    "run_emulator",
    "serve_app",
]

logger = logging.getLogger(__name__)

API_PREFIX = "/client/v4"


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it listens."""

    host: str
    port: int
    origin: str
    """``http://<host>:<port>`` as a client on this machine reaches it."""
    server: uvicorn.Server


@dataclass(frozen=True)
class RunningEmulator:
    """A started emulator: its URLs, identity and app. ``repr`` hides the API token."""

    host: str
    port: int
    origin: str
    """``http://127.0.0.1:<port>``: the public key, control plane and downloads live here."""
    base_url: str
    """``<origin>/client/v4``: the API base URL to give to clients and SDKs."""
    account_id: str
    app_id: str
    api_token: str = dataclasses.field(repr=False)
    app: Any = dataclasses.field(repr=False)
    """The Starlette app (``app.state.backend``, ``app.state.webhooks``)."""
    config: Any = dataclasses.field(repr=False)

    @property
    def api_path(self) -> str:
        """``/accounts/<account>/realtime/kit/<app>``, relative to ``base_url``."""
        return f"/accounts/{self.account_id}/realtime/kit/{self.app_id}"


def origin_for(host: str, port: int) -> str:
    """The URL a local client uses to reach a server bound to ``host:port``.

    Wildcard binds (``0.0.0.0``, ``::``, empty) are reached through loopback.
    """
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    """A bound TCP socket for ``host:port`` (``port=0`` picks a free port). Raises ``OSError``."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    if not infos:  # pragma: no cover - getaddrinfo raises instead
        raise OSError(f"cannot resolve {host!r}")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.set_inheritable(False)
    except BaseException:
        sock.close()
        raise
    return sock


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that reports readiness through an event and leaves signals alone."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.settled = anyio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The embedding program (CLI, MCP server, pytest) owns signal handling.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.settled.set()


@contextlib.asynccontextmanager
async def serve_app(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
    startup_timeout: float = 30.0,
    shutdown_timeout: float = 10.0,
    log_level: str = "warning",
) -> AsyncIterator[RunningServer]:
    """Serve ``app`` with uvicorn in a background task until the block exits.

    The app's lifespan runs (start-up before the block, shut-down after it). ``sock`` may be a
    socket already bound by the caller; otherwise ``host:port`` is bound here. Raises
    ``OSError`` when the address cannot be bound and ``RuntimeError`` when start-up fails
    (for example a lifespan error) or takes longer than ``startup_timeout``.
    """
    if sock is None:
        sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_config=None,  # never reconfigure the host program's logging
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=max(1, int(shutdown_timeout / 2)),
        server_header=False,
    )
    server = _EmbeddedServer(config)
    failure: list[BaseException] = []
    stopped = anyio.Event()

    async def _serve() -> None:
        try:
            await server.serve(sockets=[sock])
        except SystemExit as exc:  # uvicorn exits the process on start-up failure; not here
            failure.append(exc)
        except Exception as exc:
            failure.append(exc)
            logger.exception("the emulator server stopped with an error")
        finally:
            server.settled.set()
            stopped.set()

    # Errors are re-raised after the task group has closed, so callers see them unwrapped
    # (an anyio task group wraps errors raised inside it in an ExceptionGroup).
    error: Exception | None = None
    try:
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(_serve)
            with anyio.move_on_after(startup_timeout):
                await server.settled.wait()
            if not server.settled.is_set():
                task_group.cancel_scope.cancel()
                error = RuntimeError(f"the server did not start within {startup_timeout:g} s")
            elif not server.started:
                server.should_exit = True
                error = RuntimeError("the server failed to start (see the log for the cause)")
                error.__cause__ = failure[0] if failure else None
            else:
                try:
                    yield RunningServer(
                        host=bound_host, port=bound_port, origin=origin_for(host, bound_port), server=server
                    )
                except Exception as exc:
                    error = exc
                finally:
                    server.should_exit = True
                    with anyio.move_on_after(shutdown_timeout, shield=True) as scope:
                        await stopped.wait()
                    if scope.cancelled_caught:
                        logger.warning("the server did not stop within %g s; cancelling it", shutdown_timeout)
                        server.force_exit = True
                        task_group.cancel_scope.cancel()
    finally:
        sock.close()
    if error is not None:
        raise error


def _identity(app: Any) -> tuple[str, str, str]:
    """The effective account id, app id and API token (generated ones included)."""
    backend: EmulatorBackend = app.state.backend
    return backend.account_id, backend.app_id, backend.api_token


def _with_public_base_url(config: EmulatorConfig, origin: str) -> EmulatorConfig:
    """``config`` with ``public_base_url`` set to ``origin`` unless the caller chose one."""
    return config if config.public_base_url else dataclasses.replace(config, public_base_url=origin)


@contextlib.asynccontextmanager
async def run_emulator(
    config: EmulatorConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 30.0,
    shutdown_timeout: float = 10.0,
    log_level: str = "warning",
) -> AsyncIterator[RunningEmulator]:
    """Start the emulator described by ``config`` on ``host:port`` and yield where it runs.

    Binds ``127.0.0.1`` by default; ``port=0`` picks a free port (``running.port``). Unless
    ``config.public_base_url`` is set, it becomes the server's origin, so the download URLs the
    emulator hands out point back at it. Exits cleanly (lifespan shut-down, pending webhook
    deliveries drained within their bound) when the block ends.
    """
    from realtimekit_mcp.emulator.app import create_app

    sock = _bind(host, port)
    try:
        origin = origin_for(host, sock.getsockname()[1])
        config = _with_public_base_url(config, origin)
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    async with serve_app(
        app,
        host=host,
        sock=sock,
        startup_timeout=startup_timeout,
        shutdown_timeout=shutdown_timeout,
        log_level=log_level,
    ) as running:
        account_id, app_id, api_token = _identity(app)
        yield RunningEmulator(
            host=running.host,
            port=running.port,
            origin=running.origin,
            base_url=running.origin + API_PREFIX,
            account_id=account_id,
            app_id=app_id,
            api_token=api_token,
            app=app,
            config=config,
        )


IN_PROCESS_ORIGIN = "http://emulator.local"


@dataclass(frozen=True)
class InProcessEmulator:
    """An emulator running inside this process, reached through ``http_client`` (no socket)."""

    origin: str
    base_url: str
    """``<origin>/client/v4``: give it to ``RealtimeKitClient`` together with ``http_client``."""
    account_id: str
    app_id: str
    api_token: str = dataclasses.field(repr=False)
    http_client: httpx.AsyncClient = dataclasses.field(repr=False)
    """An ``httpx.AsyncClient`` whose transport is the app (``base_url`` is ``origin``)."""
    app: Any = dataclasses.field(repr=False)
    config: Any = dataclasses.field(repr=False)

    @property
    def api_path(self) -> str:
        """``/accounts/<account>/realtime/kit/<app>``, relative to ``base_url``."""
        return f"/accounts/{self.account_id}/realtime/kit/{self.app_id}"


@contextlib.asynccontextmanager
async def in_process_emulator(
    config: EmulatorConfig, *, origin: str = IN_PROCESS_ORIGIN
) -> AsyncIterator[InProcessEmulator]:
    """Run the emulator in this process, lifespan included, and yield a client wired to it.

    ``httpx.ASGITransport`` alone does not run an app's lifespan, so webhook deliveries and the
    emulator's timers would never run; this helper runs it around the block. Requests go through
    ``running.http_client`` (no port is opened); download URLs use ``origin`` unless
    ``config.public_base_url`` is set, and resolve through the same client.
    """
    import httpx

    from realtimekit_mcp.emulator.app import create_app

    config = _with_public_base_url(config, origin.rstrip("/"))
    app = create_app(config)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=origin) as http_client,
    ):
        account_id, app_id, api_token = _identity(app)
        yield InProcessEmulator(
            origin=origin.rstrip("/"),
            base_url=origin.rstrip("/") + API_PREFIX,
            account_id=account_id,
            app_id=app_id,
            api_token=api_token,
            http_client=http_client,
            app=app,
            config=config,
        )
