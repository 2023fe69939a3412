"""The one dependencies object every tool reads: settings plus a lazily built RealtimeKit client.

Nothing here runs at start-up: the client (and, for the embedded backend, the emulator app with
its SQLite store) is created on the first tool call that needs it, so ``tools/list`` answers
without network access or heavy imports.

Bots (``bot_*`` tools) are created the same way, on the first ``bot_join``: the ``BotManager``
(aiortc, av, protobuf load only then) and, on the embedded backend, a loopback listener
(``127.0.0.1``, a free port) that serves the *same* emulator app, because a bot needs a real
WebSocket and UDP, which the in-process transport does not carry. A standalone emulator
(``REALTIMEKIT_BASE_URL``) is reached at its own origin; Cloudflare at its default hosts.
Everything is shut down with the server: bots leave first, then the listener stops.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
from anyio.abc import TaskGroup, TaskStatus

from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.config import EMBEDDED_ORIGIN, BackendSettings, ServerSettings, load_embedded_identity

if TYPE_CHECKING:
    from realtimekit_mcp.bot import BotConfig, BotManager
    from realtimekit_mcp.client import RealtimeKitClient

logger = logging.getLogger(__name__)

ClientFactory = Callable[[BackendSettings], Awaitable["RealtimeKitClient"]]


class Deps:
    """Settings and the shared RealtimeKit client (built on first use, closed by ``aclose``).

    ``client_factory`` lets tests and benchmarks inject a ready client (e.g. one bound to an
    in-process emulator); by default the backend in ``settings`` decides how to build it.
    """

    def __init__(
        self,
        settings: ServerSettings,
        client_factory: ClientFactory | None = None,
        *,
        media_dir: Path | None = None,
        bot_options: Mapping[str, Any] | None = None,
    ) -> None:
        from realtimekit_mcp.server.media import resolve_media_dir

        self.settings = settings
        self.media_dir = (
            media_dir if media_dir is not None else resolve_media_dir(data_dir=settings.backend.data_dir)
        )
        self._factory = client_factory
        self._client: RealtimeKitClient | None = None
        self._lock = anyio.Lock()
        self.account_id: str | None = settings.backend.account_id
        self.app_id: str | None = settings.backend.app_id
        self.emulator_app: Any = None
        self._http: Any = None
        # Set by the MCP server's lifespan: where the embedded emulator's own lifespan (webhook
        # deliveries, lifecycle timers) runs once the emulator exists.
        self.task_group: TaskGroup | None = None
        self._stop = anyio.Event()
        self._bots: BotManager | None = None
        self._bot_options = dict(bot_options or {})
        self.bot_listen_via: str = str(self._bot_options.get("listen_via", "media"))
        self._can_transcribe: bool | None = None
        self._bots_lock = anyio.Lock()
        self.bot_origin: str | None = None
        """Where bots reach the embedded emulator (its loopback listener), once started."""
        self._listener_stop = anyio.Event()
        self._listener_done: anyio.Event | None = None

    @property
    def backend(self) -> BackendSettings:
        """The backend settings (kind, base URL, ids; the token is kept out of ``repr``)."""
        return self.settings.backend

    @property
    def started(self) -> bool:
        """True once the client exists (the embedded emulator is created lazily)."""
        return self._client is not None

    def ids(self) -> tuple[str | None, str | None]:
        """``(account_id, app_id)``; the embedded backend's come from its data directory (made once
        there), without starting the emulator."""
        if self.account_id is None and self.backend.kind == "embedded":
            assert self.backend.data_dir is not None
            self.account_id, self.app_id, _ = load_embedded_identity(self.backend.data_dir)
        return self.account_id, self.app_id

    async def client(self) -> RealtimeKitClient:
        """The RealtimeKit client, created on first call."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                if self._factory is not None:
                    self._client = await self._factory(self.backend)
                else:
                    import sqlite3  # only for the embedded store's errors: not a start-up import

                    try:
                        self._client = await self._build_client()
                    except (OSError, sqlite3.Error) as err:
                        from mcp.server.mcpserver.exceptions import ToolError

                        where = self.backend.data_dir
                        logger.error("cannot start the embedded emulator in %s: %s", where, err)
                        raise ToolError(
                            f"The embedded RealtimeKit emulator cannot use its data directory {where} "
                            f"({type(err).__name__}: {getattr(err, 'strerror', None) or err}). The operator can "
                            "set REALTIMEKIT_DATA_DIR (or --data-dir) to a writable directory."
                        ) from None
        return self._client

    async def _build_client(self) -> RealtimeKitClient:
        from realtimekit_mcp.client import RealtimeKitClient

        backend = self.backend
        if backend.kind != "embedded":
            return RealtimeKitClient(
                account_id=backend.account_id or "",
                app_id=backend.app_id or "",
                api_token=backend.api_token or "",
                base_url=backend.base_url,
                # Let the 10 s retry budget, not the attempt count, bound retries of idempotent calls.
                max_retries=5,
            )
        assert backend.data_dir is not None
        app, http, (account, app_id, token) = open_embedded(backend.data_dir)
        self.account_id, self.app_id = account, app_id
        self.emulator_app, self._http = app, http
        if self.task_group is not None:
            await self.task_group.start(self._run_emulator_lifespan, app)
        logger.info("embedded RealtimeKit emulator started (state in %s)", backend.data_dir)
        return RealtimeKitClient(
            account_id=account, app_id=app_id, api_token=token, base_url=backend.base_url, http_client=http
        )

    async def _run_emulator_lifespan(self, app: Any, *, task_status: TaskStatus[None]) -> None:
        """Run the emulator app's lifespan (webhooks, timers) until ``aclose``."""
        stop = self._stop
        async with app.router.lifespan_context(app):
            task_status.started()
            await stop.wait()

    # -- bots ------------------------------------------------------------------------------------

    @property
    def bot_manager(self) -> BotManager | None:
        """The bot manager, or None before the first ``bot_join`` (nothing heavy loaded yet)."""
        return self._bots

    async def bots(self) -> BotManager:
        """The bot manager, created on first use (loads aiortc; may start the loopback listener).

        Raises ``ImportError`` when the ``bot`` extra is missing.
        """
        if self._bots is not None:
            return self._bots
        async with self._bots_lock:
            if self._bots is None:
                from realtimekit_mcp.bot import BotManager

                client = await self.client()
                self._bots = BotManager(await self._bot_config(), client=client)
        return self._bots

    async def _bot_config(self) -> BotConfig:
        from realtimekit_mcp.bot import BotConfig

        backend = self.backend
        options = self._bot_options
        if backend.kind == "cloudflare":
            return BotConfig(**options)
        if backend.kind == "url":
            return BotConfig.for_origin(backend.base_url.removesuffix("/client/v4"), **options)
        if self.emulator_app is None or self.task_group is None:
            from mcp.server.mcpserver.exceptions import ToolError

            raise ToolError(
                "Bots cannot reach this embedded emulator (it has no network listener in this setup). "
                "Run `realtimekit-mcp emulator` and set REALTIMEKIT_BASE_URL to use bots."
            )
        self.bot_origin = await self.task_group.start(self._run_listener, self.emulator_app)
        logger.info("embedded emulator listening for bots at %s", self.bot_origin)
        return BotConfig.for_origin(self.bot_origin, **options)

    async def can_transcribe(self) -> bool:
        """Whether listening bots can transcribe: the STT and VAD engines load (once, in a thread).

        False without the ``speech`` extra; the result is kept for the server's lifetime.
        """
        if self._can_transcribe is None:
            config = (await self.bots()).config

            def probe() -> bool:
                from realtimekit_mcp.speech import get_stt, get_vad

                try:
                    if config.stt is None or isinstance(config.stt, str):
                        get_stt(config.stt or "faster-whisper")
                    if config.vad is None or isinstance(config.vad, str):
                        get_vad(config.vad or "silero")
                except Exception as err:  # SpeechUnavailableError, or a broken install
                    logger.info("bots will not transcribe: %s", type(err).__name__)
                    return False
                return True

            self._can_transcribe = await anyio.to_thread.run_sync(probe)
        return self._can_transcribe

    async def _run_listener(self, app: Any, *, task_status: TaskStatus[str]) -> None:
        """Serve the embedded app on 127.0.0.1 (free port) for bots until ``aclose``.

        The app's lifespan already runs in the server's task group, so the listener gets the app
        without it (one lifespan, one webhook dispatcher, one live plane).
        """
        from realtimekit_mcp.emulator.server import serve_app

        done = self._listener_done = anyio.Event()
        stop = self._listener_stop
        try:
            async with serve_app(_without_lifespan(app), host="127.0.0.1", port=0) as running:
                task_status.started(running.origin)
                await stop.wait()
        finally:
            done.set()

    def join_url(self, meeting_id: str, token: str) -> str | None:
        """A link that opens the meeting as this participant, or None when no such page exists.

        Cloudflare documents no hosted join page (a participant joins through the RealtimeKit SDK
        with its auth token), so a link is only given when the operator sets
        ``REALTIMEKIT_JOIN_URL_TEMPLATE`` (``{meeting_id}`` and ``{token}`` are substituted) or the
        backend is an emulator reachable over HTTP (``<origin>/_emulator/join?authToken=…``).
        """
        register_secret(token)
        template = self.backend.join_url_template
        if template:
            return template.replace("{meeting_id}", quote(meeting_id, safe="")).replace(
                "{token}", quote(token, safe="")
            )
        if self.backend.kind == "url":
            origin = self.backend.base_url.removesuffix("/client/v4")
            return f"{origin}/_emulator/join?authToken={quote(token, safe='')}"
        return None

    async def aclose(self) -> None:
        """Make every bot leave, stop the bots' listener, close the client (and its HTTP
        connections); the next tool call rebuilds them."""
        bots, self._bots = self._bots, None
        if bots is not None:
            try:
                await bots.shutdown()
            except Exception as err:  # never block the rest of the shut-down
                logger.warning("bot shutdown: %s", type(err).__name__)
        done, self._listener_done = self._listener_done, None
        self._listener_stop.set()
        self._listener_stop = anyio.Event()
        if done is not None:
            with anyio.move_on_after(15):
                await done.wait()
        self.bot_origin = None
        client, self._client = self._client, None
        http, self._http = self._http, None
        self._stop.set()
        self._stop = anyio.Event()
        if client is not None:
            await client.aclose()
        if http is not None:
            await http.aclose()


def open_embedded(data_dir: Path) -> tuple[Any, Any, tuple[str, str, str]]:
    """The embedded backend over ``data_dir``: its emulator app (identity and SQLite store there),
    an ``httpx.AsyncClient`` on that app in-process (the caller closes it), and the identity
    ``(account_id, app_id, api_token)``. The app's lifespan is not started."""
    import httpx

    from realtimekit_mcp.emulator import EmulatorConfig, create_app

    identity = account, app_id, token = load_embedded_identity(data_dir)
    app = create_app(
        EmulatorConfig(
            account_id=account,
            app_id=app_id,
            api_token=token,
            db_path=str(data_dir / "emulator.sqlite3"),
            public_base_url=EMBEDDED_ORIGIN,
        )
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=EMBEDDED_ORIGIN)
    return app, http, identity


def _without_lifespan(app: Any) -> Any:
    """``app`` as an ASGI app that answers lifespan events itself (and passes everything else on)."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi
