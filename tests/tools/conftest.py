"""Fixtures: the tools/list of the default and of the full surface, read through the SDK client, and
``live``: an MCP server (default + host toolsets) on a standalone loopback emulator for bot tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.server.support import MODES, connect, make_rig
from tests.tools.livebots import Live, live_server


def _list(tmp: Path, toolsets: tuple[str, ...], mode: str = "2026-07-28") -> list[Any]:
    async def run() -> list[Any]:
        rig = make_rig(tmp, toolsets=toolsets)
        async with connect(rig.server, mode) as client:
            return list((await client.list_tools()).tools)

    return anyio.run(run)


@pytest.fixture(scope="session")
def all_tools(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    return _list(tmp_path_factory.mktemp("all"), ("all",))


@pytest.fixture(scope="session")
def default_tools(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    return _list(tmp_path_factory.mktemp("default"), ("default",))


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Each behaviour test runs on the handshake era (legacy) and on 2026-07-28."""
    return str(request.param)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    """An MCP server whose backend is a standalone emulator on a loopback port (REALTIMEKIT_BASE_URL)."""
    pytest.importorskip("aiortc")
    async with live_server(tmp_path) as running:
        yield running
