"""Webhook signing and delivery for the emulator.

What RealtimeKit does (reference §11.2) and what the emulator does the same way:

- one global RSA-2048 key signs every delivery; its public key (SPKI PEM) is served at
  ``/.well-known/webhooks.json`` as ``{"success": true, "data": {"publicKey": ...}, "message": ""}``;
- a delivery is ``POST <url>`` with the raw JSON body (``{"event": ..., ...payload}``) and headers
  ``rtk-signature`` (base64 RSASSA-PKCS1-v1_5 SHA-256 over the raw body bytes), ``rtk-uuid``
  (delivery id), ``rtk-webhook-id`` and ``content-type: application/json``;
- any 2xx is success; 5xx and network errors are retried; any other status fails at once.

Choices where the reference is silent (also in LIMITATIONS.md):

- ``rtk-uuid`` is **stable across the retries of one delivery** (one event to one webhook), so a
  receiver can de-duplicate on it; Cloudflare's behaviour here is UNCONFIRMED.
- Retries: at most ``DeliveryPolicy.max_attempts`` attempts (5), exponential backoff
  ``backoff_base * 2**(n-1)`` seconds capped at ``backoff_max``, no jitter (deterministic).
- Safety: deliveries go only to loopback hosts (``127.0.0.0/8``, ``::1``, ``localhost``) unless
  ``DeliveryPolicy.allow_external`` is set; others are refused with a logged warning and recorded as
  ``refused``. Proxies from the environment are ignored and redirects are not followed.
- The key is generated once per data store: with a file store it lives in
  ``<db_path>.webhook-key.pem`` (mode 0600) next to the SQLite file, with ``:memory:`` it lives as
  long as the app.
- The delivery log is kept in memory (the last ``log_size`` deliveries), readable at
  ``GET /_emulator/webhook-deliveries``.

Deliveries run in a task group owned by the dispatcher (``async with dispatcher:``, normally in
the app lifespan). ``httpx.ASGITransport`` does not run lifespans: in-process users who want
deliveries wrap their work in ``async with app.router.lifespan_context(app):``. Events emitted
while the dispatcher is not running are buffered (bounded) and delivered once it runs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import ipaddress
import json
import logging
import math
import os
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import anyio
import anyio.abc
import anyio.lowlevel
import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from realtimekit_mcp._redact import redact, register_secret
from realtimekit_mcp.webhook_signature import PUBLIC_KEY_PATH

from .errors import EmulatorError
from .routes._common import error_response, is_loopback_client

__all__ = [
    "DELIVERIES_PATH",
    "PUBLIC_KEY_PATH",
    "SIGNATURE_HEADER",
    "UUID_HEADER",
    "WEBHOOK_ID_HEADER",
    "DeliveryAttempt",
    "DeliveryPolicy",
    "DeliveryRecord",
    "DeliveryStatus",
    "MetaStore",
    "WebhookDispatcher",
    "WebhookSigningKey",
    "is_loopback_url",
    "key_path_for",
    "load_or_create_signing_key",
    "webhook_routes",
]

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "rtk-signature"
UUID_HEADER = "rtk-uuid"
WEBHOOK_ID_HEADER = "rtk-webhook-id"
DELIVERIES_PATH = "/_emulator/webhook-deliveries"
_USER_AGENT = "RealtimeKit-Emulator-Webhooks/1"


# --------------------------------------------------------------------------------------------
# Signing key
# --------------------------------------------------------------------------------------------


class WebhookSigningKey:
    """The emulator's global webhook signing key (RSA-2048). Its repr never shows key material."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private_key = private_key
        self._public_pem = (
            private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )
        register_secret(self.private_key_pem().decode("ascii"))

    @classmethod
    def generate(cls) -> WebhookSigningKey:
        """A fresh RSA-2048 key (public exponent 65537)."""
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> WebhookSigningKey:
        """Load an unencrypted PKCS#8 (or PKCS#1) PEM private key; it must be RSA."""
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the webhook signing key must be an RSA private key")
        return cls(key)

    def private_key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (a secret: persist it, never print it)."""
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key_pem(self) -> str:
        """The public key as SPKI PEM, the ``data.publicKey`` of ``/.well-known/webhooks.json``."""
        return self._public_pem

    def sign(self, body: bytes) -> str:
        """The ``rtk-signature`` value for ``body``: base64 RSASSA-PKCS1-v1_5 with SHA-256."""
        signature = self._private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def __repr__(self) -> str:
        return f"<WebhookSigningKey rsa-{self._private_key.key_size}>"


def _is_memory_db(db_path: str | os.PathLike[str] | None) -> bool:
    if db_path is None:
        return True
    text = os.fspath(db_path)
    return text in ("", ":memory:") or (text.startswith("file:") and "mode=memory" in text)


def key_path_for(db_path: str | os.PathLike[str]) -> Path:
    """Where the signing key of the data store at ``db_path`` is kept: ``<db_path>.webhook-key.pem``."""
    return Path(f"{os.fspath(db_path)}.webhook-key.pem")


class MetaStore(Protocol):
    """A string key/value store (the emulator store's ``meta`` table)."""

    def get_meta(self, key: str) -> str | None:
        """The value stored under ``key``, or ``None``."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (durably)."""
        ...


SIGNING_KEY_META = "webhook_signing_key"
"""Key of the PEM private key in a ``MetaStore``."""


def load_or_create_signing_key(
    db_path: str | os.PathLike[str] | None, *, meta: MetaStore | None = None
) -> WebhookSigningKey:
    """The signing key of the data store at ``db_path``, generated and persisted on first use.

    With ``meta`` (the store's key/value table) the key is kept there under
    ``SIGNING_KEY_META``, so one data file carries the whole emulator identity. Without it:
    ``None``, ``""`` or ``":memory:"`` give a new key that lives as long as the caller keeps it,
    and for a file store the key is written to ``key_path_for(db_path)`` with mode 0600; two
    processes starting at once on the same store agree on one key (the file is published with an
    atomic hard link, and the loser loads the winner's key).
    """
    if meta is not None:
        stored = meta.get_meta(SIGNING_KEY_META)
        if stored:
            return WebhookSigningKey.from_pem(stored.encode("ascii"))
        key = WebhookSigningKey.generate()
        meta.set_meta(SIGNING_KEY_META, key.private_key_pem().decode("ascii"))
        return key
    if _is_memory_db(db_path):
        return WebhookSigningKey.generate()
    assert db_path is not None
    path = key_path_for(db_path)
    try:
        return WebhookSigningKey.from_pem(path.read_bytes())
    except FileNotFoundError:
        pass
    key = WebhookSigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.private_key_pem())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process won the race: use its key
            return WebhookSigningKey.from_pem(path.read_bytes())
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):  # make the new directory entry durable too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return key


# --------------------------------------------------------------------------------------------
# Policy, delivery log
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are made. Defaults suit a developer machine; tests shrink ``backoff_base``."""

    allow_external: bool = False
    """Allow non-loopback webhook URLs. Off by default: the emulator never sends traffic off-host."""
    max_attempts: int = 5
    """Attempts per delivery, the first one included (>= 1)."""
    backoff_base: float = 1.0
    """Seconds before the first retry; doubled for each further retry."""
    backoff_max: float = 60.0
    """Upper bound of one backoff wait, in seconds."""
    timeout: float = 10.0
    """Timeout of one attempt (connect, write and read), in seconds."""
    max_concurrency: int = 16
    """Attempts in flight at once across all webhooks."""
    log_size: int = 1000
    """Deliveries kept in the inspectable log; the oldest go first once they have finished."""
    queue_size: int = 10_000
    """Events buffered while waiting for the worker; events beyond this are dropped with a warning."""
    drain_timeout: float = 5.0
    """On shutdown, how long pending deliveries may still run before they are cancelled."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("backoff_base and backoff_max must be >= 0")
        if self.max_concurrency < 1 or self.log_size < 1 or self.queue_size < 1:
            raise ValueError("max_concurrency, log_size and queue_size must be >= 1")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1)))


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    REFUSED = "refused"
    """The URL is not loopback and external deliveries are not allowed: nothing was sent."""
    CANCELLED = "cancelled"
    """The emulator shut down before the delivery finished."""


@dataclass
class DeliveryAttempt:
    """One HTTP attempt of a delivery."""

    number: int
    started_at: str
    duration_ms: float
    status_code: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "number": self.number,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 3),
            "status_code": self.status_code,
            "error": self.error,
        }


@dataclass
class DeliveryRecord:
    """One event to one webhook, with all its attempts. ``id`` is the ``rtk-uuid`` header value."""

    id: str
    webhook_id: str
    event: str
    url: str
    body: bytes
    created_at: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    finished_at: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the payload is included parsed, as it was sent)."""
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "event": self.event,
            "url": _display_url(self.url),
            "status": self.status.value,
            "attempts": [a.to_dict() for a in self.attempts],
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "detail": self.detail,
            "payload": json.loads(self.body),
        }


def _display_url(url: str) -> str:
    """``url`` for the log: without a password in its user info, with registered secrets masked."""
    try:
        parsed = httpx.URL(url)
        if parsed.password:
            url = str(parsed.copy_with(username=parsed.username, password="***"))
    except (httpx.InvalidURL, TypeError, ValueError):
        pass
    return redact(url)


def is_loopback_url(url: str) -> bool:
    """True when ``url`` is http(s) to a loopback address or ``localhost`` (no DNS lookup is made)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return False
    host = parsed.host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


# --------------------------------------------------------------------------------------------
# Dispatcher
# --------------------------------------------------------------------------------------------

WebhookTargets = Callable[[str, Mapping[str, Any]], Iterable[Any] | Awaitable[Iterable[Any]]]
"""Given an event and its payload, the enabled webhooks subscribed to it (objects or mappings
with ``id`` and ``url``)."""


def _now_iso(now: Callable[[], datetime]) -> str:
    value = now()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


@dataclass(frozen=True)
class _Emission:
    event: str
    payload: Mapping[str, Any]
    body: bytes
    """The payload serialised when it was emitted: later changes to the caller's objects do not leak in."""


def _serialise(event: str, payload: Mapping[str, Any]) -> bytes:
    document = {"event": event, **{k: v for k, v in payload.items() if k != "event"}}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode(
        "utf-8"
    )


class WebhookDispatcher:
    """Delivers emulator events to subscribed webhooks; the emulator backend's ``EventSink``.

    ``emit`` is synchronous, cheap and thread-safe: it only queues the event. A worker (running
    while the dispatcher is entered with ``async with``) asks ``targets(event, payload)`` for the
    subscribed webhooks, then delivers to each concurrently with signing, retries and logging.
    """

    def __init__(
        self,
        signing_key: WebhookSigningKey,
        targets: WebhookTargets,
        *,
        policy: DeliveryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Create a dispatcher.

        ``http_client`` is used for deliveries when given (tests may inject a transport); by
        default the dispatcher makes its own client that ignores proxy environment variables and
        does not follow redirects. ``now`` supplies timestamps for the log (the emulator clock).
        """
        self.signing_key = signing_key
        self.policy = policy or DeliveryPolicy()
        self._targets = targets
        self._http_client = http_client
        self._now = now or (lambda: datetime.now(UTC))
        self._queue: deque[_Emission] = deque()  # emitted, not yet taken by the worker
        self._wakeup: anyio.Event | None = None  # set when the idle worker has something to do
        self._lock = threading.Lock()
        self._outstanding = 0  # emitted events not yet resolved + deliveries not yet settled
        self._idle_waiters: list[anyio.Event] = []
        self._log: OrderedDict[str, DeliveryRecord] = OrderedDict()
        self._dropped = 0
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._client: httpx.AsyncClient | None = None
        self._semaphore: anyio.Semaphore | None = None

    # -- EventSink -----------------------------------------------------------------------------

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """Queue ``event`` for delivery to every enabled webhook subscribed to it. Never blocks.

        Safe to call from the event loop thread or from any other thread. The body is serialised
        here, so what is delivered is the payload as it was at this call.
        """
        try:
            body = _serialise(event, payload)
        except (TypeError, ValueError):
            logger.exception("webhook event %s dropped: its payload is not JSON", event)
            self._dropped += 1
            return
        emission = _Emission(event, json.loads(body), body)
        with self._lock:
            self._outstanding += 1
        loop = self._loop
        if self._running and loop is not None and threading.get_ident() != self._loop_thread:
            try:
                loop.call_soon_threadsafe(self._enqueue, emission)
            except RuntimeError:  # the loop closed under us
                logger.warning("webhook event %s dropped: the emulator is shutting down", event)
                self._dropped += 1
                with self._lock:
                    self._outstanding -= 1
            return
        self._enqueue(emission)

    def _enqueue(self, emission: _Emission) -> None:
        # Runs on the event loop thread while the dispatcher runs (other threads come through
        # call_soon_threadsafe), so waking the worker needs no further synchronisation.
        with self._lock:
            full = len(self._queue) >= self.policy.queue_size
            if not full:
                self._queue.append(emission)
        if full:
            self._dropped += 1
            logger.warning(
                "webhook event %s dropped: %d events already queued", emission.event, self.policy.queue_size
            )
            self._settle()
            return
        wakeup = self._wakeup
        if wakeup is not None and threading.get_ident() == self._loop_thread:
            wakeup.set()

    def _settle(self) -> None:
        with self._lock:
            self._outstanding -= 1
            idle = self._outstanding <= 0
            waiters = self._idle_waiters if idle else []
            if idle:
                self._idle_waiters = []
        for waiter in waiters:
            waiter.set()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while entered (deliveries are being made)."""
        return self._running

    async def __aenter__(self) -> Self:
        if self._running:
            raise RuntimeError("WebhookDispatcher is already running")
        if self._http_client is None:
            self._client = httpx.AsyncClient(
                timeout=self.policy.timeout,
                follow_redirects=False,
                trust_env=False,  # never route deliveries through a proxy from the environment
                headers={"user-agent": _USER_AGENT},
            )
        else:
            self._client = self._http_client
        self._semaphore = anyio.Semaphore(self.policy.max_concurrency)
        task_group = anyio.create_task_group()
        try:
            await task_group.__aenter__()
        except BaseException:
            await self._close_client()
            raise
        self._task_group = task_group
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._running = True
        task_group.start_soon(self._worker)
        return self

    async def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None and client is not self._http_client:
            with anyio.CancelScope(shield=True):  # close it even when the lifespan is being cancelled
                await client.aclose()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task_group = self._task_group
        assert task_group is not None
        try:
            if exc_type is None:
                with anyio.move_on_after(self.policy.drain_timeout, shield=True):
                    await self.wait_idle()
        finally:
            self._running = False
            task_group.cancel_scope.cancel()
            try:
                # The task group only holds our own tasks, which swallow their errors: its exit
                # raises nothing but a cancellation coming from outside, which propagates.
                await task_group.__aexit__(None, None, None)
            finally:
                self._task_group = None
                self._wakeup = None
                self._loop = None
                self._loop_thread = None
                await self._close_client()
                self._cancel_pending()

    def _cancel_pending(self) -> None:
        finished = _now_iso(self._now)
        for record in self._log.values():
            if record.status is DeliveryStatus.PENDING:
                record.status = DeliveryStatus.CANCELLED
                record.finished_at = finished
                record.detail = "the emulator shut down before the delivery finished"
        with self._lock:
            # Deliveries cancelled above are settled; events still queued stay counted and are
            # delivered if the dispatcher runs again.
            self._outstanding = len(self._queue)
            waiters, self._idle_waiters = self._idle_waiters, []
        for waiter in waiters:
            waiter.set()

    async def wait_idle(self) -> None:
        """Return once every event emitted so far has been resolved and every delivery settled.

        Settled means delivered, failed, refused or cancelled (retries and backoff included).
        Bound it with ``anyio.fail_after``; it waits forever if the dispatcher never runs.
        """
        while True:
            with self._lock:
                if self._outstanding <= 0:
                    return
                waiter = anyio.Event()
                self._idle_waiters.append(waiter)
            await waiter.wait()

    @property
    def pending(self) -> int:
        """Events not yet resolved plus deliveries not yet settled."""
        return max(0, self._outstanding)

    @property
    def dropped(self) -> int:
        """Events dropped because the queue was full or the dispatcher was closed."""
        return self._dropped

    # -- delivery log -------------------------------------------------------------------------

    def deliveries(
        self,
        *,
        webhook_id: str | None = None,
        event: str | None = None,
        status: DeliveryStatus | str | None = None,
    ) -> list[DeliveryRecord]:
        """Logged deliveries, oldest first, optionally filtered."""
        wanted = DeliveryStatus(status) if status is not None else None
        return [
            record
            for record in list(self._log.values())
            if (webhook_id is None or record.webhook_id == webhook_id)
            and (event is None or record.event == event)
            and (wanted is None or record.status is wanted)
        ]

    def clear_log(self) -> None:
        """Forget finished deliveries (pending ones stay until they settle)."""
        for key in [k for k, r in self._log.items() if r.status is not DeliveryStatus.PENDING]:
            del self._log[key]

    def _remember(self, record: DeliveryRecord) -> None:
        self._log[record.id] = record
        self._trim()

    def _trim(self) -> None:
        """Drop the oldest deliveries beyond ``log_size``, stopping at the oldest still pending one."""
        while len(self._log) > self.policy.log_size:
            oldest = next(iter(self._log.values()))
            if oldest.status is DeliveryStatus.PENDING:
                return
            del self._log[oldest.id]

    # -- worker --------------------------------------------------------------------------------

    async def _worker(self) -> None:
        # Events are resolved one at a time, so deliveries start in emission order; they then run
        # concurrently (a slow or retrying receiver does not hold up the others).
        while True:
            with self._lock:
                emission = self._queue.popleft() if self._queue else None
            if emission is None:
                self._wakeup = anyio.Event()  # no await since the check: no wake-up is lost
                await self._wakeup.wait()
                self._wakeup = None
                continue
            await self._process(emission)

    async def _resolve(self, emission: _Emission) -> list[tuple[str, str]]:
        found = self._targets(emission.event, emission.payload)
        if isinstance(found, Awaitable):
            found = await found
        targets: list[tuple[str, str]] = []
        for item in found:
            webhook_id, url = _field(item, "id"), _field(item, "url")
            if webhook_id is None or url is None:
                logger.warning("webhook target without id or url ignored for event %s", emission.event)
                continue
            targets.append((str(webhook_id), str(url)))
        return targets

    async def _process(self, emission: _Emission) -> None:
        try:
            try:
                targets = await self._resolve(emission)
            except Exception:
                logger.exception("could not look up the webhooks for event %s", emission.event)
                return
            body = emission.body
            assert self._task_group is not None
            for webhook_id, url in targets:
                record = DeliveryRecord(
                    id=str(uuid.uuid4()),
                    webhook_id=webhook_id,
                    event=emission.event,
                    url=url,
                    body=body,
                    created_at=_now_iso(self._now),
                )
                self._remember(record)
                if not self.policy.allow_external and not is_loopback_url(url):
                    logger.warning(
                        "webhook %s: delivery of %s to a non-loopback URL refused "
                        "(set allow_external_webhooks to allow it)",
                        webhook_id,
                        emission.event,
                    )
                    self._finish(
                        record, DeliveryStatus.REFUSED, "non-loopback URL; external delivery disabled"
                    )
                    continue
                with self._lock:
                    self._outstanding += 1
                self._task_group.start_soon(self._deliver, record)
        finally:
            self._settle()

    def _finish(self, record: DeliveryRecord, status: DeliveryStatus, detail: str | None = None) -> None:
        record.status = status
        record.detail = detail
        record.finished_at = _now_iso(self._now)
        self._trim()

    async def _deliver(self, record: DeliveryRecord) -> None:
        try:
            await self._attempts(record)
        finally:
            self._settle()

    async def _attempts(self, record: DeliveryRecord) -> None:
        assert self._client is not None and self._semaphore is not None
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: self.signing_key.sign(record.body),
            UUID_HEADER: record.id,
            WEBHOOK_ID_HEADER: record.webhook_id,
        }
        for number in range(1, self.policy.max_attempts + 1):
            status_code: int | None = None
            error: str | None = None
            started_at = _now_iso(self._now)
            started = time.perf_counter()
            async with self._semaphore:
                try:
                    response = await self._client.post(
                        record.url, content=record.body, headers=headers, timeout=self.policy.timeout
                    )
                    status_code = response.status_code
                except httpx.TransportError as exc:
                    error = redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
                except Exception as exc:  # a URL httpx cannot send to, etc.: not retryable
                    record.attempts.append(
                        DeliveryAttempt(
                            number,
                            started_at,
                            (time.perf_counter() - started) * 1000,
                            error=redact(f"{type(exc).__name__}: {exc}"),
                        )
                    )
                    self._finish(record, DeliveryStatus.FAILED, "request could not be sent")
                    logger.warning(
                        "webhook %s: %s delivery could not be sent", record.webhook_id, record.event
                    )
                    return
            record.attempts.append(
                DeliveryAttempt(
                    number, started_at, (time.perf_counter() - started) * 1000, status_code, error
                )
            )
            if status_code is not None and 200 <= status_code < 300:
                self._finish(record, DeliveryStatus.DELIVERED)
                return
            if status_code is not None and status_code < 500:
                self._finish(record, DeliveryStatus.FAILED, f"HTTP {status_code}: not retried")
                logger.info(
                    "webhook %s: %s delivery failed with HTTP %d (not retried)",
                    record.webhook_id,
                    record.event,
                    status_code,
                )
                return
            if number == self.policy.max_attempts:
                self._finish(
                    record,
                    DeliveryStatus.FAILED,
                    f"gave up after {number} attempt{'s' if number > 1 else ''}",
                )
                logger.warning(
                    "webhook %s: %s delivery failed after %d attempts",
                    record.webhook_id,
                    record.event,
                    number,
                )
                return
            delay = self.policy.backoff(number)
            if delay > 0 and math.isfinite(delay):
                await anyio.sleep(delay)
            else:
                await anyio.lowlevel.checkpoint()


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

_MAX_WAIT = 60.0


Authorize = Callable[[Request], bool | Awaitable[bool]]
"""Decides whether a non-loopback client may use the delivery-log routes (it may also raise)."""


def webhook_routes(dispatcher: WebhookDispatcher, *, authorize: Authorize | None = None) -> list[Route]:
    """Starlette routes to mount on the emulator app.

    The public key is public (as Cloudflare's is). The delivery-log routes answer loopback clients;
    other clients need ``authorize(request)`` to return true (the emulator passes its API-token
    check), otherwise they get a 403 in the RealtimeKit error envelope.

    - ``GET /.well-known/webhooks.json``: the public key, in RealtimeKit's shape.
    - ``GET /_emulator/webhook-deliveries``: the delivery log, oldest first; filters
      ``webhook_id``, ``event``, ``status`` (pending, delivered, failed, refused, cancelled).
    - ``POST /_emulator/webhook-deliveries/wait?timeout=S``: returns once every delivery has
      settled (``idle: true``) or after ``S`` seconds (default 10, at most 60; ``idle: false``),
      so scripts in another process can wait without polling.
    - ``DELETE /_emulator/webhook-deliveries``: forget finished deliveries.
    """

    async def public_key(request: Request) -> JSONResponse:
        return JSONResponse(
            {"success": True, "data": {"publicKey": dispatcher.signing_key.public_key_pem}, "message": ""}
        )

    def _error(code: int, message: str) -> JSONResponse:
        return error_response(EmulatorError(message, status_code=code))

    async def allowed(request: Request) -> bool:
        if is_loopback_client(request):
            return True
        if authorize is None:
            return False
        verdict = authorize(request)
        if isinstance(verdict, Awaitable):
            verdict = await verdict
        return bool(verdict)

    forbidden = "The /_emulator control plane answers loopback clients only, or callers with the API token"

    async def list_deliveries(request: Request) -> JSONResponse:
        if not await allowed(request):
            return _error(403, forbidden)
        status = request.query_params.get("status")
        if status is not None and status not in {s.value for s in DeliveryStatus}:
            choices = ", ".join(s.value for s in DeliveryStatus)
            return _error(400, f'BAD_REQUEST: "status" must be one of [{choices}]')
        records = dispatcher.deliveries(
            webhook_id=request.query_params.get("webhook_id"),
            event=request.query_params.get("event"),
            status=status,
        )
        return JSONResponse(
            {
                "success": True,
                "data": [r.to_dict() for r in records],
                "pending": dispatcher.pending,
                "dropped": dispatcher.dropped,
            }
        )

    async def wait_deliveries(request: Request) -> JSONResponse:
        if not await allowed(request):
            return _error(403, forbidden)
        raw = request.query_params.get("timeout", "10")
        try:
            timeout = float(raw)
        except ValueError:
            return _error(400, 'BAD_REQUEST: "timeout" must be a number')
        if not math.isfinite(timeout) or timeout < 0:
            return _error(400, 'BAD_REQUEST: "timeout" must be a number >= 0')
        idle = False
        with anyio.move_on_after(min(timeout, _MAX_WAIT)):
            await dispatcher.wait_idle()
            idle = True
        return JSONResponse({"success": True, "data": {"idle": idle, "pending": dispatcher.pending}})

    async def clear_deliveries(request: Request) -> JSONResponse:
        if not await allowed(request):
            return _error(403, forbidden)
        dispatcher.clear_log()
        return JSONResponse({"success": True, "data": {"pending": dispatcher.pending}})

    return [
        Route(PUBLIC_KEY_PATH, public_key, methods=["GET"]),
        Route(DELIVERIES_PATH, list_deliveries, methods=["GET"]),
        Route(DELIVERIES_PATH, clear_deliveries, methods=["DELETE"]),
        Route(f"{DELIVERIES_PATH}/wait", wait_deliveries, methods=["POST"]),
    ]
