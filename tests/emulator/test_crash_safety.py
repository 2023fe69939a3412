"""Crash safety: a standalone emulator SIGKILLed during a burst of writes loses no acknowledged write.

Each round starts ``realtimekit-mcp emulator`` on the same data file, checks that every write
acknowledged (2xx) in earlier rounds is there, fires concurrent creates (meetings, then a
participant in each), and SIGKILLs the process once enough writes are acknowledged, while others
are still in flight. A last restart checks everything once more.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
import pytest

from tests.emulator.test_cli import EmulatorProcess, emulator_process

ROUNDS = 3
WRITERS = 16
KILL_AFTER = 120  # acknowledged writes per round before the kill
ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
APP_ID = "14a396e7-ca44-4937-bf1f-050a69118543"
TOKEN = "crash-test-token-0123456789"


@dataclass
class Ledger:
    meetings: list[str] = field(default_factory=list)
    participants: list[tuple[str, str]] = field(default_factory=list)
    sent: int = 0
    in_flight: int = 0
    in_flight_at_kill: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return len(self.meetings) + len(self.participants)


def _args(data: Path) -> list[str]:
    return ["--data", str(data), "--account-id", ACCOUNT_ID, "--app-id", APP_ID, "--api-token", TOKEN]


async def _check_all_present(emulator: EmulatorProcess, ledger: Ledger) -> int:
    """GET every acknowledged meeting and participant; returns how many were found."""
    found = 0
    limiter = anyio.CapacityLimiter(8)
    missing: list[str] = []

    async with httpx.AsyncClient(timeout=30, headers=emulator.headers) as http:

        async def check(path: str, expected_id: str) -> None:
            nonlocal found
            async with limiter:
                response = await http.get(f"{emulator.api}{path}")
            if response.status_code == 200 and response.json()["data"]["id"] == expected_id:
                found += 1
            else:
                missing.append(f"{path}: {response.status_code}")

        async with anyio.create_task_group() as tg:
            for meeting_id in ledger.meetings:
                tg.start_soon(check, f"/meetings/{meeting_id}", meeting_id)
            for meeting_id, participant_id in ledger.participants:
                tg.start_soon(check, f"/meetings/{meeting_id}/participants/{participant_id}", participant_id)
    assert missing == [], f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
    return found


async def _burst_then_kill(emulator: EmulatorProcess, ledger: Ledger, round_no: int) -> None:
    killed = anyio.Event()
    target = ledger.acknowledged + KILL_AFTER

    def maybe_kill() -> None:
        if ledger.acknowledged >= target and not killed.is_set():
            ledger.in_flight_at_kill.append(ledger.in_flight)
            emulator.process.kill()  # SIGKILL: no shutdown code runs
            killed.set()

    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)
    async with httpx.AsyncClient(timeout=30, headers=emulator.headers, limits=limits) as http:

        async def post(path: str, body: dict[str, str]) -> httpx.Response | None:
            ledger.sent += 1
            ledger.in_flight += 1
            try:
                return await http.post(f"{emulator.api}{path}", json=body)
            except httpx.TransportError:
                if not killed.is_set():
                    raise
                return None  # the process died with this request in flight: not acknowledged
            finally:
                ledger.in_flight -= 1

        async def writer(n: int) -> None:
            i = 0
            while not killed.is_set():
                i += 1
                created = await post("/meetings", {"title": f"crash r{round_no} w{n} #{i}"})
                if created is None:
                    return
                if created.status_code != 201:
                    ledger.unexpected.append(f"meeting: {created.status_code} {created.text[:200]}")
                    return
                meeting_id = created.json()["data"]["id"]
                ledger.meetings.append(meeting_id)
                maybe_kill()
                added = await post(
                    f"/meetings/{meeting_id}/participants",
                    {
                        "custom_participant_id": f"r{round_no}-w{n}-{i}",
                        "preset_name": "group_call_participant",
                        "name": f"Writer {n}",
                    },
                )
                if added is None:
                    return
                if added.status_code != 201:
                    ledger.unexpected.append(f"participant: {added.status_code} {added.text[:200]}")
                    return
                ledger.participants.append((meeting_id, added.json()["data"]["id"]))
                maybe_kill()

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for n in range(WRITERS):
                    tg.start_soon(writer, n)
    assert ledger.unexpected == []
    assert killed.is_set()
    with anyio.fail_after(30):
        returncode = await emulator.process.wait()
    assert returncode == -signal.SIGKILL


@pytest.mark.anyio
@pytest.mark.slow
async def test_every_acknowledged_write_survives_sigkill_mid_burst(tmp_path: Path) -> None:
    data = tmp_path / "crash.sqlite3"
    ledger = Ledger()
    for round_no in range(1, ROUNDS + 1):
        async with emulator_process(_args(data), tmp_path / f"round{round_no}.log") as emulator:
            assert await _check_all_present(emulator, ledger) == ledger.acknowledged
            await _burst_then_kill(emulator, ledger, round_no)
    async with emulator_process(_args(data), tmp_path / "final.log") as emulator:
        present = await _check_all_present(emulator, ledger)
        async with httpx.AsyncClient(timeout=30, headers=emulator.headers) as http:
            listed = await http.get(f"{emulator.api}/meetings", params={"per_page": 1})
        stored_meetings = listed.json()["paging"]["total_count"]
    # Figures for the report (pytest -s shows them).
    print(
        f"\ncrash safety: {ROUNDS} SIGKILLs, {ledger.sent} writes sent, {ledger.acknowledged} acknowledged "
        f"({len(ledger.meetings)} meetings, {len(ledger.participants)} participants), {present} present after "
        f"restart; in flight at each kill: {ledger.in_flight_at_kill}; meetings stored: {stored_meetings} "
        f"(>= acknowledged {len(ledger.meetings)}: unacknowledged in-flight writes may or may not land)"
    )
    assert present == ledger.acknowledged >= ROUNDS * KILL_AFTER
    assert stored_meetings >= len(ledger.meetings)
    assert any(n > 0 for n in ledger.in_flight_at_kill), "no kill happened with writes in flight"
