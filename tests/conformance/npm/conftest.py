"""Fixtures for byte conformance with the official npm SDK (@cloudflare/realtimekit 2.0.2)."""

from __future__ import annotations

import pytest

from ._bridge import OfficialSDK, install_official_sdk


@pytest.fixture(scope="session")
def official_sdk() -> OfficialSDK:
    """The installed official SDK bundle (installed on first use into .cache/npm-conformance/)."""
    return install_official_sdk()
