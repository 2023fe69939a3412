"""The public webhook signature helper verifies what the emulator (and Cloudflare) sign."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette

from realtimekit_mcp.emulator.webhooks import WebhookDispatcher, WebhookSigningKey, webhook_routes
from realtimekit_mcp.webhook_signature import (
    InvalidWebhookSignature,
    fetch_public_key,
    load_public_key,
    verify_webhook,
)


@pytest.fixture(scope="module")
def key() -> WebhookSigningKey:
    return WebhookSigningKey.generate()


@pytest.fixture(scope="module")
def other_key() -> WebhookSigningKey:
    return WebhookSigningKey.generate()


BODY = json.dumps({"event": "meeting.started", "meeting": {"id": "m-1", "title": "Stand-up"}}).encode()


def test_a_signature_made_by_the_emulator_key_verifies(key: WebhookSigningKey) -> None:
    verify_webhook(BODY, key.sign(BODY), key.public_key_pem)
    verify_webhook(BODY, key.sign(BODY), key.public_key_pem.encode())
    verify_webhook(BODY, key.sign(BODY), load_public_key(key.public_key_pem))


def test_the_signature_is_pkcs1v15_sha256_of_the_raw_bytes(key: WebhookSigningKey) -> None:
    # RSA-2048 PKCS#1 v1.5 signatures are deterministic and 256 bytes long.
    signature = key.sign(BODY)
    assert len(base64.b64decode(signature)) == 256
    assert key.sign(BODY) == signature


@pytest.mark.parametrize(
    "tampered",
    [
        BODY.replace(b"Stand-up", b"Stand-uq"),
        BODY + b" ",
        json.dumps(json.loads(BODY), indent=2).encode(),  # same JSON, re-serialised
        b"",
    ],
    ids=["one-byte", "trailing-space", "re-serialised", "empty"],
)
def test_a_tampered_body_is_rejected(key: WebhookSigningKey, tampered: bytes) -> None:
    with pytest.raises(InvalidWebhookSignature, match="does not match"):
        verify_webhook(tampered, key.sign(BODY), key.public_key_pem)


def test_a_signature_from_another_key_is_rejected(
    key: WebhookSigningKey, other_key: WebhookSigningKey
) -> None:
    with pytest.raises(InvalidWebhookSignature):
        verify_webhook(BODY, other_key.sign(BODY), key.public_key_pem)


@pytest.mark.parametrize(
    "header", [None, "", "not base64 !!", "QUJD"], ids=["none", "empty", "junk", "short"]
)
def test_missing_or_malformed_headers_are_rejected(key: WebhookSigningKey, header: str | None) -> None:
    with pytest.raises(InvalidWebhookSignature):
        verify_webhook(BODY, header, key.public_key_pem)


def test_a_decoded_body_is_refused_rather_than_guessed(key: WebhookSigningKey) -> None:
    with pytest.raises(TypeError, match="raw request bytes"):
        verify_webhook(BODY.decode(), key.sign(BODY), key.public_key_pem)  # type: ignore[arg-type]


def test_a_non_rsa_or_garbage_key_is_a_value_error(key: WebhookSigningKey) -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ValueError, match="RSA"):
        verify_webhook(BODY, key.sign(BODY), ec_pem)
    with pytest.raises(ValueError, match="PEM"):
        verify_webhook(BODY, key.sign(BODY), "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_the_error_text_never_contains_the_body_or_signature(key: WebhookSigningKey) -> None:
    signature = key.sign(BODY)
    with pytest.raises(InvalidWebhookSignature) as caught:
        verify_webhook(BODY + b"x", signature, key.public_key_pem)
    assert signature not in str(caught.value)
    assert "Stand-up" not in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "base_url",
    [
        "http://emulator.local",
        "http://emulator.local/client/v4",
        "http://emulator.local/.well-known/webhooks.json",
    ],
)
async def test_fetch_public_key_reads_the_well_known_document(key: WebhookSigningKey, base_url: str) -> None:
    app = Starlette(routes=webhook_routes(WebhookDispatcher(key, lambda event, payload: [])))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        pem = await fetch_public_key(base_url, http_client=client)
    assert pem == key.public_key_pem
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    verify_webhook(BODY, key.sign(BODY), pem)


@pytest.mark.anyio
async def test_fetch_public_key_rejects_a_document_without_a_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": True, "data": {}, "message": ""})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ValueError, match=r"data\.publicKey"):
            await fetch_public_key("http://emulator.local", http_client=client)


@pytest.mark.anyio
async def test_fetch_public_key_raises_on_http_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"success": False})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(httpx.HTTPStatusError):
            await fetch_public_key("http://emulator.local", http_client=client)
