"""Many bots in one process, behind opaque ``bot_id`` handles.

:class:`BotManager` creates and joins bots, looks them up by handle, enforces limits (how many bots,
how much received audio in total), and cleans up: a bot that leaves, is kicked or sees its meeting
end is closed and kept as a *tombstone* (state and reason, no resources) for ``tombstone_ttl``
seconds so that ``status(bot_id)`` can still say what happened; :meth:`BotManager.shutdown` ends all.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from realtimekit_mcp.bot.participant import BotConfig, BotEvent, BotJoinError, BotParticipant

if TYPE_CHECKING:
    from realtimekit_mcp.bot.voice import SpeechItem
    from realtimekit_mcp.client import RealtimeKitClient

__all__ = ["BotLimitError", "BotManager", "BotManagerLimits", "UnknownBotError"]


class UnknownBotError(KeyError):
    """No bot with this handle (never existed, or ended and forgotten)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown bot"


class BotLimitError(RuntimeError):
    """A manager limit would be exceeded."""


@dataclass(frozen=True, slots=True)
class BotManagerLimits:
    """Limits of one :class:`BotManager`.

    Attributes:
        max_bots: live bots at once.
        max_buffered_audio_seconds: received PCM kept in total across all bots; each bot gets
            ``max_buffered_audio_seconds / max_bots`` per remote participant unless its config says less.
        tombstone_ttl: seconds an ended bot's status stays readable.
    """

    max_bots: int = 8
    max_buffered_audio_seconds: float = 240.0
    tombstone_ttl: float = 3600.0


@dataclass(slots=True)
class _Entry:
    bot: BotParticipant
    created_at: float
    ended_at: float | None = None


class BotManager:
    """Owns the bots of one process (one per MCP server)."""

    def __init__(
        self,
        config: BotConfig | None = None,
        *,
        limits: BotManagerLimits | None = None,
        client: RealtimeKitClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or BotConfig()
        self.limits = limits or BotManagerLimits()
        self.client = client
        self._clock = clock
        self._bots: dict[str, _Entry] = {}
        self._watchers: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    # ------------------------------------------------------------------ creation

    def _live_count(self) -> int:
        return sum(1 for e in self._bots.values() if not e.bot.state.terminal)

    def _bot_config(self) -> BotConfig:
        per_bot = self.limits.max_buffered_audio_seconds / max(1, self.limits.max_bots)
        return replace(
            self.config, max_buffered_audio_seconds=min(self.config.max_buffered_audio_seconds, per_bot)
        )

    def _check_capacity(self) -> None:
        if self._closed:
            raise BotLimitError("the bot manager is shut down")
        self._prune()
        if self._live_count() >= self.limits.max_bots:
            raise BotLimitError(
                f"{self.limits.max_bots} bots are already running (the limit); make one leave first"
            )

    async def join(
        self,
        *,
        token: str | None = None,
        meeting_id: str | None = None,
        name: str = "Bot",
        preset_name: str | None = None,
        custom_participant_id: str | None = None,
        listen: bool = True,
        transcribe: bool | None = None,
        listen_via: str | None = None,
    ) -> str:
        """Join a bot and return its ``bot_id`` (also when it waits in the meeting's waiting room).

        A bot whose preset puts it in the waiting room is returned in state ``waitlisted``; it
        counts as live (against ``max_bots``) and finishes its join in the background when a host
        admits it (state ``joined``), or ends as ``rejected`` (kept as a tombstone like any ended bot).

        Give either ``token`` (an existing participant's token) or ``meeting_id`` (a participant is
        added through REST with the bot preset; needs ``client``). ``listen=False`` makes a
        speaker-only bot that does not receive the others' audio. ``transcribe`` (default: the
        config's) transcribes every remote participant into ``transcript`` events.
        ``listen_via="agent"`` (default: the config's) takes the service's transcripts from the
        Agent Participant socket instead of local STT (``transcript`` events with ``source="agent"``).

        Raises:
            BotLimitError: too many bots.
            BotJoinError: the join failed (the reason is in the message).
            ValueError: neither or both of token and meeting_id, or a token that is not a
                participant token (no ``meetingId`` claim).
            SpeechUnavailableError: ``transcribe`` without the ``speech`` extra.
        """
        if (token is None) == (meeting_id is None):
            raise ValueError("give exactly one of token or meeting_id")
        self._check_capacity()
        config = replace(self._bot_config(), subscribe_audio=listen)
        if transcribe is not None:
            config = replace(config, transcribe=transcribe and listen)
        if listen_via is not None:
            config = replace(config, listen_via=listen_via)
        if token is not None:
            bot = BotParticipant(token, config, display_name=name)
        else:
            if self.client is None:
                raise BotJoinError(
                    "joining by meeting id needs a REST client; pass a participant token instead"
                )
            assert meeting_id is not None
            bot = await BotParticipant.create(
                self.client,
                meeting_id,
                name=name,
                preset_name=preset_name,
                custom_participant_id=custom_participant_id,
                config=config,
            )
        bot_id = "bot_" + secrets.token_urlsafe(9)
        entry = _Entry(bot=bot, created_at=self._clock())
        self._bots[bot_id] = entry
        try:
            await bot.join()
        except BaseException:
            del self._bots[bot_id]  # the caller never got this handle
            raise
        self._watchers[bot_id] = asyncio.create_task(
            self._watch(bot_id, entry), name=f"rtk-bot-watch-{bot_id}"
        )
        return bot_id

    async def _watch(self, bot_id: str, entry: _Entry) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(entry.bot.ended)
        entry.ended_at = self._clock()
        self._watchers.pop(bot_id, None)

    # ------------------------------------------------------------------ lookup

    def _prune(self) -> None:
        now = self._clock()
        for bot_id, entry in list(self._bots.items()):
            if entry.ended_at is not None and now - entry.ended_at > self.limits.tombstone_ttl:
                del self._bots[bot_id]

    def get(self, bot_id: str) -> BotParticipant:
        """The bot behind ``bot_id`` (also an ended one, while its tombstone lasts).

        Raises:
            UnknownBotError: with a hint to list the bots.
        """
        self._prune()
        entry = self._bots.get(bot_id)
        if entry is None:
            raise UnknownBotError(
                f"no bot {bot_id!r}; it never existed or ended long ago (list the bots to see live ones)"
            )
        return entry.bot

    def live(self, bot_id: str) -> BotParticipant:
        """Like :meth:`get`, but raises ``RuntimeError`` (with state and reason) when the bot has ended."""
        bot = self.get(bot_id)
        if bot.state.terminal:
            raise RuntimeError(
                f"bot {bot_id} has ended ({bot.state.value}: {bot.end_reason}); join a new one"
            )
        return bot

    def list(self) -> builtins.list[dict[str, Any]]:
        """Status of every known bot, with its ``bot_id``."""
        self._prune()
        return [{"bot_id": bot_id, **entry.bot.status()} for bot_id, entry in self._bots.items()]

    def status(self, bot_id: str) -> dict[str, Any]:
        """Status of one bot."""
        return {"bot_id": bot_id, **self.get(bot_id).status()}

    def events(
        self, bot_id: str, cursor: int = 0, *, limit: int = 100
    ) -> tuple[builtins.list[BotEvent], int]:
        """Events after ``cursor`` and the cursor to pass next time."""
        bot = self.get(bot_id)
        events = bot.events_since(cursor, limit=limit)
        return events, (events[-1].seq if events else max(cursor, 0))

    async def say(self, bot_id: str, text: str, *, wait: bool = False, interrupt: bool = False) -> SpeechItem:
        """Make a live bot speak (queued; ``interrupt`` pre-empts; ``wait`` returns after playback)."""
        return await self.live(bot_id).say(text, wait=wait, interrupt=interrupt)

    def stop_speaking(self, bot_id: str) -> int:
        """Flush a live bot's speech within one frame; returns how many speech items were cut."""
        return self.live(bot_id).stop_speaking()

    def transcript(
        self, bot_id: str, cursor: int = 0, *, limit: int = 100
    ) -> tuple[builtins.list[dict[str, Any]], int]:
        """Transcript segments the bot heard after ``cursor`` (an event seq) and the next cursor."""
        segments = self.get(bot_id).transcript(cursor, limit=limit)
        return segments, (segments[-1]["seq"] if segments else max(cursor, 0))

    def buffered_audio_bytes(self) -> int:
        """Received PCM held by all bots."""
        return sum(e.bot.buffered_audio_bytes() for e in self._bots.values())

    # ------------------------------------------------------------------ ending

    async def leave(self, bot_id: str) -> dict[str, Any]:
        """Make a bot leave (idempotent for an ended bot); returns its final status."""
        bot = self.get(bot_id)
        await bot.leave()
        watcher = self._watchers.pop(bot_id, None)
        if watcher is not None:
            await watcher
        self._bots[bot_id].ended_at = self._bots[bot_id].ended_at or self._clock()
        return self.status(bot_id)

    async def shutdown(self) -> None:
        """Make every bot leave and stop accepting new ones."""
        self._closed = True
        bots = [(bot_id, e.bot) for bot_id, e in self._bots.items()]
        await asyncio.gather(*(bot.leave("server shutdown") for _, bot in bots), return_exceptions=True)
        watchers, self._watchers = self._watchers, {}
        for watcher in watchers.values():
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher

    async def __aenter__(self) -> BotManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()
