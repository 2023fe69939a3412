"""The client under injected faults (acceptance: "Client under faults").

A respx side effect answers ~30 % of requests with 429, 503 or a connection reset (seeded, so
every run sees the same faults), and charges each request a random latency on the virtual clock.
It honours the per-attempt timeout the client sends (a request slower than its timeout raises
``ReadTimeout`` after exactly that long), so the measured elapsed time is what a real run would
spend. Nothing really sleeps: the client waits on the virtual clock.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import httpx
import pytest
import respx

from realtimekit_mcp.client import errors
from tests.client._helpers import P, VirtualClock, make_client, ok

pytestmark = pytest.mark.anyio

FAULT_RATE = 0.30
BUDGET = 10.0


class FaultyServer:
    """Answers meetings GET/POST, injecting faults at ``rate``."""

    def __init__(self, clock: VirtualClock, *, rate: float = FAULT_RATE, seed: int = 20251124) -> None:
        self.clock = clock
        self.rate = rate
        self.rng = random.Random(seed)
        self.faults: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.created_titles: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests[request.method] += 1
        latency = self.rng.uniform(0.0, 0.3)
        timeout = request.extensions.get("timeout", {}).get("read")
        if timeout is not None and latency > timeout:
            self.clock.advance(timeout)
            self.faults["timeout"] += 1
            raise httpx.ReadTimeout("simulated slow answer", request=request)
        self.clock.advance(latency)
        if request.method == "POST":
            self.created_titles.append(json.loads(request.content)["title"])
        if self.rng.random() < self.rate:
            kind = self.rng.choice(["429", "429-hint", "503", "reset"])
            self.faults[kind] += 1
            if kind == "reset":
                raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
            headers = {"retry-after": str(self.rng.choice([0, 1, 2]))} if kind == "429-hint" else {}
            status = 503 if kind == "503" else 429
            return httpx.Response(
                status,
                json={"success": False, "error": {"code": status, "message": "injected"}},
                headers=headers,
            )
        if request.method == "POST":
            title = json.loads(request.content)["title"]
            return ok({"id": f"id-{title}", "title": title}, 201)
        return ok({"id": request.url.path.rsplit("/", 1)[-1], "title": "t"})


async def test_reads_under_30_percent_faults_all_succeed_within_the_budget(
    router: respx.Router, clock: VirtualClock
) -> None:
    server = FaultyServer(clock)
    router.route(url__startswith=f"https://api.example.test/client/v4{P}/meetings").mock(side_effect=server)
    reads = 250
    durations: list[float] = []
    # The client's defaults (5 retries within a 10 s budget): with 30 % faults, 0.3**6 = 0.07 % of
    # reads could exhaust their retries; the seeded run has none.
    async with make_client(router, clock) as c:
        assert c.retry_policy.budget == BUDGET
        assert c.retry_policy.max_retries == 5
        for i in range(reads):
            start = clock.monotonic()
            meeting = await c.meetings.get(f"m-{i}")
            durations.append(clock.monotonic() - start)
            assert meeting.id == f"m-{i}"
    injected = sum(server.faults.values())
    assert server.requests["GET"] == reads + injected  # every fault cost exactly one retry
    assert injected / server.requests["GET"] == pytest.approx(FAULT_RATE, abs=0.06)
    assert {"429", "429-hint", "503", "reset"} <= set(server.faults)
    assert max(durations) <= BUDGET
    assert sum(1 for d in clock.sleeps if d > 0) > 0.2 * reads


async def test_creates_are_sent_exactly_once_even_when_they_fail(
    router: respx.Router, clock: VirtualClock
) -> None:
    server = FaultyServer(clock, seed=99)
    router.route(url__startswith=f"https://api.example.test/client/v4{P}/meetings").mock(side_effect=server)
    creates = 200
    failed = 0
    async with make_client(router, clock, max_retries=10) as c:
        for i in range(creates):
            try:
                await c.meetings.create(title=f"t{i}")
            except (errors.RateLimitError, errors.ServerError, errors.APIConnectionError):
                failed += 1
    assert server.requests["POST"] == creates
    assert len(server.created_titles) == len(set(server.created_titles)) == creates
    assert clock.sleeps == []
    assert failed == sum(server.faults.values()) > 0.2 * creates


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (
            lambda req: httpx.Response(
                503, json={"success": False, "error": {"code": 503, "message": "down"}}
            ),
            errors.ServerError,
        ),
        (
            lambda req: httpx.Response(
                429, json={"success": False, "error": {"code": 429, "message": "slow"}}
            ),
            errors.RateLimitError,
        ),
        (lambda req: httpx.Response(504, text="gateway timeout"), errors.ServerError),
        (lambda req: (_ for _ in ()).throw(httpx.ReadError("reset", request=req)), errors.APIConnectionError),
    ],
)
@pytest.mark.parametrize("max_retries", [2, 50])
async def test_exhausted_retries_raise_typed_errors_with_retry_after_inside_the_budget(
    router: respx.Router,
    clock: VirtualClock,
    answer: object,
    cls: type[errors.RealtimeKitError],
    max_retries: int,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        clock.advance(0.1)
        return answer(request)  # type: ignore[operator, no-any-return]

    route = router.get(f"{P}/meetings").mock(side_effect=handler)
    async with make_client(router, clock, max_retries=max_retries) as c:
        with pytest.raises(cls) as info:
            await c.meetings.list()
    elapsed = clock.monotonic() - 1_000.0
    assert elapsed <= BUDGET
    assert info.value.retry_after is not None and info.value.retry_after > 0
    if max_retries == 2:
        assert route.call_count == 3
    else:
        # the budget stopped it: the advertised wait would have crossed the budget
        assert route.call_count < 50
        assert elapsed + info.value.retry_after >= BUDGET


async def test_retry_after_hint_that_would_cross_the_budget_stops_retrying(
    router: respx.Router, clock: VirtualClock
) -> None:
    answers = [
        httpx.Response(429, headers={"retry-after": "4"}, json={}),
        httpx.Response(429, headers={"retry-after": "4"}, json={}),
        httpx.Response(429, headers={"retry-after": "4"}, json={}),
    ]
    route = router.get(f"{P}/meetings").mock(side_effect=answers)
    async with make_client(router, clock, max_retries=10) as c:
        with pytest.raises(errors.RateLimitError) as info:
            await c.meetings.list()
    assert clock.sleeps == [4.0, 4.0]  # 8 s slept; a third 4 s wait would reach 12 s > 10 s
    assert route.call_count == 3
    assert info.value.retry_after == 4.0
