"""Participant auth tokens: HS256 JWTs whose payload segment is safe for ``atob()``.

RealtimeKit's web SDK decodes the payload with ``atob()`` and no base64url translation, so the
payload segment must contain neither ``-`` nor ``_``: a harmless ``nonce`` claim is varied until it
does not.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

import jwt

TOKEN_LIFETIME = timedelta(days=100)
ALGORITHM = "HS256"


def mint(
    secret: str,
    *,
    meeting_id: str,
    org_id: str,
    participant_id: str,
    preset_id: str | None,
    token_id: str,
    now: datetime,
) -> str:
    """A signed participant token valid for 100 days from ``now``."""
    claims: dict[str, Any] = {
        "meetingId": meeting_id,
        "orgId": org_id,
        "participantId": participant_id,
        "jti": token_id,
        "iat": int(now.timestamp()),
        "exp": int((now + TOKEN_LIFETIME).timestamp()),
    }
    if preset_id is not None:
        claims["presetId"] = preset_id
    for nonce in range(10_000):
        claims["nonce"] = nonce
        token = jwt.encode(claims, secret, algorithm=ALGORITHM)
        payload = token.split(".")[1]
        if "-" not in payload and "_" not in payload:
            return token
    raise RuntimeError("could not mint an atob-safe participant token")  # pragma: no cover


def decode(secret: str, token: str, *, now: datetime) -> dict[str, Any]:
    """Verify signature and expiry (against ``now``) and return the claims; raises ``jwt.PyJWTError``.

    Time claims are checked against the emulator's clock ``now`` only, never the wall clock: after
    ``POST /_emulator/clock/advance`` a token is issued "in the future" of the wall clock.
    """
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        options={
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
            "require": ["exp", "meetingId", "orgId", "participantId"],
        },
    )
    if int(claims["exp"]) <= int(now.timestamp()):
        raise jwt.ExpiredSignatureError("participant token has expired")
    return claims


def unverified_org(token: str) -> str | None:
    """The ``orgId`` claim without verification (to find the app whose secret signs it)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    org = claims.get("orgId")
    return org if isinstance(org, str) else None


def sign_url(secret: str, message: str) -> str:
    """HMAC-SHA256 hex signature used for expiring download URLs."""
    return hmac.new(secret.encode(), message.encode(), "sha256").hexdigest()
