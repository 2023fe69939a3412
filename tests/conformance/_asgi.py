"""Run an ASGI app's lifespan around in-process tests (httpx.ASGITransport does not)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

STEP_TIMEOUT = 10.0  # seconds for startup or shutdown


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Send ``lifespan.startup`` before the block and ``lifespan.shutdown`` after it.

    Raises RuntimeError if the app reports a startup or shutdown failure.
    """
    to_app_send, to_app_recv = anyio.create_memory_object_stream[dict[str, Any]](4)
    from_app_send, from_app_recv = anyio.create_memory_object_stream[dict[str, Any]](4)

    async def receive() -> dict[str, Any]:
        return await to_app_recv.receive()

    async def send(message: dict[str, Any]) -> None:
        await from_app_send.send(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    async with anyio.create_task_group() as tg:
        tg.start_soon(app, scope, receive, send)
        with anyio.fail_after(STEP_TIMEOUT):
            await to_app_send.send({"type": "lifespan.startup"})
            reply = await from_app_recv.receive()
        if reply["type"] != "lifespan.startup.complete":
            tg.cancel_scope.cancel()
            raise RuntimeError(f"emulator startup failed: {reply.get('message', reply['type'])}")
        try:
            yield
        finally:
            with anyio.fail_after(STEP_TIMEOUT):
                await to_app_send.send({"type": "lifespan.shutdown"})
                reply = await from_app_recv.receive()
            if reply["type"] != "lifespan.shutdown.complete":
                raise RuntimeError(f"emulator shutdown failed: {reply.get('message', reply['type'])}")
