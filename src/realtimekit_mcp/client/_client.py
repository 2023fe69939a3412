"""``RealtimeKitClient``: the entry point that wires the HTTP core to the resource groups."""

from __future__ import annotations

import random
from types import TracebackType

import httpx

from realtimekit_mcp import __version__
from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.client._http import Clock, HTTPCore, RetryPolicy, SystemClock
from realtimekit_mcp.client.active_session import ActiveSessionResource
from realtimekit_mcp.client.analytics import AnalyticsResource
from realtimekit_mcp.client.apps import AppsResource
from realtimekit_mcp.client.livestreams import LivestreamsResource
from realtimekit_mcp.client.meetings import MeetingsResource
from realtimekit_mcp.client.participants import ParticipantsResource
from realtimekit_mcp.client.presets import PresetsResource
from realtimekit_mcp.client.recordings import RecordingsResource
from realtimekit_mcp.client.sessions import SessionsResource
from realtimekit_mcp.client.webhooks import WebhooksResource

__all__ = ["DEFAULT_BASE_URL", "RealtimeKitClient"]

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"


class RealtimeKitClient:
    """Async client for Cloudflare RealtimeKit's REST API (or the local emulator).

    ```python
    async with RealtimeKitClient(account_id=..., app_id=..., api_token=...) as client:
        meeting = await client.meetings.create(title="Stand-up")
        participant = await client.participants.add(meeting.id, "alice", "group_call_host")
    ```

    Parameters:
    - ``account_id``, ``app_id``: the Cloudflare account and RealtimeKit app.
    - ``api_token`` (``Authorization: Bearer``), or ``api_email`` + ``api_key``
      (``X-Auth-Email``/``X-Auth-Key``). Secrets are registered for redaction and never shown.
    - ``base_url``: ``https://api.cloudflare.com/client/v4`` by default; the emulator serves the
      same paths under ``http://127.0.0.1:8787/client/v4``.
    - ``http_client``: an ``httpx.AsyncClient`` to send through (e.g. with
      ``httpx.ASGITransport(app=emulator_app)``); it is not closed by ``aclose``. When omitted the
      client creates and owns one.
    - ``timeout``: seconds (or an ``httpx.Timeout``) per attempt.
    - ``retry_budget``, ``max_retries``: see ``client/_http.py``; GET/PUT/DELETE only.
    - ``clock``, ``rng``: time source and jitter randomness (tests pass virtual ones).
    """

    def __init__(
        self,
        *,
        account_id: str,
        app_id: str,
        api_token: str | None = None,
        api_email: str | None = None,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        http_client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry_budget: float = 10.0,
        max_retries: int = 5,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not account_id:
            raise ValueError("account_id is required")
        if not app_id:
            raise ValueError("app_id is required")
        register_secret(api_token)
        register_secret(api_key)
        headers: dict[str, str]
        if api_token:
            headers = {"Authorization": f"Bearer {api_token}"}
            self._auth_kind = "api_token"
        elif api_email and api_key:
            headers = {"X-Auth-Email": api_email, "X-Auth-Key": api_key}
            self._auth_kind = "api_email+api_key"
        else:
            raise ValueError("give api_token, or api_email together with api_key")
        self._owns_http_client = http_client is None
        self._http_client = http_client or httpx.AsyncClient()
        self.account_id = account_id
        self.app_id = app_id
        self.base_url = base_url.rstrip("/")
        self._http = HTTPCore(
            base_url=self.base_url,
            account_id=account_id,
            app_id=app_id,
            auth_headers=headers,
            http_client=self._http_client,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            policy=RetryPolicy(max_retries=max_retries, budget=retry_budget),
            clock=clock or SystemClock(),
            rng=rng or random.Random(),
            user_agent=f"realtimekit-mcp/{__version__}",
        )
        self.apps = AppsResource(self._http)
        self.meetings = MeetingsResource(self._http)
        self.participants = ParticipantsResource(self._http)
        self.active_session = ActiveSessionResource(self._http)
        self.presets = PresetsResource(self._http)
        self.sessions = SessionsResource(self._http)
        self.recordings = RecordingsResource(self._http)
        self.livestreams = LivestreamsResource(self._http)
        self.analytics = AnalyticsResource(self._http)
        self.webhooks = WebhooksResource(self._http)

    def __repr__(self) -> str:
        return (
            f"RealtimeKitClient(account_id={self.account_id!r}, app_id={self.app_id!r}, "
            f"base_url={self.base_url!r}, auth={self._auth_kind!r})"
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._http.policy

    async def download(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """Fetch a download URL (chat, transcript, summary, recording) and return its bytes.

        Goes through the same ``httpx`` client (so in-process emulator URLs work) with the same
        retries; API credentials are sent only when the URL is on the API's own origin. With
        ``max_bytes``, a larger body raises ``errors.ResponseTooLargeError`` without being kept.
        """
        return await self._http.download(url, max_bytes=max_bytes)

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> RealtimeKitClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
