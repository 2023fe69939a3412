"""Verify RealtimeKit webhook signatures in your own receiver.

RealtimeKit (Cloudflare's, and the emulator shipped with this package) signs every webhook
delivery with one global RSA key: the ``rtk-signature`` header is the base64 RSASSA-PKCS1-v1_5
SHA-256 signature of the **raw request body bytes**. The public key (SPKI PEM) is served at
``<origin>/.well-known/webhooks.json`` (Cloudflare: ``https://api.realtime.cloudflare.com``;
the emulator: its own origin, e.g. ``http://127.0.0.1:8787``).

Verify before parsing, and never re-serialise the body before verifying. Example receiver
(Starlette; FastAPI is the same with ``Request``)::

    import json

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from realtimekit_mcp.webhook_signature import (
        InvalidWebhookSignature, fetch_public_key, verify_webhook)

    PUBLIC_KEY: str | None = None

    async def webhook(request: Request) -> Response:
        global PUBLIC_KEY
        if PUBLIC_KEY is None:  # fetch once, then reuse: the key is global, not per webhook
            PUBLIC_KEY = await fetch_public_key("http://127.0.0.1:8787")
        body = await request.body()
        try:
            verify_webhook(body, request.headers.get("rtk-signature"), PUBLIC_KEY)
        except InvalidWebhookSignature:
            return Response(status_code=401)
        event = json.loads(body)
        # de-duplicate on request.headers["rtk-uuid"], then handle event["event"] ...
        return Response(status_code=204)

    app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])

Answer quickly with a 2xx: any 5xx (or a network error) makes the sender retry, other non-2xx
codes mark the delivery failed without retry.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CLOUDFLARE_WEBHOOKS_ORIGIN",
    "PUBLIC_KEY_PATH",
    "InvalidWebhookSignature",
    "fetch_public_key",
    "load_public_key",
    "verify_webhook",
]

#: Where Cloudflare RealtimeKit publishes its webhook public key.
CLOUDFLARE_WEBHOOKS_ORIGIN = "https://api.realtime.cloudflare.com"
#: Path of the public key document on any RealtimeKit origin (Cloudflare or emulator).
PUBLIC_KEY_PATH = "/.well-known/webhooks.json"


class InvalidWebhookSignature(Exception):
    """The ``rtk-signature`` header is missing, malformed, or does not match the body and key."""


def load_public_key(public_key_pem: str | bytes) -> rsa.RSAPublicKey:
    """Parse an SPKI PEM public key (as served in ``webhooks.json``) into an RSA public key.

    Raises ``ValueError`` when the text is not an RSA public key in PEM form.
    """
    data = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a PEM-encoded public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the webhook public key must be an RSA key")
    return key


def verify_webhook(
    body: bytes,
    signature: str | None,
    public_key_pem: str | bytes | rsa.RSAPublicKey,
) -> None:
    """Check that ``signature`` (the ``rtk-signature`` header) signs ``body`` under the RealtimeKit key.

    ``body`` must be the raw request body bytes exactly as received. ``public_key_pem`` is the
    ``data.publicKey`` PEM from ``/.well-known/webhooks.json`` (or an already loaded key, to avoid
    re-parsing it per request). Returns ``None`` when the signature is valid.

    Raises ``InvalidWebhookSignature`` when the header is missing, is not base64, or does not
    verify; ``ValueError`` when ``public_key_pem`` is not an RSA public key.
    """
    key = public_key_pem if isinstance(public_key_pem, rsa.RSAPublicKey) else load_public_key(public_key_pem)
    if not signature:
        raise InvalidWebhookSignature("missing rtk-signature header")
    try:
        raw_signature = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidWebhookSignature("rtk-signature is not valid base64") from exc
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("body must be the raw request bytes, not a parsed or decoded value")
    try:
        key.verify(raw_signature, bytes(body), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise InvalidWebhookSignature("rtk-signature does not match the request body") from exc


def _key_url(base_url: str) -> str:
    """The ``webhooks.json`` URL at the origin of ``base_url`` (any path in ``base_url`` is ignored)."""
    import httpx

    url = httpx.URL(base_url)
    if url.path.endswith(PUBLIC_KEY_PATH):
        return str(url.copy_with(query=None, fragment=None))
    return str(url.copy_with(path=PUBLIC_KEY_PATH, query=None, fragment=None))


async def fetch_public_key(
    base_url: str = CLOUDFLARE_WEBHOOKS_ORIGIN,
    http_client: httpx.AsyncClient | None = None,
) -> str:
    """Fetch the webhook public key PEM from ``<origin of base_url>/.well-known/webhooks.json``.

    ``base_url`` may be an origin (``http://127.0.0.1:8787``), an API base URL
    (``http://127.0.0.1:8787/client/v4``: only its origin is used) or the full ``webhooks.json`` URL.
    Pass ``http_client`` to reuse a client (for example one with an ``ASGITransport`` to an
    in-process emulator); without one, a client with a 10 s timeout is used. The returned PEM is checked to be an RSA public key.

    Raises ``httpx.HTTPError`` on transport errors or a non-2xx answer, ``ValueError`` when the
    document does not carry a usable key.
    """
    import httpx

    url = _key_url(base_url)
    if http_client is None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(url)
    else:
        response = await http_client.get(url)
    response.raise_for_status()
    try:
        document = response.json()
        pem = document["data"]["publicKey"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{url} did not return a webhooks.json document with data.publicKey") from exc
    if not isinstance(pem, str):
        raise ValueError(f"{url}: data.publicKey is not a string")
    load_public_key(pem)  # fail here, not at the first delivery
    return pem
