"""Read-only smoke test against real Cloudflare RealtimeKit (skipped without credentials).

Needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and REALTIMEKIT_APP_ID; run with
``pytest -m cloudflare tests/client``. It only reads (apps, meetings, presets, webhooks, event
names), so it is safe on a production app.
"""

from __future__ import annotations

import os

import pytest

from realtimekit_mcp.client import RealtimeKitClient, errors

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.cloudflare,
    pytest.mark.skipif(
        not all(
            os.environ.get(k) for k in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "REALTIMEKIT_APP_ID")
        ),
        reason="needs CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and REALTIMEKIT_APP_ID",
    ),
]


async def test_read_only_tour_of_real_cloudflare() -> None:
    async with RealtimeKitClient(
        account_id=os.environ["CLOUDFLARE_ACCOUNT_ID"],
        app_id=os.environ["REALTIMEKIT_APP_ID"],
        api_token=os.environ["CLOUDFLARE_API_TOKEN"],
    ) as client:
        app = await client.apps.get()
        assert app.id == os.environ["REALTIMEKIT_APP_ID"]
        await client.meetings.list(per_page=5)
        presets = await client.presets.list(per_page=5)
        assert all(p.name for p in presets.items)
        await client.webhooks.list()
        assert "meeting.started" in await client.webhooks.events()
        # Reference §15.2: the not-found code of meeting routes is UNCONFIRMED (the spec lists only
        # 500); this asserts the likely 404 and will say so if Cloudflare answers otherwise.
        with pytest.raises(errors.NotFoundError):
            await client.meetings.get("00000000-0000-4000-8000-000000000000")
