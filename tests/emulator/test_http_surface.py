"""Auth, routing, envelopes, body limits and malformed input on the REST surface."""

from __future__ import annotations

import httpx
import pytest

from realtimekit_mcp.emulator import create_app

from .conftest import ACCOUNT, API, APP, APPS, TOKEN, Emu, make_config

pytestmark = pytest.mark.anyio

GATEWAY_AUTH_ERROR = {
    "success": False,
    "errors": [{"code": 10000, "message": "Authentication error"}],
    "messages": [],
    "result": None,
}


async def test_missing_token_gets_cloudflare_gateway_auth_error(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/meetings", headers={"Authorization": ""})
    assert r.status_code == 401
    assert r.json() == GATEWAY_AUTH_ERROR


async def test_wrong_bearer_token_is_rejected_and_not_echoed(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/meetings", headers={"Authorization": "Bearer wrong-token-123"})
    assert r.status_code == 401
    assert "wrong-token-123" not in r.text
    assert TOKEN not in r.text


async def test_email_and_key_headers_are_accepted(emu: Emu) -> None:
    headers = {"Authorization": "", "X-Auth-Email": "dev@example.com", "X-Auth-Key": TOKEN}
    r = await emu.client.get(f"{API}/meetings", headers=headers)
    assert r.status_code == 200


async def test_key_without_email_is_rejected(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/meetings", headers={"Authorization": "", "X-Auth-Key": TOKEN})
    assert r.status_code == 401


async def test_unknown_account_is_403_in_the_realtimekit_envelope(emu: Emu) -> None:
    r = await emu.client.get(f"/client/v4/accounts/{'f' * 32}/realtime/kit/{APP}/meetings")
    assert r.status_code == 403
    body = r.json()
    assert body["success"] is False and body["error"]["code"] == 403
    assert "ffff" in body["error"]["message"]


async def test_unknown_app_is_404_naming_the_app(emu: Emu) -> None:
    other = "00000000-0000-4000-8000-000000000000"
    r = await emu.client.get(f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{other}/meetings")
    assert r.status_code == 404
    assert r.json() == {"success": False, "error": {"code": 404, "message": f"App {other} not found"}}


async def test_unknown_route_is_404_in_the_envelope(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/no-such-thing")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == 404


async def test_wrong_method_is_405_in_the_envelope(emu: Emu) -> None:
    r = await emu.client.delete(f"{API}/meetings")
    assert r.status_code == 405
    assert r.json()["success"] is False
    assert r.json()["error"]["code"] == 405


async def test_malformed_json_is_400(emu: Emu) -> None:
    r = await emu.client.post(
        f"{API}/meetings", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Request body is not valid JSON"


async def test_non_object_body_is_400(emu: Emu) -> None:
    r = await emu.client.post(f"{API}/meetings", json=[1, 2])
    assert r.status_code == 400
    assert r.json()["error"]["message"] == '"value" must be of type object'


async def test_body_over_the_limit_is_413() -> None:
    app = create_app(make_config(max_body_bytes=1000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://e", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        r = await client.post(f"{API}/meetings", json={"title": "x" * 2000})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == 413

        async def chunks():  # no content-length: the limit applies while streaming
            for _ in range(5):
                yield b" " * 400

        r = await client.post(f"{API}/meetings", content=chunks())
        assert r.status_code == 413


async def test_non_uuid_ids_are_400_naming_the_parameter(emu: Emu) -> None:
    r = await emu.client.get(f"{API}/meetings/not-a-uuid")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == '"meeting_id" must be a valid GUID'
    r = await emu.client.get(f"{API}/presets/123")
    assert r.json()["error"]["message"] == '"preset_id" must be a valid GUID'


async def test_unknown_uuid_ids_are_404(emu: Emu) -> None:
    missing = "5f0c6f1e-8d9b-4a51-9a43-1c2d3e4f5a6b"
    for path in (
        f"/meetings/{missing}",
        f"/presets/{missing}",
        f"/sessions/{missing}",
        f"/recordings/{missing}",
        f"/webhooks/{missing}",
        f"/livestreams/{missing}",
        f"/meetings/{missing}/participants",
    ):
        r = await emu.client.get(API + path)
        assert r.status_code == 404, path
        assert r.json()["success"] is False


async def test_bad_query_values_are_400_not_500(emu: Emu) -> None:
    cases = {
        "/meetings?page_no=abc": '"page_no" must be a number',
        "/meetings?per_page=-1": '"per_page" must be greater than or equal to 0',
        "/meetings?status=OPEN": '"status" must be one of [ACTIVE, INACTIVE]',
        "/meetings?start_time=yesterday": '"start_time" must be a valid date',
        "/recordings?status=DONE": '"status" must be one of [INVOKED, RECORDING, UPLOADING, UPLOADED, ERRORED, PAUSED]',
        "/analytics/daywise?start_date=2026-13-01": '"start_date" must be in YYYY-MM-DD format',
        "/sessions?participants=a:b": '"participants" must be a range like "1:10"',
    }
    for path, message in cases.items():
        r = await emu.client.get(API + path)
        assert r.status_code == 400, path
        assert r.json()["error"]["message"] == message


async def test_apps_list_and_create(emu: Emu) -> None:
    r = await emu.client.get(APPS)
    assert r.status_code == 200
    assert [a["id"] for a in r.json()["data"]] == [APP]
    r = await emu.client.post(APPS, json={"name": "second"})
    assert r.status_code == 200
    new = r.json()["data"]["app"]
    assert new["name"] == "second"
    r = await emu.client.get(f"{APPS}/{new['id']}")
    assert r.json()["data"]["name"] == "second"
    # a new app gets the default presets too
    r = await emu.client.get(f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{new['id']}/presets")
    assert r.json()["paging"]["total_count"] == 8
    r = await emu.client.post(APPS, json={})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == '"name" is required'


async def test_unexpected_exceptions_become_a_500_envelope(emu: Emu, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(emu.backend, "list_meetings", boom)
    r = await emu.client.get(f"{API}/meetings")
    assert r.status_code == 500
    assert r.json() == {"success": False, "error": {"code": 500, "message": "Internal emulator error"}}


async def test_deeply_nested_bodies_are_400(emu: Emu) -> None:
    preset = (await emu.client.get(f"{API}/presets")).json()["data"][0]["id"]
    body = "{}"
    for _ in range(500):
        body = '{"a": ' + body + "}"
    r = await emu.client.patch(
        f"{API}/presets/{preset}",
        content='{"config": ' + body + "}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Request body is nested more than 32 levels deep"


async def test_lone_surrogates_are_400_and_never_stored(emu: Emu) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    url = f"{API}/meetings/{m['id']}/participants/{p['id']}"
    r = await emu.client.patch(
        url, content=b'{"name": "\\ud800"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"] == '"name" must be valid unicode'
    r = await emu.client.post(
        f"{API}/meetings", content=b'{"\\udfff": 1}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    r = await emu.client.get(f"{API}/meetings/{m['id']}/participants")
    assert r.status_code == 200


async def test_unexpected_error_logs_never_contain_tokens(
    emu: Emu, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    m = await emu.create_meeting()
    p = await emu.add_participant(m["id"])
    secret = p["token"]

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"failed while holding {secret} and {TOKEN}")

    monkeypatch.setattr(emu.backend, "get_meeting", boom)
    r = await emu.client.get(f"{API}/meetings/{m['id']}")
    assert r.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged
    assert secret not in logged and TOKEN not in logged


async def test_paging_minimums_follow_the_openapi(emu: Emu) -> None:
    r = await emu.client.get(APPS, params={"page_no": 0})
    assert r.json()["error"]["message"] == '"page_no" must be greater than or equal to 1'
    r = await emu.client.get(APPS, params={"per_page": 0})
    assert r.status_code == 400
    r = await emu.client.get(f"{API}/meetings", params={"per_page": "1.5"})
    assert r.json()["error"]["message"] == '"per_page" must be an integer'
    m = await emu.create_meeting()
    seed = await emu.seed(m["id"])
    r = await emu.client.get(f"{API}/sessions/{seed['session']['id']}/participants", params={"per_page": 0})
    assert r.json()["error"]["message"] == '"per_page" must be greater than or equal to 1'
