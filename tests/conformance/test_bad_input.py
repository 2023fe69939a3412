"""Bad input never gets a 5xx: property-based requests against every operation group.

For each group (apps, meetings, participants, active session, presets, sessions, recordings,
livestreams, analytics, webhooks) Hypothesis generates at least 200 requests against the group's
operations (taken from Cloudflare's OpenAPI): valid bodies with missing fields, wrong types and bad
enums; arbitrary JSON; malformed JSON; bodies over the size limit; wrong content types; unknown or
malformed ids in the path; bad query parameters. Path ids are real (seeded) ids half of the time so
the deeper validation runs too.

Every answer must be a 4xx in RealtimeKit's envelope ``{success: false, error: {code, message}}``
(``code`` equal to the HTTP status), or a 2xx ``{success: true, ...}`` when the generated input
happens to be valid; never a 5xx. Runs in-process (Starlette's TestClient), deterministic
(``derandomize=True``, no example database).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from . import _control, _openapi
from ._data import WEBHOOK_EVENTS, preset_body
from ._routes import serves
from ._schema import body_keys, query_names
from ._seed import baseline_body, data, seed
from .conftest import ACCOUNT_ID, API_PREFIX, APP_ID, AUTH, BASE_URL, make_config

REQUESTS_PER_GROUP = 200
# A little over the 200 required, in case Hypothesis stops early; RTK_FUZZ_EXAMPLES=2000 for a long hunt.
EXAMPLES_PER_GROUP = int(os.environ.get("RTK_FUZZ_EXAMPLES", "240"))
MAX_BODY_BYTES = 64 * 1024  # the emulator's limit in this test (configured below), to keep huge bodies cheap

GROUPS: dict[str, Callable[[_openapi.Operation], bool]] = {
    "apps": lambda op: "Apps" in op.tags,
    "meetings": lambda op: "Meetings" in op.tags and "/participants" not in op.path,
    "participants": lambda op: "Meetings" in op.tags and "/participants" in op.path,
    "active_session": lambda op: "Active session" in op.tags,
    "presets": lambda op: "Presets" in op.tags,
    "sessions": lambda op: "Sessions" in op.tags,
    "recordings": lambda op: "Recordings" in op.tags,
    "livestreams": lambda op: "Live streams" in op.tags or "LivestreamAnalytics" in op.tags,
    "analytics": lambda op: op.tags == ("Analytics",),
    "webhooks": lambda op: "Webhooks" in op.tags,
}


def group_operations(group: str) -> list[_openapi.Operation]:
    return [op for op in _openapi.operations() if GROUPS[group](op)]


def test_groups_partition_the_openapi() -> None:
    seen = Counter(op.operation_id for group in GROUPS for op in group_operations(group))
    assert set(seen) == {op.operation_id for op in _openapi.operations()}
    assert all(count == 1 for count in seen.values()), seen


# --- strategies -----------------------------------------------------------------------------------

UNKNOWN_ID = "00000000-0000-4000-8000-0000000000ff"

JUNK_STRINGS = [
    "",
    " ",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "ACTIVE",
    "inactive",
    "2026-13-45T99:00:00Z",
    "1970-01-01",
    "javascript:alert(1)",
    "https://",
    "-1",
    "1e309",
    "NaN",
    "null",
    "true",
    "\x00",
    "é😀",
    "../../etc/passwd",
    "'; DROP TABLE meetings; --",
    "\ud800",  # a lone surrogate: valid JSON (escaped), not encodable as UTF-8
    "x\udfffy",
    "%s%n",
    "a" * 300,
]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


URL_JUNK_STRINGS = [j for j in JUNK_STRINGS if _encodable(j)]  # surrogates cannot go in a URL

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(JUNK_STRINGS),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
nasty_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=3),
    st.dictionaries(st.sampled_from(["a", "enabled", "width", "0"]), json_scalars, max_size=3),
    st.just("x" * 5000),
    st.just([UNKNOWN_ID] * 150),
)

MALFORMED = [
    b"{",
    b'{"title": ',
    b'{"title": "x",}',
    b"{'title': 'x'}",
    b"\xff\xfe\x00",
    b"NaN",
    b'{"a": Infinity}',
    b'{"name": "\\ud800"}',
    b"[" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"",
    b"null",
    b'"just a string"',
    b"12",
]


@dataclass
class FuzzRequest:
    """One generated request."""

    kind: str
    operation_id: str
    method: str
    path: str
    params: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    content: bytes | None = None
    content_type: str | None = "application/json"

    def describe(self) -> str:
        shown = (self.content or b"")[:300]
        return f"[{self.kind}] {self.method} {self.path} params={self.params[:6]} body={shown!r}"


def _set_path(body: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest and isinstance(body.get(head), dict):
        _set_path(body[head], rest, value)
    else:
        body[head] = value


def _drop_path(body: dict[str, Any], dotted: str) -> None:
    head, _, rest = dotted.partition(".")
    if rest and isinstance(body.get(head), dict):
        _drop_path(body[head], rest)
    else:
        body.pop(head, None)


def _dump(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


@st.composite
def bodies(
    draw: st.DrawFn, op: _openapi.Operation, baseline: dict[str, Any] | None
) -> tuple[str, bytes | None, str | None]:
    keys = body_keys(op)
    choices = ["json", "malformed", "huge", "content-type", "none"]
    if baseline is not None:
        choices = ["mutated", "mutated", "mutated", "schema-keys", "valid", *choices]
    elif keys:
        choices = ["schema-keys", *choices]
    kind = draw(st.sampled_from(choices))
    if kind == "mutated":
        assert baseline is not None
        body = json.loads(json.dumps(baseline))
        for _ in range(draw(st.integers(1, 3))):
            target = draw(st.sampled_from(keys or ["title"]))
            action = draw(st.sampled_from(["drop", "wrong", "wrong", "unknown"]))
            if action == "drop":
                _drop_path(body, target)
            elif action == "wrong":
                _set_path(body, target, draw(nasty_values))
            else:
                body[draw(st.text(min_size=1, max_size=10))] = draw(json_scalars)
        return kind, _dump(body), "application/json"
    if kind == "schema-keys":
        chosen = draw(st.lists(st.sampled_from(keys or ["name"]), max_size=5, unique=True))
        body = {}
        for key in chosen:
            _set_path(body, key, draw(nasty_values))
        return kind, _dump(body), "application/json"
    if kind == "valid":
        return kind, _dump(baseline), "application/json"
    if kind == "json":
        return kind, _dump(draw(json_values)), "application/json"
    if kind == "malformed":
        return kind, draw(st.sampled_from(MALFORMED)), "application/json"
    if kind == "huge":
        filler = draw(st.sampled_from(["title", "name", "question", "custom_participant_id"]))
        size = MAX_BODY_BYTES + draw(st.integers(1, 4096))
        return kind, b'{"' + filler.encode() + b'": "' + b"a" * size + b'"}', "application/json"
    if kind == "content-type":
        content_type = draw(
            st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
        )
        payload = draw(st.sampled_from([b"name=x&title=y", b"hello", _dump(baseline or {"name": "x"})]))
        return kind, payload, content_type
    return kind, None, None


path_junk = st.one_of(
    st.uuids(version=4).map(str),
    st.sampled_from([*URL_JUNK_STRINGS[:-1], "a" * 2000]),
    st.text(min_size=1, max_size=40),
)

query_junk = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(URL_JUNK_STRINGS),
    st.text(max_size=20),
    st.sampled_from(
        ["0", "1", "200", "201", "true", "false", "ASC", "DESC", "DSC", "LIVE", "ENDED", "UPLOADED,ERRORED"]
    ),
)


@st.composite
def requests_for(
    draw: st.DrawFn, ops: list[_openapi.Operation], ids: dict[str, list[str]], preset_name: str
) -> FuzzRequest:
    op = draw(st.sampled_from(ops))
    segments = []
    path_kind = "real-ids"
    for part in op.path.strip("/").split("/"):
        if not part.startswith("{"):
            segments.append(part)
            continue
        name = part[1:-1]
        if name == "account_id":
            value = ACCOUNT_ID if draw(st.integers(0, 19)) else draw(path_junk)
        elif name == "app_id" and op.path.endswith("/apps/{app_id}"):
            value = APP_ID if draw(st.booleans()) else draw(path_junk)
        elif name == "app_id":
            value = APP_ID if draw(st.integers(0, 19)) else draw(path_junk)
        elif ids.get(name) and draw(st.integers(0, 4)):
            value = draw(st.sampled_from(ids[name]))
        else:
            value = draw(path_junk)
            path_kind = "junk-ids"
        segments.append(quote(value, safe=""))
    path = "/client/v4/" + "/".join(segments)

    params: list[tuple[str, str | int | float | bool | None]] = []
    names = query_names(op)
    for name in draw(st.lists(st.sampled_from(names or ["page_no"]), max_size=4)):
        params.append((name, draw(query_junk)))
    if draw(st.integers(0, 9)) == 0:
        params.append((draw(st.text(min_size=1, max_size=10)), draw(query_junk)))

    kind, content, content_type = draw(bodies(op, baseline_body(op, ids, preset_name)))
    if op.method in ("GET", "DELETE") and kind not in ("malformed", "huge"):
        content, content_type = None, None  # GET/DELETE bodies only to probe parsing and the size limit
    return FuzzRequest(
        kind=f"{path_kind}/{kind}" + ("/query" if params else ""),
        operation_id=op.operation_id,
        method=op.method,
        path=path,
        params=params,
        content=content,
        content_type=content_type,
    )


# --- the seeded emulator ----------------------------------------------------------------------------


def replenish(client: TestClient, ids: dict[str, list[str]], preset_name: str, request: FuzzRequest) -> None:
    """After a generated request deleted or ended something, create a replacement.

    Keeps the pools of real ids useful for the rest of the run (otherwise one early DELETE or
    kick-all turns every later request into a 404).
    """
    p = API_PREFIX
    target = request.path.rsplit("/", 1)[-1]
    if request.operation_id == "delete-presets-preset_id":
        ids["preset_id"].remove(target)
        name = f"fuzz_refill_{len(ids['preset_id'])}_{target[:8]}"
        ids["preset_id"].append(data(client.post(f"{p}/presets", json=preset_body(name)))["id"])
    elif request.operation_id == "deleteWebhook":
        ids["webhook_id"].remove(target)
        body = {"name": "refill", "url": "https://hooks.example.com/r", "events": WEBHOOK_EVENTS}
        ids["webhook_id"].append(data(client.post(f"{p}/webhooks", json=body))["id"])
    elif request.operation_id == "delete_meeting_participant":
        ids["participant_id"].remove(target)
        body = {"custom_participant_id": f"refill-{target[:8]}", "preset_name": preset_name}
        added = client.post(f"{p}/meetings/{ids['meeting_id'][0]}/participants", json=body)
        if added.is_success:  # the preset may have been deleted by an earlier request
            ids["participant_id"].append(added.json()["data"]["id"])
    elif request.operation_id == "KickAllParticipants" and ids["meeting_id"][0] in request.path:
        seeded = _control.start_session_sync(client, ids["meeting_id"][0], [])
        ids["session_id"].append(seeded.session_id)
        ids["peer_id"].extend(seeded.peer_ids.values())


@pytest.fixture
def fuzz_client() -> Iterator[TestClient]:
    from realtimekit_mcp.emulator import create_app

    app = create_app(make_config(max_body_bytes=MAX_BODY_BYTES))
    with TestClient(app, base_url=BASE_URL, headers=AUTH, raise_server_exceptions=False) as client:
        yield client


def check_answer(request: FuzzRequest, response: Any) -> None:
    """``response`` (an httpx-style response) is a 2xx success or a 4xx RealtimeKit error envelope."""
    where = f"{request.describe()} -> {response.status_code} {response.text[:300]!r}"
    assert response.status_code < 500, f"5xx: {where}"
    body = response.json()  # every answer is JSON
    assert isinstance(body, dict), where
    if response.status_code >= 400:
        assert body.get("success") is False, where
        error = body.get("error")
        assert isinstance(error, dict), where
        assert error.get("code") == response.status_code, where
        assert isinstance(error.get("message"), str) and error["message"], where
    else:
        assert 200 <= response.status_code < 300, where
        assert body.get("success") is True, where


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_bad_input_never_gets_a_5xx(group: str, fuzz_client: TestClient) -> None:
    ids, preset_name = seed(fuzz_client)
    ops = group_operations(group)
    served = [op for op in ops if serves(fuzz_client.app, op)]
    assert served, f"no operation of {group} is served"
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    per_operation = max(5, -(-EXAMPLES_PER_GROUP // len(served)))  # ceil: the group still gets >= 240

    probe_settings = settings(
        max_examples=per_operation,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )

    def probe(request: FuzzRequest) -> None:
        headers = {"content-type": request.content_type} if request.content_type else {}
        response = fuzz_client.request(
            request.method, request.path, params=request.params, content=request.content, headers=headers
        )
        sent[request.operation_id] += 1
        statuses[response.status_code] += 1
        by_kind[f"{request.kind.split('/')[1]}:{response.status_code}"] += 1
        if os.environ.get("FUZZ_TRACE") and request.kind.split("/")[1] == os.environ["FUZZ_TRACE"]:
            print(request.describe()[:200], response.status_code, response.text[:200])
        check_answer(request, response)
        if response.is_success and request.method in ("DELETE", "POST"):
            replenish(fuzz_client, ids, preset_name, request)

    # Each operation gets its own share of the examples, so the per-operation minimum does not hang on
    # how one random stream happens to spread over the group.
    for op in served:
        probe_settings(given(request=requests_for([op], ids, preset_name))(probe))()
    total = sum(sent.values())
    print(f"\n{group}: {total} requests, statuses {dict(sorted(statuses.items()))}")
    print(f"  by body kind: {dict(sorted(by_kind.items()))}")
    assert total >= REQUESTS_PER_GROUP, (total, sent)
    assert all(sent[op.operation_id] >= 5 for op in served), sent
    assert not any(status >= 500 for status in statuses)
