"""Bot feature: polls (create, vote, live results), as SDK 2.0.2 speaks them.

``createPoll`` / ``votePoll`` carry the request; the server answers with the poll as it now stands
(``UpdatePollResponse``, the same message every peer gets pushed on ``createPoll``, ``votePoll``
and ``updatePoll``), or with the protocol error (65535) when it refuses. ``getPolls`` loads the
session's polls after each (re)join. The bot keeps every poll it has seen, live from the pushes.

A poll is a dict::

    {"id", "question", "options": [{"text", "count", "votes": [{"id", "name"}]}],
     "anonymous", "hide_votes", "created_by", "voted": [participant ids]}

``count`` is None while the server hides the votes from this bot (``hide_votes`` polls it has
neither voted on nor created); ``votes`` is empty for anonymous polls.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.protocol import polls_pb2
from realtimekit_mcp.protocol.events import PollEvent
from realtimekit_mcp.protocol.framing import Frame, FrameError, parse_payload

if TYPE_CHECKING:
    from realtimekit_mcp.bot.participant import BotParticipant
    from realtimekit_mcp.bot.signalling import SignallingClient

__all__ = ["MAX_OPTIONS", "BotPolls", "PollError", "poll_dict"]

logger = logging.getLogger(__name__)

MAX_OPTIONS = 20
"""Options a poll may have (the emulator's limit; checked before sending)."""


_List = list  # BotPolls.list shadows the builtin inside the class


class PollError(Exception):
    """The server refused a poll request (no permission, already voted, no such poll or option)."""


def poll_dict(poll: polls_pb2.Poll) -> dict[str, Any]:
    """The bot's JSON-ready view of a socket ``Poll``."""
    return {
        "id": poll.poll_id,
        "question": poll.question,
        "options": [
            {
                "text": option.text,
                "count": int(option.count) if option.HasField("count") else None,
                "votes": [{"id": v.user_id, "name": v.name} for v in option.votes],
            }
            for option in poll.options
        ],
        "anonymous": poll.anonymous,
        "hide_votes": poll.hide_votes,
        "created_by": poll.created_by,
        "voted": list(poll.votes),
    }


def _total(poll: dict[str, Any]) -> int:
    return len(poll["voted"])


class BotPolls(BotFeature):
    """The polls of the bot's session: create, vote, and the live results from the server's pushes."""

    name = "polls"

    def __init__(self, bot: BotParticipant) -> None:
        super().__init__(bot)
        self._joins = 0
        """Counts (re)joins: a loader left over from a failed rejoin attempt does nothing."""
        self._polls: dict[str, dict[str, Any]] = {}

    # -- BotFeature ----------------------------------------------------------------------------
    def register(self, sig: SignallingClient) -> None:
        """Follow the poll pushes on this signalling client."""
        for event in (PollEvent.CREATE_POLL, PollEvent.VOTE_POLL, PollEvent.UPDATE_POLL):
            sig.on(event, self._on_push)

    def reset(self) -> None:
        """A (re)join begins: load the session's polls once the bot is in the room."""
        self._joins += 1
        self.bot._spawn(self._load_when_joined(self.bot.last_seq, self._joins))

    def status(self) -> dict[str, Any]:
        """``{"polls": [...]}``, oldest first."""
        return {"polls": self.list()}

    # -- API -----------------------------------------------------------------------------------
    def list(self) -> _List[dict[str, Any]]:
        """Every poll the bot knows, oldest first (copies)."""
        return [_copy(p) for p in self._polls.values()]

    def get(self, poll_id: str) -> dict[str, Any]:
        """One poll by id. Raises KeyError when the bot has not seen it."""
        return _copy(self._polls[poll_id])

    async def refresh(self) -> _List[dict[str, Any]]:
        """Load the session's polls from the server (``getPolls``); returns them.

        Raises PollError when refused (e.g. the preset may not view polls), RuntimeError when the
        bot is not joined.
        """
        from realtimekit_mcp.bot.signalling import RequestError

        self.bot._require_joined()
        sig = self.bot._require_sig()
        try:
            reply = await sig.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
        except RequestError as exc:
            raise PollError(f"loading the polls was refused: {exc.server_message}") from None
        self._load(reply)
        return self.list()

    async def create(
        self, question: str, options: _List[str], *, anonymous: bool = False, hide_votes: bool = False
    ) -> dict[str, Any]:
        """Create a poll; returns it once the server has it (everyone in the room gets it too).

        Raises PollError (refused: e.g. the preset lacks ``polls.can_create``; or bad input:
        empty question, fewer than two or more than :data:`MAX_OPTIONS` options, an empty
        option), RuntimeError when the bot is not joined.
        """
        question = question.strip()
        texts = [str(o).strip() for o in options]
        if not question:
            raise PollError("a poll needs a question")
        if len(texts) < 2 or len(texts) > MAX_OPTIONS:
            raise PollError(f"a poll needs 2 to {MAX_OPTIONS} options (got {len(texts)})")
        if any(not t for t in texts):
            raise PollError("poll options must not be empty")
        request = polls_pb2.NewPollRequest(
            question=question, options=texts, anonymous=anonymous, hide_votes=hide_votes
        )
        return await self._send(PollEvent.CREATE_POLL, request, "creating the poll")

    async def vote(self, poll_id: str, option: int | str) -> dict[str, Any]:
        """Vote for an option (its index, or its text); returns the poll as it now stands.

        Raises PollError (refused: already voted, no such poll or option, the preset lacks
        ``polls.can_vote``), RuntimeError when the bot is not joined.
        """
        if isinstance(option, bool):
            raise PollError("the option is an index or the option's text")
        if isinstance(option, int):
            index = option
            if index < 0:
                raise PollError(f"there is no option {index}")
        else:
            index = self._index_of(poll_id, option)
        request = polls_pb2.VotePollRequest(poll_id=poll_id, index=index)
        return await self._send(PollEvent.VOTE_POLL, request, "the vote")

    # -- internals -----------------------------------------------------------------------------
    def _index_of(self, poll_id: str, text: str) -> int:
        poll = self._polls.get(poll_id)
        if poll is None:
            raise PollError(f"no poll {poll_id!r} is known to the bot")
        texts = [o["text"] for o in poll["options"]]
        if text in texts:
            return texts.index(text)
        folded = [t.casefold() for t in texts]
        wanted = text.strip().casefold()
        if wanted in folded:
            return folded.index(wanted)
        raise PollError(f"poll {poll_id} has no option {text!r}; its options are {texts}")

    async def _send(self, event: int, request: Any, what: str) -> dict[str, Any]:
        from realtimekit_mcp.bot.signalling import RequestError

        self.bot._require_joined()
        sig = self.bot._require_sig()
        try:
            reply = await sig.request(event, request, polls_pb2.UpdatePollResponse)
        except RequestError as exc:
            raise PollError(f"{what} was refused: {exc.server_message}") from None
        if not reply.HasField("poll"):
            raise PollError(f"{what}: the server answered without the poll")
        return _copy(self._update(reply.poll))

    def _on_push(self, frame: Frame) -> None:
        try:
            message = parse_payload(frame, polls_pb2.UpdatePollResponse)
        except FrameError:
            logger.info("ignored an undecodable poll push")
            return
        if message.HasField("poll"):
            self._update(message.poll)

    def _update(self, proto: polls_pb2.Poll) -> dict[str, Any]:
        poll = poll_dict(proto)
        old = self._polls.get(poll["id"])
        self._polls[poll["id"]] = poll
        if old != poll:
            self.bot._emit(
                "poll",
                poll_id=poll["id"],
                question=poll["question"],
                action="created" if old is None else "updated",
                votes=_total(poll),
            )
        return poll

    def _load(self, reply: polls_pb2.GetPollsResponse) -> None:
        for proto in reply.polls:
            self._update(proto)

    async def _load_when_joined(self, after: int, join: int) -> None:
        """Wait for this (re)join to finish, then ``getPolls`` (failures are logged, not raised)."""
        from realtimekit_mcp.bot.signalling import SignallingError

        await self.bot.wait_event(("joined", "reconnected"), after=after)
        sig = self.bot._sig
        if join != self._joins or sig is None:  # a later (re)join has its own loader
            return
        try:
            reply = await sig.request(PollEvent.GET_POLLS, None, polls_pb2.GetPollsResponse)
        except SignallingError as exc:
            logger.info("could not load the polls after joining: %s", type(exc).__name__)
            return
        self._load(reply)


def _copy(poll: dict[str, Any]) -> dict[str, Any]:
    return {
        **poll,
        "options": [{**o, "votes": [dict(v) for v in o["votes"]]} for o in poll["options"]],
        "voted": list(poll["voted"]),
    }
