"""Webhook delivery: signed POSTs to real loopback receivers, retries, refusals and the log."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from realtimekit_mcp._redact import redact
from realtimekit_mcp.emulator.server import RunningServer, serve_app
from realtimekit_mcp.emulator.webhooks import (
    DeliveryPolicy,
    DeliveryRecord,
    DeliveryStatus,
    WebhookDispatcher,
    WebhookSigningKey,
    is_loopback_url,
    key_path_for,
    load_or_create_signing_key,
    webhook_routes,
)
from realtimekit_mcp.webhook_signature import fetch_public_key, verify_webhook

FAST = DeliveryPolicy(backoff_base=0.001, max_attempts=5, drain_timeout=5.0)


@pytest.fixture(scope="module")
def key() -> WebhookSigningKey:
    return WebhookSigningKey.generate()


@dataclass
class Received:
    headers: httpx.Headers
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver served by uvicorn on a loopback port, answering scripted statuses."""

    statuses: deque[int] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    server: RunningServer | None = None
    on_receive: Callable[[Received], None] | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.origin}/hook"

    async def _hook(self, request: Request) -> Response:
        got = Received(httpx.Headers(request.headers.raw), await request.body())
        self.received.append(got)
        if self.on_receive is not None:
            self.on_receive(got)
        return Response(status_code=self.statuses.popleft() if self.statuses else 204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = Starlette(routes=[Route("/hook", rec._hook, methods=["POST"])])
    async with serve_app(app, port=0) as running:
        rec.server = running
        yield rec


@dataclass
class Hook:
    id: str
    url: str


def targets_of(*hooks: Hook) -> Any:
    def targets(event: str, payload: Mapping[str, Any]) -> Iterable[Hook]:
        return list(hooks)

    return targets


MEETING_STARTED = {
    "event": "meeting.started",
    "meeting": {"id": "6bf2b8be-04dd-4191-b602-1128921a306b", "title": "Stand-up", "status": "LIVE"},
}


async def settle(dispatcher: WebhookDispatcher, bound: float = 10.0) -> None:
    with anyio.fail_after(bound):
        await dispatcher.wait_idle()


@pytest.mark.anyio
async def test_a_delivery_reaches_a_loopback_receiver_signed_with_the_published_key(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    hook = Hook(str(uuid.uuid4()), receiver.url)
    dispatcher = WebhookDispatcher(key, targets_of(hook), policy=FAST)
    # The public key comes from the dispatcher's own route, over real HTTP.
    async with serve_app(Starlette(routes=webhook_routes(dispatcher)), port=0) as key_server, dispatcher:
        public_key = await fetch_public_key(key_server.origin + "/client/v4")
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)

    assert len(receiver.received) == 1
    got = receiver.received[0]
    verify_webhook(got.body, got.headers["rtk-signature"], public_key)
    assert got.headers["content-type"] == "application/json"
    assert got.headers["rtk-webhook-id"] == hook.id
    delivery_id = got.headers["rtk-uuid"]
    assert str(uuid.UUID(delivery_id)) == delivery_id
    body = json.loads(got.body)
    assert body == MEETING_STARTED
    assert next(iter(body)) == "event"
    [record] = dispatcher.deliveries()
    assert (record.id, record.status, len(record.attempts)) == (delivery_id, DeliveryStatus.DELIVERED, 1)
    assert record.attempts[0].status_code == 204


@pytest.mark.anyio
async def test_every_subscribed_webhook_gets_its_own_delivery_id(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    hooks = [Hook(str(uuid.uuid4()), receiver.url) for _ in range(3)]
    async with WebhookDispatcher(key, targets_of(*hooks), policy=FAST) as dispatcher:
        dispatcher.emit("recording.statusUpdate", {"recording": {"id": "r-1", "status": "RECORDING"}})
        await settle(dispatcher)
    assert sorted(r.headers["rtk-webhook-id"] for r in receiver.received) == sorted(h.id for h in hooks)
    assert len({r.headers["rtk-uuid"] for r in receiver.received}) == 3
    assert all(json.loads(r.body)["event"] == "recording.statusUpdate" for r in receiver.received)


@pytest.mark.anyio
async def test_a_5xx_is_retried_with_the_same_delivery_id_and_bytes_until_it_succeeds(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    receiver.statuses.extend([500, 503, 502])
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=FAST) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    assert len(receiver.received) == 4
    assert len({r.headers["rtk-uuid"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    assert len({r.headers["rtk-signature"] for r in receiver.received}) == 1
    [record] = dispatcher.deliveries()
    assert record.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in record.attempts] == [500, 503, 502, 204]


@pytest.mark.anyio
async def test_retries_stop_after_max_attempts(key: WebhookSigningKey, receiver: Receiver) -> None:
    receiver.statuses.extend([500] * 10)
    policy = DeliveryPolicy(backoff_base=0.001, max_attempts=3)
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=policy) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    assert len(receiver.received) == 3
    [record] = dispatcher.deliveries()
    assert record.status is DeliveryStatus.FAILED
    assert record.detail == "gave up after 3 attempts"


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 404, 410, 301])
async def test_a_non_5xx_failure_is_not_retried(
    key: WebhookSigningKey, receiver: Receiver, status: int
) -> None:
    receiver.statuses.append(status)
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=FAST) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    assert len(receiver.received) == 1
    [record] = dispatcher.deliveries(status="failed")
    assert [a.status_code for a in record.attempts] == [status]
    assert record.detail == f"HTTP {status}: not retried"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.anyio
async def test_network_errors_are_retried_then_the_delivery_fails(key: WebhookSigningKey) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    policy = DeliveryPolicy(backoff_base=0.001, max_attempts=3)
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", url)), policy=policy) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    [record] = dispatcher.deliveries()
    assert record.status is DeliveryStatus.FAILED
    assert len(record.attempts) == 3
    assert all(a.status_code is None and a.error and "ConnectError" in a.error for a in record.attempts)


def _recording_client(seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hook",
        "http://10.0.0.7:8080/hook",
        "http://[2001:db8::1]/hook",
        "http://localhost.evil/x",
    ],
)
async def test_a_non_loopback_url_is_refused_and_nothing_is_sent(
    key: WebhookSigningKey, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[httpx.Request] = []
    async with (
        _recording_client(seen) as client,
        WebhookDispatcher(
            key, targets_of(Hook("wh-ext", url)), policy=FAST, http_client=client
        ) as dispatcher,
    ):
        with caplog.at_level(logging.WARNING, logger="realtimekit_mcp.emulator.webhooks"):
            dispatcher.emit("meeting.started", MEETING_STARTED)
            await settle(dispatcher)
    assert seen == []
    [record] = dispatcher.deliveries()
    assert record.status is DeliveryStatus.REFUSED
    assert record.attempts == []
    assert any("non-loopback" in r.getMessage() and "wh-ext" in r.getMessage() for r in caplog.records)


@pytest.mark.anyio
async def test_allow_external_lets_a_non_loopback_delivery_through(key: WebhookSigningKey) -> None:
    seen: list[httpx.Request] = []
    policy = DeliveryPolicy(allow_external=True, backoff_base=0.001)
    async with (
        _recording_client(seen) as client,  # a mock transport: no traffic leaves the machine
        WebhookDispatcher(
            key, targets_of(Hook("wh-ext", "https://example.com/hook")), policy=policy, http_client=client
        ) as dispatcher,
    ):
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    assert [str(r.url) for r in seen] == ["https://example.com/hook"]
    verify_webhook(seen[0].content, seen[0].headers["rtk-signature"], key.public_key_pem)
    assert dispatcher.deliveries()[0].status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:9000/h", True),
        ("http://127.8.9.10/h", True),
        ("https://localhost/h", True),
        ("http://LOCALHOST:1/h", True),
        ("http://[::1]:9000/h", True),
        ("http://[::ffff:127.0.0.1]/h", True),
        ("http://0.0.0.0/h", False),
        ("http://192.168.1.2/h", False),
        ("http://example.com/h", False),
        ("http://127.0.0.1.nip.io/h", False),
        ("ftp://127.0.0.1/h", False),
        ("not a url", False),
    ],
)
def test_only_loopback_urls_count_as_loopback(url: str, expected: bool) -> None:
    assert is_loopback_url(url) is expected


@pytest.mark.anyio
async def test_events_emitted_from_another_thread_are_delivered(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=FAST) as dispatcher:
        threads = [
            threading.Thread(target=dispatcher.emit, args=("meeting.started", {**MEETING_STARTED, "n": n}))
            for n in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            await anyio.to_thread.run_sync(thread.join)
        await settle(dispatcher)
    assert sorted(json.loads(r.body)["n"] for r in receiver.received) == [0, 1, 2, 3, 4]


@pytest.mark.anyio
async def test_events_emitted_before_the_dispatcher_runs_are_delivered_once_it_runs(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    dispatcher = WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=FAST)
    dispatcher.emit("meeting.started", MEETING_STARTED)
    assert dispatcher.pending == 1
    async with dispatcher:
        await settle(dispatcher)
    assert len(receiver.received) == 1


@pytest.mark.anyio
async def test_a_failing_webhook_lookup_does_not_stop_later_events(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    calls = 0

    def targets(event: str, payload: Mapping[str, Any]) -> list[dict[str, str]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database is locked")
        return [{"id": "wh-1", "url": receiver.url}]  # mappings work as well as objects

    async with WebhookDispatcher(key, targets, policy=FAST) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        dispatcher.emit("meeting.ended", {**MEETING_STARTED, "event": "meeting.ended"})
        await settle(dispatcher)
    assert [json.loads(r.body)["event"] for r in receiver.received] == ["meeting.ended"]


@pytest.mark.anyio
async def test_async_webhook_lookups_are_awaited(key: WebhookSigningKey, receiver: Receiver) -> None:
    async def targets(event: str, payload: Mapping[str, Any]) -> list[Hook]:
        await anyio.lowlevel.checkpoint()
        return [Hook("wh-async", receiver.url)]

    async with WebhookDispatcher(key, targets, policy=FAST) as dispatcher:
        dispatcher.emit("meeting.started", MEETING_STARTED)
        await settle(dispatcher)
    assert [r.headers["rtk-webhook-id"] for r in receiver.received] == ["wh-async"]


@pytest.mark.anyio
async def test_shutdown_cancels_deliveries_still_waiting_to_retry(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    receiver.statuses.extend([503] * 5)
    policy = DeliveryPolicy(backoff_base=3600.0, drain_timeout=0.0)
    with anyio.fail_after(10):
        async with WebhookDispatcher(
            key, targets_of(Hook("wh-1", receiver.url)), policy=policy
        ) as dispatcher:
            dispatcher.emit("meeting.started", MEETING_STARTED)
            while not receiver.received:  # the first attempt has been answered (bounded above)
                await anyio.wait_all_tasks_blocked()
    [record] = dispatcher.deliveries()
    assert record.status is DeliveryStatus.CANCELLED
    assert dispatcher.pending == 0


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = DeliveryPolicy(backoff_base=0.5, backoff_max=3.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    with pytest.raises(ValueError):
        DeliveryPolicy(max_attempts=0)


def test_a_file_store_keeps_one_private_key_file(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    first = load_or_create_signing_key(db)
    second = load_or_create_signing_key(str(db))
    assert first.public_key_pem == second.public_key_pem
    assert stat.S_IMODE(os.stat(key_path_for(db)).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["emulator.sqlite3.webhook-key.pem"]


def test_an_in_memory_store_gets_a_fresh_key_each_time() -> None:
    assert (
        load_or_create_signing_key(":memory:").public_key_pem
        != load_or_create_signing_key(None).public_key_pem
    )


def test_a_meta_store_keeps_the_key_inside_the_data_store(tmp_path: Path) -> None:
    class Meta:
        def __init__(self) -> None:
            self.values: dict[str, str] = {}

        def get_meta(self, key: str) -> str | None:
            return self.values.get(key)

        def set_meta(self, key: str, value: str) -> None:
            self.values[key] = value

    meta = Meta()
    first = load_or_create_signing_key(tmp_path / "db", meta=meta)
    assert load_or_create_signing_key(tmp_path / "db", meta=meta).public_key_pem == first.public_key_pem
    assert list(meta.values) == ["webhook_signing_key"]
    assert list(tmp_path.iterdir()) == []


def test_the_private_key_never_shows_in_reprs_or_redacted_text(key: WebhookSigningKey) -> None:
    pem = key.private_key_pem().decode()
    assert "PRIVATE" not in repr(key)
    assert pem not in redact(f"oops: {pem}")


@pytest.mark.anyio
async def test_the_control_routes_publish_the_key_and_the_delivery_log(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    receiver.statuses.append(400)
    hooks = [Hook("wh-ok", receiver.url), Hook("wh-ext", "http://example.com/x")]
    dispatcher = WebhookDispatcher(key, targets_of(*hooks), policy=FAST)
    app = Starlette(routes=webhook_routes(dispatcher))
    async with (
        dispatcher,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as http,
    ):
        document = (await http.get("/.well-known/webhooks.json")).json()
        assert document == {"success": True, "data": {"publicKey": key.public_key_pem}, "message": ""}

        dispatcher.emit("meeting.started", MEETING_STARTED)
        waited = await http.post("/_emulator/webhook-deliveries/wait", params={"timeout": 10})
        assert waited.json() == {"success": True, "data": {"idle": True, "pending": 0}}

        log = (await http.get("/_emulator/webhook-deliveries")).json()
        assert log["success"] is True
        assert {(d["webhook_id"], d["status"]) for d in log["data"]} == {
            ("wh-ok", "failed"),
            ("wh-ext", "refused"),
        }
        assert all(d["payload"] == MEETING_STARTED for d in log["data"])
        failed = (await http.get("/_emulator/webhook-deliveries", params={"status": "failed"})).json()["data"]
        assert [d["attempts"][0]["status_code"] for d in failed] == [400]
        assert (await http.get("/_emulator/webhook-deliveries", params={"webhook_id": "nope"})).json()[
            "data"
        ] == []

        bad = await http.get("/_emulator/webhook-deliveries", params={"status": "lost"})
        assert bad.status_code == 400
        assert bad.json()["error"]["code"] == 400
        assert (
            await http.post("/_emulator/webhook-deliveries/wait", params={"timeout": "x"})
        ).status_code == 400

        assert (await http.delete("/_emulator/webhook-deliveries")).status_code == 200
        assert (await http.get("/_emulator/webhook-deliveries")).json()["data"] == []


# --------------------------------------------------------------------------------------------
# Through the whole emulator: REST-registered webhooks get the events the emulator produces
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_running_emulator_delivers_its_events_to_registered_webhooks(receiver: Receiver) -> None:
    from realtimekit_mcp.emulator.config import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    config = EmulatorConfig(db_path=":memory:", webhook_backoff_base=0.001)
    async with (
        run_emulator(config, port=0) as running,
        httpx.AsyncClient(
            base_url=running.base_url + running.api_path,
            headers={"Authorization": f"Bearer {running.api_token}"},
            timeout=30,
        ) as api,
        httpx.AsyncClient(base_url=running.origin, timeout=30) as control,
    ):
        subscribed = await api.post(
            "/webhooks",
            json={
                "name": "lifecycle",
                "url": receiver.url,
                "events": ["meeting.started", "meeting.ended", "meeting.participantJoined"],
            },
        )
        assert subscribed.status_code in (200, 201), subscribed.text
        webhook_id = subscribed.json()["data"]["id"]
        disabled = await api.post(
            "/webhooks",
            json={
                "name": "off",
                "url": receiver.url + "?off",
                "events": ["meeting.started"],
                "enabled": False,
            },
        )
        assert disabled.status_code in (200, 201), disabled.text
        meeting = (await api.post("/meetings", json={"title": "Webhook demo"})).json()["data"]

        seeded = await control.post(
            "/_emulator/sessions",
            json={
                "meeting_id": meeting["id"],
                "participants": [{"custom_participant_id": "ada", "name": "Ada"}],
                "end": True,
            },
        )
        assert seeded.status_code in (200, 201), seeded.text
        waited = await control.post("/_emulator/webhook-deliveries/wait", params={"timeout": 20})
        assert waited.json()["data"]["idle"] is True

        public_key = await fetch_public_key(running.base_url)  # from the emulator's /.well-known
        log = (await control.get("/_emulator/webhook-deliveries")).json()["data"]

    events = [json.loads(r.body)["event"] for r in receiver.received]
    assert sorted(events) == ["meeting.ended", "meeting.participantJoined", "meeting.started"]
    for got in receiver.received:
        verify_webhook(got.body, got.headers["rtk-signature"], public_key)
        assert got.headers["rtk-webhook-id"] == webhook_id
        assert json.loads(got.body)["meeting"]["id"] == meeting["id"]
    assert {d["status"] for d in log} == {"delivered"}
    assert {d["id"] for d in log} == {r.headers["rtk-uuid"] for r in receiver.received}
    assert all(r.headers["rtk-webhook-id"] != disabled.json()["data"]["id"] for r in receiver.received)


@pytest.mark.anyio
async def test_recording_status_webhooks_arrive_without_further_requests(receiver: Receiver) -> None:
    from realtimekit_mcp.emulator.config import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator

    recording_started = anyio.Event()

    def on_receive(got: Received) -> None:
        body = json.loads(got.body)
        if body["event"] == "recording.statusUpdate" and body["recording"]["status"] == "RECORDING":
            recording_started.set()

    receiver.on_receive = on_receive
    config = EmulatorConfig(
        db_path=":memory:", webhook_backoff_base=0.001, recording_start_delay=0.2, tick_interval=0.05
    )
    async with (
        run_emulator(config, port=0) as running,
        httpx.AsyncClient(
            base_url=running.base_url + running.api_path,
            headers={"Authorization": f"Bearer {running.api_token}"},
            timeout=30,
        ) as api,
    ):
        hook_doc = {"name": "rec", "url": receiver.url, "events": ["recording.statusUpdate"]}
        assert (await api.post("/webhooks", json=hook_doc)).status_code in (200, 201)
        meeting = (await api.post("/meetings", json={"title": "Recorded"})).json()["data"]
        async with httpx.AsyncClient(base_url=running.origin) as control:
            seeded = await control.post("/_emulator/sessions", json={"meeting_id": meeting["id"]})
        assert seeded.status_code in (200, 201), seeded.text
        started = await api.post("/recordings", json={"meeting_id": meeting["id"]})
        assert started.status_code == 200, started.text
        assert started.json()["data"]["status"] == "INVOKED"
        # No request from here on: only the emulator's own timer can move the recording on.
        with anyio.fail_after(10):
            await recording_started.wait()


@pytest.mark.anyio
async def test_the_delivery_log_is_for_loopback_clients_or_authorized_callers(key: WebhookSigningKey) -> None:
    dispatcher = WebhookDispatcher(key, targets_of())

    def authorize(request: Request) -> bool:
        return request.headers.get("authorization") == "Bearer right-token"

    app = Starlette(routes=webhook_routes(dispatcher, authorize=authorize))
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://e") as http:
        assert (await http.get("/.well-known/webhooks.json")).status_code == 200  # the key is public
        denied = await http.get("/_emulator/webhook-deliveries")
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == 403
        assert (await http.delete("/_emulator/webhook-deliveries")).status_code == 403
        assert (await http.post("/_emulator/webhook-deliveries/wait")).status_code == 403
        allowed = await http.get(
            "/_emulator/webhook-deliveries", headers={"authorization": "Bearer right-token"}
        )
        assert allowed.status_code == 200
    unguarded = Starlette(routes=webhook_routes(dispatcher))
    remote = httpx.ASGITransport(app=unguarded, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://e") as http:
        assert (await http.get("/_emulator/webhook-deliveries")).status_code == 403


@pytest.mark.anyio
async def test_deliveries_run_concurrently_up_to_the_limit(key: WebhookSigningKey) -> None:
    in_flight = 0
    peak = 0
    gate = anyio.Event()
    limit_reached = anyio.Event()

    async def slow_hook(request: Request) -> Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight >= 3:
            limit_reached.set()
        await gate.wait()
        in_flight -= 1
        return Response(status_code=200)

    app = Starlette(routes=[Route("/hook", slow_hook, methods=["POST"])])
    policy = DeliveryPolicy(max_concurrency=3, backoff_base=0.001)
    async with serve_app(app, port=0) as server:
        hook = Hook("wh-slow", f"{server.origin}/hook")
        async with WebhookDispatcher(key, targets_of(hook), policy=policy) as dispatcher:
            for n in range(10):
                dispatcher.emit("meeting.started", {**MEETING_STARTED, "n": n})
            with anyio.fail_after(10):
                await limit_reached.wait()
                await anyio.wait_all_tasks_blocked()  # give a fourth request every chance to start
            assert peak == 3
            gate.set()
            await settle(dispatcher)
    assert peak == 3
    assert len(dispatcher.deliveries(status="delivered")) == 10


@pytest.mark.anyio
async def test_the_log_keeps_the_latest_deliveries_and_a_full_queue_drops_with_a_count(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    policy = DeliveryPolicy(log_size=4, queue_size=6, backoff_base=0.001)
    dispatcher = WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=policy)
    for n in range(9):  # not running yet: 6 are buffered, 3 dropped
        dispatcher.emit("meeting.started", {**MEETING_STARTED, "n": n})
    assert (dispatcher.pending, dispatcher.dropped) == (6, 3)
    async with dispatcher:
        await settle(dispatcher)
    assert len(receiver.received) == 6
    kept = [json.loads(r.body)["n"] for r in dispatcher.deliveries()]
    assert kept == [2, 3, 4, 5]


@pytest.mark.anyio
async def test_a_cancelled_lifespan_still_cleans_up_and_the_dispatcher_can_run_again(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    receiver.statuses.extend([503, 503])
    policy = DeliveryPolicy(backoff_base=3600.0)
    dispatcher = WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=policy)
    with anyio.fail_after(10):
        with anyio.CancelScope() as scope:
            async with dispatcher:
                dispatcher.emit("meeting.started", MEETING_STARTED)
                while not receiver.received:
                    await anyio.wait_all_tasks_blocked()
                scope.cancel()
                await anyio.sleep_forever()
    assert not dispatcher.running
    assert [r.status for r in dispatcher.deliveries()] == [DeliveryStatus.CANCELLED]
    receiver.statuses.clear()
    async with dispatcher:  # re-entrant after a cancelled run
        dispatcher.emit("meeting.ended", {**MEETING_STARTED, "event": "meeting.ended"})
        await settle(dispatcher)
    assert dispatcher.deliveries(status="delivered")[0].event == "meeting.ended"


def test_the_log_hides_passwords_in_webhook_urls() -> None:
    record = DeliveryRecord(
        id="d",
        webhook_id="w",
        event="meeting.started",
        url="http://user:s3cret-pass@127.0.0.1:9/hook",
        body=b"{}",
        created_at="2026-01-01T00:00:00.000Z",
    )
    assert "s3cret-pass" not in json.dumps(record.to_dict())
    assert record.to_dict()["url"].startswith("http://user:")


@pytest.mark.anyio
async def test_the_delivered_body_is_the_payload_as_it_was_when_emitted(
    key: WebhookSigningKey, receiver: Receiver
) -> None:
    async with WebhookDispatcher(key, targets_of(Hook("wh-1", receiver.url)), policy=FAST) as dispatcher:
        payload: dict[str, Any] = {"meeting": {"id": "m-1", "status": "LIVE"}}
        dispatcher.emit("meeting.started", payload)
        payload["meeting"]["status"] = "CHANGED AFTER EMIT"
        dispatcher.emit("meeting.started", {"meeting": {"id": "m-2"}, "bad": object()})  # not JSON: dropped
        await settle(dispatcher)
    assert [json.loads(r.body) for r in receiver.received] == [
        {"event": "meeting.started", "meeting": {"id": "m-1", "status": "LIVE"}}
    ]
    assert dispatcher.dropped == 1


@pytest.mark.anyio
async def test_the_emulator_guards_its_delivery_log_from_remote_callers_with_the_api_token() -> None:
    from realtimekit_mcp.emulator.app import create_app
    from realtimekit_mcp.emulator.config import EmulatorConfig

    app = create_app(EmulatorConfig(db_path=":memory:", api_token="remote-token-0123456789"))
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://emulator.example") as http:
        assert (await http.get("/.well-known/webhooks.json")).status_code == 200
        assert (await http.get("/_emulator/webhook-deliveries")).status_code in (401, 403)
        allowed = await http.get(
            "/_emulator/webhook-deliveries", headers={"Authorization": "Bearer remote-token-0123456789"}
        )
        assert allowed.status_code == 200
        assert allowed.json()["data"] == []
