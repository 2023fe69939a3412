"""Bot feature: host controls (waiting room, pin, mute, kick, stage) as the bot's preset allows.

Every action goes to the server, which checks the bot's preset permissions itself; a refusal
raises :class:`HostActionError` naming the action and the missing permission. ``who`` is a
participant id or a peer id (``KeyError`` when nobody in the room has it); every action needs a
joined bot (``RuntimeError`` otherwise, saying when it is still waiting in the waiting room).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from google.protobuf.message import Message

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.bot.signalling import RequestError
from realtimekit_mcp.protocol import livestreaming_pb2, media_edge_pb2, room_pb2
from realtimekit_mcp.protocol.events import MediaEvent, RoomEvent

__all__ = ["HOST_POWERS", "HostActionError", "HostControls"]

HOST_POWERS: Final = {
    "admit": "accept_waiting_requests",
    "reject": "accept_waiting_requests",
    "pin": "pin_participant",
    "mute": "disable_participant_audio",
    "kick": "kick_participant",
    "stage": "accept_stage_requests",
}
"""Each host power of the bot and the preset permission it needs."""


class HostActionError(Exception):
    """The server refused a host action; the message says which and why."""


class HostControls(BotFeature):
    """Host actions of one bot."""

    name = "host"

    # ------------------------------------------------------------------ permissions

    def permissions(self) -> dict[str, Any]:
        """The bot's preset permissions from participant-details ({} before the join or when absent)."""
        details = self.bot.details
        if details is None:
            return {}
        preset = details.raw.get("preset") if isinstance(details.raw, Mapping) else None
        permissions = preset.get("permissions") if isinstance(preset, Mapping) else None
        return dict(permissions) if isinstance(permissions, Mapping) else {}

    def status(self) -> dict[str, Any]:
        """``{"can": [...]}``: the host powers the bot's preset grants."""
        permissions = self.permissions()
        return {"can": [power for power, key in HOST_POWERS.items() if permissions.get(key)]}

    # ------------------------------------------------------------------ helpers

    async def _call(self, action: str, power: str, event: int, message: Message | None) -> None:
        """Send one host request and wait for its reply; a refusal becomes HostActionError."""
        self.bot._require_joined()
        sig = self.bot._require_sig()
        try:
            await sig.request_frame(event, message)
        except RequestError as exc:
            permission = HOST_POWERS[power]
            if permission in exc.server_message:
                raise HostActionError(
                    f"{action} refused: the bot's preset does not allow {permission} "
                    f"(server: {exc.server_message})"
                ) from None
            raise HostActionError(f"{action} refused by the server: {exc.server_message}") from None

    def _peer(self, who: str) -> str:
        bot = self.bot
        if who in (bot.peer_id, bot.participant_id):
            return bot.peer_id
        return bot._resolve_peer(who)

    def _waiting(self, ids: list[str] | None) -> list[str]:
        waiting = self.bot.roster.waitlisted()
        if ids is None:
            return [w["participant_id"] for w in waiting]
        if not self.permissions().get("accept_waiting_requests"):
            return list(ids)  # the server refuses (and says why)
        out = []
        for who in ids:
            entry = next((w for w in waiting if who in (w["participant_id"], w["peer_id"])), None)
            if entry is None:
                raise KeyError(f"{who!r} is not waiting in the waiting room")
            out.append(entry["participant_id"])
        return out

    def _stage_requesters(self, ids: list[str] | None) -> list[str]:
        requests = self.bot.roster.stage_requests()
        if ids is None:
            return [r["participant_id"] for r in requests]
        out = []
        for who in ids:
            entry = next((r for r in requests if who in (r["participant_id"], r["peer_id"])), None)
            if entry is not None:
                out.append(entry["participant_id"])
                continue
            out.append(self._participant_id(who))
        return out

    def _participant_id(self, who: str) -> str:
        """The participant id of someone in the room (or the bot), named by participant or peer id."""
        try:
            peer_id = self._peer(who)
        except KeyError:
            raise KeyError(f"{who!r} is not in the room") from None
        remote = self.bot.peers.get(peer_id)
        return remote.user_id if remote is not None and remote.user_id else who

    # ------------------------------------------------------------------ waiting room

    async def admit(self, participant_ids: list[str] | None = None) -> list[str]:
        """Let waitlisted participants in (None: everyone waiting); returns their participant ids."""
        return await self._decide_waiting(
            participant_ids,
            "admit",
            "admitted",
            RoomEvent.ACCEPT_WAITING_ROOM_REQUESTS,
            room_pb2.AcceptWaitingRoomRequests,
        )

    async def reject(self, participant_ids: list[str] | None = None) -> list[str]:
        """Turn waitlisted participants away (None: everyone waiting); returns their participant ids."""
        return await self._decide_waiting(
            participant_ids,
            "reject",
            "rejected",
            RoomEvent.DENY_WAITING_ROOM_REQUESTS,
            room_pb2.DenyWaitingRoomRequests,
        )

    async def _decide_waiting(
        self,
        participant_ids: list[str] | None,
        action: str,
        outcome: str,
        event: int,
        request_type: Callable[..., Message],
    ) -> list[str]:
        """Admit or reject (one request type each, both carrying ``user_ids``)."""
        self.bot._require_joined()
        targets = self._waiting(participant_ids)
        if not targets and participant_ids is None and self.permissions().get("accept_waiting_requests"):
            return []
        self.bot.roster.note_decisions(targets, outcome)
        try:
            await self._call(action, action, event, request_type(user_ids=targets))
        except BaseException:
            self.bot.roster.drop_decisions(targets)  # refused: a later removal is not this bot's doing
            raise
        return targets

    # ------------------------------------------------------------------ pin

    async def pin(self, who: str) -> None:
        """Pin a participant for everyone in the meeting."""
        self.bot._require_joined()
        peer_id = self._peer(who)
        self.bot.roster.note_pin_request()
        await self._call(
            f"pin {who}",
            "pin",
            MediaEvent.GLOBAL_PIN_PEER,
            media_edge_pb2.GlobalPeerPinningRequest(participant_id=peer_id),
        )

    async def unpin(self) -> None:
        """Clear the pin for everyone."""
        self.bot._require_joined()
        self.bot.roster.note_pin_request()
        await self._call(
            "unpin", "pin", MediaEvent.GLOBAL_PIN_PEER, media_edge_pb2.GlobalPeerPinningRequest()
        )

    # ------------------------------------------------------------------ mute and kick

    async def mute(self, who: str) -> None:
        """Turn a participant's microphone off (they may turn it on again)."""
        self.bot._require_joined()
        peer_id = self._peer(who)
        await self._call(
            f"mute {who}",
            "mute",
            MediaEvent.HOST_CONTROL_PEER,
            media_edge_pb2.HostMediaControlForPeerRequest(participant_id=peer_id, audio=True),
        )

    async def mute_all(self) -> None:
        """Turn every other participant's microphone off."""
        await self._call(
            "mute all",
            "mute",
            MediaEvent.HOST_CONTROL_ALL_PEERS,
            media_edge_pb2.HostMediaControlForAllPeerRequest(audio=True),
        )

    async def kick(self, who: str) -> None:
        """Remove a participant from the meeting."""
        self.bot._require_joined()
        peer_id = self._peer(who)
        await self._call(
            f"kick {who}", "kick", RoomEvent.KICK, room_pb2.RemoveParticipantsRequest(peer_ids=[peer_id])
        )

    async def kick_all(self) -> None:
        """End the meeting for everyone (the bot too: it ends as ``meeting_ended``)."""
        await self._call("kick all", "kick", RoomEvent.KICK_ALL, media_edge_pb2.KickAllPeersRequest())

    # ------------------------------------------------------------------ stage

    async def stage_accept(self, participant_ids: list[str] | None = None) -> list[str]:
        """Let participants onto the stage (None: every current request); returns their ids."""
        return await self._decide_stage(
            participant_ids,
            "stage accept",
            RoomEvent.GRANT_STAGE_ACCESS,
            livestreaming_pb2.GrantStageAccessRequest,
        )

    async def stage_deny(self, participant_ids: list[str] | None = None) -> list[str]:
        """Deny stage requests (None: every current request); returns their ids."""
        return await self._decide_stage(
            participant_ids,
            "stage deny",
            RoomEvent.DENY_STAGE_ACCESS,
            livestreaming_pb2.DenyStageAccessRequest,
        )

    async def _decide_stage(
        self,
        participant_ids: list[str] | None,
        action: str,
        event: int,
        request_type: Callable[..., Message],
    ) -> list[str]:
        """Grant or deny stage requests (one request type each, both carrying ``user_ids``)."""
        self.bot._require_joined()
        targets = self._stage_requesters(participant_ids)
        if not targets and participant_ids is None and self.permissions().get("accept_stage_requests"):
            return []  # nothing to decide; without the right the server is asked, so the refusal shows
        await self._call(action, "stage", event, request_type(user_ids=targets))
        return targets

    async def stage_remove(self, participant_ids: list[str]) -> list[str]:
        """Take participants off the stage (the SDK's ``stage.kick``); returns their participant ids.

        Their media stops (the server closes their producers); they may ask for the stage again.
        """
        self.bot._require_joined()
        if not participant_ids:
            raise ValueError("stage_remove needs participant ids")
        targets = [self._participant_id(who) for who in dict.fromkeys(participant_ids)]
        await self._call(
            "stage remove",
            "stage",
            RoomEvent.LEAVE_STAGE,
            livestreaming_pb2.LeaveStageRequest(user_ids=targets),
        )
        return targets
