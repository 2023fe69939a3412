"""Fixtures for server tests: the protocol era under test."""

from __future__ import annotations

import pytest

from tests.server.support import MODES


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Each test runs on the handshake era (legacy) and on 2026-07-28."""
    return str(request.param)
