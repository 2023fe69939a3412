"""Participants of a meeting (M6-M12): list, add, get, edit, replace, delete, refresh token.

Participant tokens (``Participant.token`` and ``refresh_token``'s result) are registered with the
redaction helper as soon as they are parsed and are hidden from model reprs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from pydantic import Field, field_validator

from realtimekit_mcp._redact import register_secret
from realtimekit_mcp.client._models import (
    Page,
    PageNo,
    PerPage,
    RequestModel,
    ResponseModel,
    Timestamp,
    build_request,
    parse_response,
)
from realtimekit_mcp.client._resource import Resource, iterate_pages, to_page, validated
from realtimekit_mcp.client.errors import ResponseFormatError

__all__ = [
    "AddParticipantRequest",
    "DeletedParticipant",
    "EditParticipantRequest",
    "Participant",
    "ParticipantToken",
    "ParticipantsResource",
]

NonEmpty = Annotated[str, Field(min_length=1)]


class AddParticipantRequest(RequestModel):
    """Body of M7 POST participants and M10 PUT participants/{id}."""

    custom_participant_id: NonEmpty
    preset_name: NonEmpty
    name: str | None = None
    picture: str | None = None


class EditParticipantRequest(RequestModel):
    """Body of M9 PATCH participants/{id}."""

    name: str | None = None
    picture: str | None = None
    preset_name: NonEmpty | None = None


class Participant(ResponseModel):
    """A meeting participant. ``token`` (a JWT) only comes back from add, edit and replace."""

    id: str
    custom_participant_id: str | None = None
    preset_name: str | None = None
    name: str | None = None
    picture: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    token: str | None = Field(None, repr=False)

    @field_validator("token")
    @classmethod
    def _register_token(cls, value: str | None) -> str | None:
        register_secret(value)
        return value


class DeletedParticipant(ResponseModel):
    """What M11 DELETE returns: note ``preset_id`` (not ``preset_name``)."""

    id: str | None = None
    custom_participant_id: str | None = None
    preset_id: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ParticipantToken(ResponseModel):
    """``data`` of M12: the new participant token."""

    token: str = Field(repr=False)

    @field_validator("token")
    @classmethod
    def _register_token(cls, value: str) -> str:
        register_secret(value)
        return value


class ParticipantsResource(Resource):
    """``client.participants``."""

    @validated
    async def list(
        self, meeting_id: str, *, page_no: PageNo | None = None, per_page: PerPage | None = None
    ) -> Page[Participant]:
        """M6 GET meetings/{id}/participants: one page (no tokens)."""
        env = await self._call(
            "GET", "meetings", meeting_id, "participants", params={"page_no": page_no, "per_page": per_page}
        )
        return to_page(env, Participant, page_no=page_no, per_page=per_page)

    def iter(self, meeting_id: str, *, per_page: int | None = None) -> AsyncIterator[Participant]:
        """Every participant of a meeting, page after page."""
        return iterate_pages(lambda n: self.list(meeting_id, page_no=n, per_page=per_page))

    @validated
    async def add(
        self,
        meeting_id: str,
        custom_participant_id: str,
        preset_name: str,
        name: str | None = None,
        picture: str | None = None,
    ) -> Participant:
        """M7 POST: add a participant (201); the result carries its ``token``. Never retried."""
        body = build_request(
            AddParticipantRequest,
            custom_participant_id=custom_participant_id,
            preset_name=preset_name,
            name=name,
            picture=picture,
        ).to_body()
        env = await self._call("POST", "meetings", meeting_id, "participants", json=body)
        return parse_response(Participant, env.data, status_code=env.status_code)

    @validated
    async def get(self, meeting_id: str, participant_id: str) -> Participant:
        """M8 GET one participant (no token)."""
        env = await self._call("GET", "meetings", meeting_id, "participants", participant_id)
        return parse_response(Participant, env.data, status_code=env.status_code)

    @validated
    async def edit(
        self,
        meeting_id: str,
        participant_id: str,
        *,
        name: str | None = None,
        picture: str | None = None,
        preset_name: str | None = None,
    ) -> Participant:
        """M9 PATCH: change name, picture or preset; the result carries a token."""
        body = build_request(
            EditParticipantRequest, name=name, picture=picture, preset_name=preset_name
        ).to_body()
        env = await self._call("PATCH", "meetings", meeting_id, "participants", participant_id, json=body)
        return parse_response(Participant, env.data, status_code=env.status_code)

    @validated
    async def replace(
        self,
        meeting_id: str,
        participant_id: str,
        custom_participant_id: str,
        preset_name: str,
        name: str | None = None,
        picture: str | None = None,
    ) -> Participant:
        """M10 PUT: replace a participant's fields; the result carries a token."""
        body = build_request(
            AddParticipantRequest,
            custom_participant_id=custom_participant_id,
            preset_name=preset_name,
            name=name,
            picture=picture,
        ).to_body()
        env = await self._call("PUT", "meetings", meeting_id, "participants", participant_id, json=body)
        return parse_response(Participant, env.data, status_code=env.status_code)

    @validated
    async def delete(self, meeting_id: str, participant_id: str) -> DeletedParticipant:
        """M11 DELETE: remove the participant and revoke its token."""
        env = await self._call("DELETE", "meetings", meeting_id, "participants", participant_id)
        return parse_response(DeletedParticipant, env.data, status_code=env.status_code)

    @validated
    async def refresh_token(self, meeting_id: str, participant_id: str) -> str:
        """M12 POST .../token: a new token for the same participant (id and preset unchanged)."""
        env = await self._call("POST", "meetings", meeting_id, "participants", participant_id, "token")
        if not isinstance(env.data, dict):
            raise ResponseFormatError(
                "expected data.token in the refresh response", status_code=env.status_code
            )
        return parse_response(ParticipantToken, env.data, status_code=env.status_code).token
