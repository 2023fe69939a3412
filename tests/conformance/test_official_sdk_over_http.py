"""The official SDK with its own default HTTP client, against a real emulator socket (127.0.0.1:0).

The in-process tests inject an ``httpx.AsyncClient`` with ``ASGITransport``; this one is what a user
does after ``realtimekit-mcp emulator``: only ``base_url`` and ``api_token`` change. Download URLs
the emulator hands out must point back at the same server and be fetchable without the API token.
"""

from __future__ import annotations

import csv
import io

import cloudflare
import httpx
import pytest

from realtimekit_mcp.emulator.server import run_emulator

from .conftest import make_config

pytestmark = pytest.mark.anyio


async def test_the_sdk_works_against_a_standalone_emulator_over_loopback() -> None:
    async with run_emulator(make_config(public_base_url=None), port=0) as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        async with cloudflare.AsyncCloudflare(
            api_token=running.api_token, base_url=running.base_url, max_retries=0
        ) as sdk:
            meeting = await sdk.realtime_kit.meetings.create(
                running.app_id, account_id=running.account_id, title="Over HTTP", transcribe_on_end=True
            )
            assert meeting.data is not None
            presets = await sdk.realtime_kit.presets.get(running.app_id, account_id=running.account_id)
            added = await sdk.realtime_kit.meetings.add_participant(
                meeting.data.id,
                account_id=running.account_id,
                app_id=running.app_id,
                custom_participant_id="remote",
                preset_name=presets.data[0].name or "group_call_host",
                name="Remote",
            )
            assert added.data is not None and added.data.token.startswith("eyJ")

            async with httpx.AsyncClient(base_url=running.origin) as plain:
                seeded = await plain.post(
                    "/_emulator/sessions",
                    json={
                        "meeting_id": meeting.data.id,
                        "participants": [{"participant_id": added.data.id}],
                        "transcript": [{"participant": added.data.id, "text": "over the wire"}],
                        "end": True,
                    },
                )
                assert seeded.status_code == 200, seeded.text
                session_id = seeded.json()["data"]["session"]["id"]

                transcript = await sdk.realtime_kit.sessions.get_session_transcripts(
                    session_id, account_id=running.account_id, app_id=running.app_id
                )
                assert transcript.data is not None
                url = transcript.data.transcript_download_url
                assert url.startswith(running.origin + "/"), url
                downloaded = await plain.get(url)  # no Authorization header: the URL is signed
                assert downloaded.status_code == 200
                rows = list(csv.reader(io.StringIO(downloaded.text)))
                assert any(row[-1] == "over the wire" and row[2] == added.data.id for row in rows), rows
