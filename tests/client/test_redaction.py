"""A canary API token never appears in error text, reprs, tracebacks or log records."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx

from realtimekit_mcp.client import RealtimeKitClient, errors
from tests.client._helpers import P, VirtualClock, make_client

pytestmark = pytest.mark.anyio

CANARY = "CANARY-cf-token-9d1e5c7b3a"
PARTICIPANT_CANARY = "eyJCANARYparticipant.token.value"
KEY_CANARY = "CANARY-global-key-77aa1"


def _err(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"success": False, "error": {"code": status, "message": message}})


def _raise(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


ANSWERS: list[httpx.Response | Exception] = [
    *(_err(s, f"token {CANARY} rejected") for s in (400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504)),
    httpx.Response(403, json={"success": False, "errors": [{"code": 10000, "message": f"bad {CANARY}"}]}),
    httpx.Response(401, json={"message": f"Unauthorized {CANARY}"}),
    httpx.Response(502, text=f"<html>{CANARY}</html>"),
    httpx.Response(200, text=f"not json {CANARY}"),
    httpx.Response(200, json={"success": True, "data": {"title": CANARY}}),  # no id: format error
    httpx.Response(200, json={"success": False, "error": {"code": 404, "message": CANARY}}),
    httpx.Response(
        429,
        headers={"retry-after": "999"},
        json={"success": False, "error": {"code": 429, "message": CANARY}},
    ),
    httpx.ConnectError(f"connect failed {CANARY}"),
    httpx.ReadError(f"reset {CANARY}"),
    httpx.ReadTimeout(f"timeout {CANARY}"),
    httpx.RemoteProtocolError(f"protocol {CANARY}"),
]


def _leaks(text: str) -> bool:
    return CANARY in text or PARTICIPANT_CANARY in text or KEY_CANARY in text


def _check(err: BaseException) -> None:
    assert not _leaks(str(err)), str(err)
    assert not _leaks(repr(err)), repr(err)
    assert not _leaks("".join(traceback.format_exception(err)))


@pytest.mark.parametrize(
    "answer", ANSWERS, ids=lambda a: type(a).__name__ + str(getattr(a, "status_code", ""))
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_canary_token_never_leaks_through_any_error_path(
    router: respx.Router,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
    answer: httpx.Response | Exception,
    method: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    if isinstance(answer, Exception):
        router.route().mock(side_effect=_raise(answer))
    else:
        router.route().mock(return_value=answer)
    calls: dict[str, Callable[[RealtimeKitClient], Awaitable[object]]] = {
        "GET": lambda c: c.meetings.get("m-1"),
        "POST": lambda c: c.meetings.create(title="t"),
    }
    client = make_client(router, clock, api_token=CANARY)
    async with client:
        with pytest.raises(errors.RealtimeKitError) as info:
            await calls[method](client)
        _check(info.value)
        assert not _leaks(repr(client))
        assert not _leaks(repr(client.meetings)) and not _leaks(repr(client._http))
    for record in caplog.records:
        assert not _leaks(record.getMessage())
        assert not _leaks(str(record.args))


async def test_canary_global_key_never_leaks(
    router: respx.Router, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    router.route().mock(return_value=_err(403, f"key {KEY_CANARY} lacks permission"))
    client = make_client(router, clock, api_token=None, api_email="me@example.com", api_key=KEY_CANARY)
    async with client:
        with pytest.raises(errors.PermissionDeniedError) as info:
            await client.meetings.list()
        _check(info.value)
        assert not _leaks(repr(client))
    assert all(not _leaks(r.getMessage()) for r in caplog.records)


async def test_participant_tokens_are_hidden_from_reprs_and_errors(
    router: respx.Router, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = {"id": "p-1", "custom_participant_id": "alice", "preset_name": "host", "token": PARTICIPANT_CANARY}
    router.post(f"{P}/meetings/m-1/participants").mock(
        return_value=httpx.Response(201, json={"success": True, "data": data})
    )
    router.get(f"{P}/meetings/m-1/participants/p-1").mock(
        return_value=_err(404, f"{PARTICIPANT_CANARY} unknown")
    )
    async with make_client(router, clock, api_token=CANARY) as client:
        participant = await client.participants.add("m-1", "alice", "host")
        assert participant.token == PARTICIPANT_CANARY  # still usable
        assert not _leaks(repr(participant)) and not _leaks(str(participant))
        with pytest.raises(errors.NotFoundError) as info:
            await client.participants.get("m-1", "p-1")
        _check(info.value)
    assert all(not _leaks(r.getMessage()) for r in caplog.records)


async def test_storage_credentials_are_not_echoed_by_validation_errors(client: RealtimeKitClient) -> None:
    secret = "CANARY-storage-secret-1234"
    with pytest.raises(errors.RequestValidationError) as info:
        await client.recordings.start(
            "m-1", storage_config={"type": "aws", "bucket": "b", "secret": secret, "port": "not-a-port"}
        )
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert "port" in str(info.value)


def test_redact_masks_nested_secrets_whole_and_skips_longer_ones() -> None:
    from realtimekit_mcp._redact import redact, register_secret

    inner, outer = "CANARY-inner-5f3a", "CANARY-inner-5f3a-outer-91c2"
    register_secret(inner)
    register_secret(outer)
    register_secret("CANARY-" + "x" * 400)  # longer than the text: cannot occur, must not break it
    assert redact(f"a {outer} b {inner} c") == "a [REDACTED] b [REDACTED] c"
    register_secret("CANARY-late-7d20")  # registered after a call: still masked
    assert redact("token CANARY-late-7d20") == "token [REDACTED]"
