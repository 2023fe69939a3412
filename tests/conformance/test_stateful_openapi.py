"""Random sequences of valid operations keep every answer inside Cloudflare's OpenAPI.

A Hypothesis state machine drives the emulator through meetings, participants, presets, live
sessions (seeded through the control plane), kicks, mutes, polls, recordings (every action, in any
order), livestreams, webhooks and clock jumps, and reads everything back. Invariants after every
step: no 5xx, and every answer (success or error) validates against the OpenAPI response schema for
its status. This reaches states a fixed tour does not (an ERRORED or paused recording, a livestream
after its meeting ended, a participant whose preset was deleted, sessions ended by keep-alive...).

``STATEFUL_TRACE=1 pytest tests/conformance/test_stateful_openapi.py -s`` prints how often each
(method, path, status) occurred, to check the machine reaches the states it should.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule
from starlette.testclient import TestClient

from ._data import WEBHOOK_EVENTS, preset_body
from ._exchange import Exchange, openapi_problems
from .conftest import API_PREFIX, AUTH, BASE_URL, make_config

P = API_PREFIX
STATS: Counter[str] = Counter()


class EmulatorMachine(RuleBasedStateMachine):
    """Valid operations in random order; every answer checked against the OpenAPI."""

    meetings = Bundle("meetings")
    participants = Bundle("participants")  # (meeting id, participant id)
    presets = Bundle("presets")  # (id, name)
    recordings = Bundle("recordings")
    livestreams = Bundle("livestreams")  # (meeting id, livestream id)
    webhooks = Bundle("webhooks")

    def __init__(self) -> None:
        super().__init__()
        from realtimekit_mcp.emulator import create_app

        self.client = TestClient(
            create_app(make_config()), base_url=BASE_URL, headers=AUTH, raise_server_exceptions=False
        )
        self.client.__enter__()
        self.problems: list[str] = []
        self.sessions: list[str] = []
        self.created = 0

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)

    # -- plumbing --------------------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        """Send one API request, check it, return ``data`` of a success (None on an error)."""
        response = self.client.request(method, P + path, json=body, params=params)
        raw = response.content
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        exchange = Exchange(
            method=method,
            path=response.request.url.path[len("/client/v4") :],
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=decoded,
            raw=raw,
        )
        STATS["requests"] += 1
        STATS[f"{response.status_code // 100}xx"] += 1
        if os.environ.get("STATEFUL_TRACE"):
            STATS[f"{method} {self._template(path)} {response.status_code}"] += 1
        if response.status_code >= 500:
            self.problems.append(f"{method} {path} -> {response.status_code} {response.text[:200]}")
        self.problems.extend(openapi_problems(exchange))
        return decoded.get("data") if response.is_success and isinstance(decoded, dict) else None

    def control(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(f"/_emulator{path}", json=body)
        if response.status_code >= 500:
            self.problems.append(f"control {path} -> {response.status_code} {response.text[:200]}")
        if os.environ.get("STATEFUL_TRACE"):
            STATS[f"control {path.split('/')[1]} {response.status_code} {response.text[:90]}"] += 1
        return response.json().get("data") if response.is_success else None

    @staticmethod
    def _template(path: str) -> str:
        return "/".join("{id}" if len(part) == 36 else part for part in path.split("/"))

    @invariant()
    def every_answer_conforms(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    # -- rules -----------------------------------------------------------------------------------

    @initialize(target=presets)
    def default_preset(self) -> tuple[str, str]:
        first = self.call("GET", "/presets")[0]
        return first["id"], first["name"]

    @rule(target=meetings, record=st.booleans(), keep_alive=st.sampled_from([60, 61, 600]))
    def create_meeting(self, record: bool, keep_alive: int) -> Any:
        body = {
            "title": "sm",
            "record_on_start": record,
            "persist_chat": True,
            "transcribe_on_end": True,
            "summarize_on_end": True,
            "session_keep_alive_time_in_secs": keep_alive,
        }
        meeting = self.call("POST", "/meetings", body)
        return meeting["id"] if meeting else "00000000-0000-4000-8000-000000000001"

    @rule(meeting=meetings, status=st.sampled_from(["ACTIVE", "INACTIVE"]))
    def set_status(self, meeting: str, status: str) -> None:
        self.call("PATCH", f"/meetings/{meeting}", {"status": status})

    @rule(target=presets, n=st.integers(0, 10**6))
    def create_preset(self, n: int) -> Any:
        created = self.call("POST", "/presets", preset_body(f"sm_{n}"))
        return (
            (created["id"], created["name"]) if created else ("00000000-0000-4000-8000-000000000002", "none")
        )

    @rule(preset=presets)
    def delete_preset(self, preset: tuple[str, str]) -> None:
        self.call("DELETE", f"/presets/{preset[0]}")

    @rule(target=participants, meeting=meetings, preset=presets, n=st.integers(0, 5))
    def add_participant(self, meeting: str, preset: tuple[str, str], n: int) -> Any:
        body = {"custom_participant_id": f"u{n}", "preset_name": preset[1], "name": f"U{n}"}
        added = self.call("POST", f"/meetings/{meeting}/participants", body)
        return (meeting, added["id"] if added else "00000000-0000-4000-8000-000000000003")

    @rule(participant=participants, preset=presets)
    def edit_participant(self, participant: tuple[str, str], preset: tuple[str, str]) -> None:
        meeting, pid = participant
        self.call("PATCH", f"/meetings/{meeting}/participants/{pid}", {"name": "E", "preset_name": preset[1]})
        self.call("POST", f"/meetings/{meeting}/participants/{pid}/token")

    @rule(participant=consumes(participants))
    def delete_participant(self, participant: tuple[str, str]) -> None:
        self.call("DELETE", f"/meetings/{participant[0]}/participants/{participant[1]}")

    @rule(meeting=meetings, preset=presets, chat=st.booleans())
    def start_session(self, meeting: str, preset: tuple[str, str], chat: bool) -> None:
        body: dict[str, Any] = {
            "meeting_id": meeting,
            "participants": [{"custom_participant_id": "host", "preset_name": preset[1]}],
        }
        if chat:
            body["chat"] = [{"text": "hello"}]
            body["transcript"] = [{"text": "words"}]
        seeded = self.control("/sessions", body)
        if seeded:
            self.sessions.append(seeded["session"]["id"])

    @rule(meeting=meetings, preset=presets)
    def join_again(self, meeting: str, preset: tuple[str, str]) -> None:
        """A second rule seeding sessions, so live sessions are common (rules are drawn uniformly)."""
        self.start_session(meeting, preset, chat=True)

    @rule(data=st.data())
    def end_session(self, data: st.DataObject) -> None:
        if self.sessions:
            session = data.draw(st.sampled_from(self.sessions))
            self.control(f"/sessions/{session}/end", {})

    @rule(
        meeting=meetings,
        participant=participants,
        what=st.sampled_from(["kick", "mute", "mute-all", "kick-all", "poll"]),
    )
    def session_control(self, meeting: str, participant: tuple[str, str], what: str) -> None:
        bodies: dict[str, Any] = {
            "kick": {"participant_ids": [participant[1]]},
            "mute": {"participant_ids": [participant[1]]},
            "mute-all": {"allow_unmute": True},
            "kick-all": None,
            "poll": {"question": "q?", "options": ["a", "b"]},
        }
        self.call("POST", f"/meetings/{meeting}/active-session/{what}", bodies[what])
        self.call("GET", f"/meetings/{meeting}/active-session")

    @rule(target=recordings, meeting=meetings, many=st.booleans())
    def start_recording(self, meeting: str, many: bool) -> Any:
        started = self.call("POST", "/recordings", {"meeting_id": meeting, "allow_multiple_recordings": many})
        if started is None:
            started = (self.call("POST", "/recordings/track", {"meeting_id": meeting}) or {}).get("recording")
        return started["id"] if started else "00000000-0000-4000-8000-000000000004"

    @rule(recording=recordings, action=st.sampled_from(["pause", "resume", "stop"]))
    def recording_action(self, recording: str, action: str) -> None:
        self.call("PUT", f"/recordings/{recording}", {"action": action})
        self.call("GET", f"/recordings/{recording}")

    @rule(target=livestreams, meeting=meetings)
    def start_livestream(self, meeting: str) -> Any:
        started = self.call("POST", f"/meetings/{meeting}/livestreams", {"name": "sm"})
        return meeting, started["id"] if started else "00000000-0000-4000-8000-000000000005"

    @rule(livestream=livestreams)
    def read_livestream(self, livestream: tuple[str, str]) -> None:
        meeting, lid = livestream
        self.call("GET", f"/meetings/{meeting}/active-livestream")
        self.call("GET", f"/meetings/{meeting}/livestream")
        self.call("GET", f"/livestreams/{lid}")
        active = self.call("GET", f"/livestreams/{lid}/active-livestream-session")
        if active and (active.get("session") or {}).get("id"):
            self.call("GET", f"/livestreams/sessions/{active['session']['id']}")

    @rule(livestream=livestreams)
    def stop_livestream(self, livestream: tuple[str, str]) -> None:
        self.call("POST", f"/meetings/{livestream[0]}/active-livestream/stop")

    @rule(target=webhooks, enabled=st.booleans())
    def create_webhook(self, enabled: bool) -> Any:
        body = {
            "name": "sm",
            "url": "https://hooks.example.com/sm",
            "events": WEBHOOK_EVENTS,
            "enabled": enabled,
        }
        created = self.call("POST", "/webhooks", body)
        return created["id"] if created else "00000000-0000-4000-8000-000000000006"

    @rule(webhook=webhooks, verb=st.sampled_from(["GET", "PATCH", "DELETE"]))
    def touch_webhook(self, webhook: str, verb: str) -> None:
        self.call(verb, f"/webhooks/{webhook}", {"enabled": True} if verb == "PATCH" else None)

    @rule(seconds=st.sampled_from([1, 3, 30, 61, 700, 86_400]))
    def advance_clock(self, seconds: int) -> None:
        self.control("/clock/advance", {"seconds": seconds})

    @rule(data=st.data())
    def read_sessions(self, data: st.DataObject) -> None:
        listed = self.call("GET", "/sessions", params={"per_page": 5})
        if not self.sessions:
            return
        session = data.draw(st.sampled_from(self.sessions))
        self.call("GET", f"/sessions/{session}")
        people = self.call("GET", f"/sessions/{session}/participants", params={"include_peer_events": "true"})
        for person in (people or {}).get("participants", [])[:1]:
            self.call("GET", f"/sessions/{session}/participants/{person['id']}")
        for export in ("chat", "transcript", "summary"):
            self.call("GET", f"/sessions/{session}/{export}")
        self.call("POST", f"/sessions/{session}/summary")
        self.call("GET", f"/sessions/{session}/livestream-sessions")
        del listed

    @rule(
        path=st.sampled_from(
            [
                "/meetings",
                "/presets",
                "/recordings",
                "/livestreams",
                "/webhooks",
                "/webhooks/all",
                "/analytics/daywise",
                "/analytics/livestreams/overall",
                "/analytics/livestreams/daywise",
            ]
        )
    )
    def read_list(self, path: str) -> None:
        self.call("GET", path)

    @rule(meeting=meetings)
    def read_meeting(self, meeting: str) -> None:
        self.call("GET", f"/meetings/{meeting}")
        self.call("GET", f"/meetings/{meeting}/participants")
        self.call("GET", f"/recordings/active-recording/{meeting}")


EmulatorMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("RTK_STATEFUL_EXAMPLES", "30")),  # e.g. 300 for a long hunt
    stateful_step_count=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestEmulatorStateMachine = EmulatorMachine.TestCase


def test_the_state_machine_sent_enough_requests() -> None:
    """Runs after the machine in this module (definition order); guards against a vacuous run."""
    print(f"\nstate machine: {dict(STATS)}")
    if STATS["requests"] == 0:  # the machine was deselected (e.g. -k): nothing to check
        return
    assert STATS["requests"] >= 500, STATS
    assert STATS["2xx"] >= 200 and STATS["4xx"] >= 50, STATS
    assert STATS["5xx"] == 0, STATS
