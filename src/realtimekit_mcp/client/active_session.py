"""Active session of a meeting (S1-S6): read it and moderate it (kick, mute, polls)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field, model_validator

from realtimekit_mcp.client._models import (
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, validated
from realtimekit_mcp.client.sessions import Session

__all__ = [
    "ActionParticipant",
    "ActiveSessionResource",
    "CreatePollRequest",
    "KickAllResult",
    "MuteAllRequest",
    "MuteAllResult",
    "ParticipantsActionResult",
    "Poll",
    "PollOption",
    "PollResult",
    "PollVote",
    "TargetParticipantsRequest",
]

NonEmpty = Annotated[str, Field(min_length=1)]


class TargetParticipantsRequest(RequestModel):
    """Body of S2 kick and S4 mute: participant ids and/or custom participant ids (at least one)."""

    participant_ids: Annotated[list[NonEmpty], Field(min_length=1)] | None = None
    custom_participant_ids: Annotated[list[NonEmpty], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> TargetParticipantsRequest:
        if not self.participant_ids and not self.custom_participant_ids:
            raise ValueError("give participant_ids or custom_participant_ids (at least one id)")
        return self


class MuteAllRequest(RequestModel):
    """Body of S5 mute-all. With ``allow_unmute=False`` participants cannot unmute themselves."""

    allow_unmute: bool = False


class CreatePollRequest(RequestModel):
    """Body of S6 poll."""

    question: NonEmpty
    options: Annotated[list[str], Field(min_length=1)]
    anonymous: bool | None = None
    hide_votes: bool | None = None


class ActionParticipant(ResponseModel):
    """A participant affected by a kick or mute."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    picture: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ParticipantsActionResult(ResponseModel):
    """Result of S2 kick and S4 mute."""

    action: str | None = None
    participants: list[ActionParticipant] | None = None


class KickAllResult(ResponseModel):
    """Result of S3 kick-all."""

    action: str | None = None
    kicked_participants_count: float | None = None


class MuteAllResult(ResponseModel):
    """Result of S5 mute-all."""

    action: str | None = None
    muted_participants_count: float | None = None


class PollVote(ResponseModel):
    """Who voted for an option."""

    id: str | None = None
    name: str | None = None


class PollOption(ResponseModel):
    """A poll option with its vote count."""

    text: str | None = None
    count: float | None = None
    votes: list[PollVote] | None = None


class Poll(ResponseModel):
    """A poll in a live session."""

    id: str | None = None
    question: str | None = None
    options: list[PollOption] | None = None
    anonymous: bool | None = None
    hide_votes: bool | None = None
    created_by: str | None = None
    voted: list[str] | None = None


class PollResult(ResponseModel):
    """Result of S6 poll."""

    action: str | None = None
    poll: Poll | None = None


class ActiveSessionResource(Resource):
    """``client.active_session``: all calls are POST (never retried) except ``get``."""

    @validated
    async def get(self, meeting_id: str) -> Session:
        """S1 GET meetings/{id}/active-session (404 when the meeting has no live session)."""
        env = await self._call("GET", "meetings", meeting_id, "active-session")
        return parse_response(Session, env.data, status_code=env.status_code)

    @validated
    async def kick(
        self,
        meeting_id: str,
        participant_ids: Sequence[str] | None = None,
        custom_participant_ids: Sequence[str] | None = None,
    ) -> ParticipantsActionResult:
        """S2 POST .../active-session/kick: remove participants from the live session."""
        return await self._targets(meeting_id, "kick", participant_ids, custom_participant_ids)

    @validated
    async def kick_all(self, meeting_id: str) -> KickAllResult:
        """S3 POST .../active-session/kick-all: end the session for everyone."""
        env = await self._call("POST", "meetings", meeting_id, "active-session", "kick-all")
        return parse_response(KickAllResult, env.data, status_code=env.status_code)

    @validated
    async def mute(
        self,
        meeting_id: str,
        participant_ids: Sequence[str] | None = None,
        custom_participant_ids: Sequence[str] | None = None,
    ) -> ParticipantsActionResult:
        """S4 POST .../active-session/mute: mute participants."""
        return await self._targets(meeting_id, "mute", participant_ids, custom_participant_ids)

    @validated
    async def mute_all(self, meeting_id: str, allow_unmute: bool = False) -> MuteAllResult:
        """S5 POST .../active-session/mute-all."""
        body = MuteAllRequest(allow_unmute=allow_unmute).model_dump(mode="json")
        env = await self._call("POST", "meetings", meeting_id, "active-session", "mute-all", json=body)
        return parse_response(MuteAllResult, env.data, status_code=env.status_code)

    @validated
    async def create_poll(
        self,
        meeting_id: str,
        question: str,
        options: Sequence[str],
        anonymous: bool | None = None,
        hide_votes: bool | None = None,
    ) -> PollResult:
        """S6 POST .../active-session/poll: start a poll (201)."""
        body = build_request(
            CreatePollRequest,
            question=question,
            options=list(options),
            anonymous=anonymous,
            hide_votes=hide_votes,
        ).to_body()
        env = await self._call("POST", "meetings", meeting_id, "active-session", "poll", json=body)
        return parse_response(PollResult, env.data, status_code=env.status_code)

    async def _targets(
        self,
        meeting_id: str,
        action: str,
        participant_ids: Sequence[str] | None,
        custom_participant_ids: Sequence[str] | None,
    ) -> ParticipantsActionResult:
        fields: dict[str, Any] = {
            "participant_ids": list(participant_ids) if participant_ids else None,
            "custom_participant_ids": list(custom_participant_ids) if custom_participant_ids else None,
        }
        body = build_request(TargetParticipantsRequest, **fields).to_body()
        env = await self._call("POST", "meetings", meeting_id, "active-session", action, json=body)
        return parse_response(ParticipantsActionResult, env.data, status_code=env.status_code)
