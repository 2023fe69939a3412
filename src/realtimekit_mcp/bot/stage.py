"""Bot feature: the bot's own place on a webinar stage (request, cancel, join, leave).

Presets with ``stage_enabled`` (webinar, livestream, audio room) put a participant on or off a
stage; only a participant ON the stage may publish audio, video or a screenshare (the SDK gates
this client-side, the server refuses it too). The states are the participants view's names:
``"on_stage"``, ``"approved"`` (a host accepted the request), ``"requested"``, ``"off_stage"``;
None when the preset has no stage.

As SDK 2.0.2 does:

* :meth:`SelfStage.request` asks the hosts (``requestStageAccess``); a preset whose
  ``stage_access`` is ALLOWED needs no host: the bot is approved at once, without a request.
* :meth:`SelfStage.join` (``joinStage``) needs the approval (or ALLOWED); the server answers with
  the bot's new stage state.
* :meth:`SelfStage.leave` (``leaveStage`` with the bot's own id) and then stops the bot's audio,
  video and screenshare producers (the SDK's ``stageLeft`` cleanup). A host taking the bot off the
  stage (a ``peerStageStatusUpdate`` OFF_STAGE for the bot) stops them the same way.

The state comes from the participants view (:attr:`Roster.self_stage`, fed by the join reply and
the stage pushes), which also emits the one ``stage_changed`` event per change.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final

from realtimekit_mcp.bot.features import BotFeature
from realtimekit_mcp.bot.peer import PeerError
from realtimekit_mcp.bot.signalling import RequestError, SignallingError
from realtimekit_mcp.protocol import livestreaming_pb2
from realtimekit_mcp.protocol.events import RoomEvent
from realtimekit_mcp.protocol.framing import Frame

if TYPE_CHECKING:
    from realtimekit_mcp.bot.signalling import SignallingClient

__all__ = ["STAGE_MEDIA", "SelfStage", "StageError"]

STAGE_MEDIA: Final = ("audio", "video", "screenshare")
"""What the bot publishes that needs the stage (its ``_published`` keys)."""


class StageError(Exception):
    """A stage action was refused (by the server) or cannot apply in the bot's stage state."""


class SelfStage(BotFeature):
    """The bot's own stage state and actions."""

    name = "stage"

    # ------------------------------------------------------------------ state

    def _permissions(self) -> dict[str, Any]:
        return self.bot.host.permissions()

    @property
    def enabled(self) -> bool:
        """True when the bot's preset has a stage (``stage_enabled``)."""
        return bool(self._permissions().get("stage_enabled"))

    @property
    def allowed(self) -> bool:
        """True when the preset lets the bot on the stage without a host (``stage_access`` ALLOWED)."""
        return self._permissions().get("stage_access") == "ALLOWED"

    @property
    def state(self) -> str | None:
        """``"on_stage"``, ``"approved"``, ``"requested"``, ``"off_stage"``; None without a stage."""
        if not self.enabled:
            return None
        return self.bot.roster.self_stage or "off_stage"

    def status(self) -> dict[str, Any]:
        """``{"state": ...}`` (None when the preset has no stage)."""
        return {"state": self.state}

    def may_produce(self) -> bool:
        """True when the bot may publish media now (no stage in its preset, or on the stage)."""
        return not self.enabled or self.state == "on_stage"

    def check_produce(self, kind: str) -> None:
        """Raise :class:`StageError` when publishing ``kind`` needs the stage and the bot is not on it.

        Checked before any offer goes out, as the SDK does: a refused produce would leave the
        send connection mid-negotiation.
        """
        if kind in STAGE_MEDIA and not self.may_produce():
            raise StageError(
                f"the bot is not on the stage ({self.state}); its preset has a stage, so it may "
                f"publish {kind} only on it: request the stage and join it once a host accepts"
            )

    # ------------------------------------------------------------------ plumbing

    def register(self, sig: SignallingClient) -> None:
        """Stop publishing when a stage update takes the bot off the stage (after the roster's handler)."""
        sig.on(RoomEvent.PEER_STAGE_STATUS_UPDATE, self._on_stage_update)

    def reset(self) -> None:
        """Before a (re)join: a bot that needs a host for the stage comes back off it, so its
        audio/video/screenshare are not published again (the server would refuse them)."""
        if not self.enabled or self.allowed:
            return
        for kind in STAGE_MEDIA:
            published = self.bot._published.pop(kind, None)
            if published is not None:
                self.bot._emit(
                    "unpublished", kind=kind, producer_id=published.producer_id, reason="off stage"
                )

    def _on_stage_update(self, frame: Frame) -> None:
        if not self.may_produce() and any(k in self.bot._published for k in STAGE_MEDIA):
            self.bot._spawn(self._stop_media())

    async def _stop_media(self) -> None:
        """Close the bot's audio, video and screenshare producers (the SDK's ``stageLeft`` cleanup)."""
        for kind in STAGE_MEDIA:
            if kind in self.bot._published:
                with contextlib.suppress(SignallingError, PeerError):
                    await self.bot._unpublish(kind)

    def _need_stage(self) -> None:
        self.bot._require_joined()
        if not self.enabled:
            raise StageError("the bot's preset has no stage (stage_enabled is false)")

    async def _call(self, action: str, event: int, message: Any = None) -> Frame:
        sig = self.bot._require_sig()
        try:
            return await sig.request_frame(event, message)
        except RequestError as exc:
            raise StageError(f"{action} refused by the server: {exc.server_message}") from None

    def _learn(self, frame: Frame) -> None:
        """Apply a reply that carries the bot's stage update (joinStage, leaveStage)."""
        if frame.event == RoomEvent.PEER_STAGE_STATUS_UPDATE:
            self.bot.roster._on_stage_update(frame)

    def _set_locally(self, stage: str) -> None:
        """A state change the SDK makes without the server (approval of an ALLOWED preset)."""
        roster = self.bot.roster
        if roster.self_stage == stage:
            return
        roster.self_stage = stage
        self.bot._emit(
            "stage_changed", participant_id=self.bot.participant_id, peer_id=self.bot.peer_id, stage=stage
        )

    # ------------------------------------------------------------------ actions

    async def request(self) -> str:
        """Ask the hosts for the stage; returns the new state (``"requested"``, or ``"approved"``
        at once when the preset's ``stage_access`` is ALLOWED). Already requested: no-op.

        Raises:
            StageError: no stage in the preset, already approved or on the stage, or refused
                (``stage_access`` NOT_ALLOWED).
        """
        self._need_stage()
        state = self.state
        if state == "requested":
            return state
        if state in ("on_stage", "approved"):
            raise StageError(f"the bot is already {state.replace('_', ' ')}; no request needed")
        if self.allowed:
            self._set_locally("approved")
        else:
            await self._call("stage request", RoomEvent.REQUEST_STAGE_ACCESS)
        return self.state or "off_stage"

    async def cancel(self) -> str:
        """Withdraw a pending stage request; returns the new state (``"off_stage"``).

        Raises:
            StageError: no pending request.
        """
        self._need_stage()
        if self.state != "requested":
            raise StageError(f"the bot has no pending stage request (it is {self.state})")
        await self._call("stage cancel", RoomEvent.CANCEL_STAGE_REQUEST)
        return self.state or "off_stage"

    async def join(self) -> str:
        """Step onto the stage once approved (or when the preset allows it); returns ``"on_stage"``.

        The bot may then publish audio, video and a screenshare.

        Raises:
            StageError: not approved yet, already on the stage, or refused by the server.
        """
        self._need_stage()
        state = self.state
        if state == "on_stage":
            raise StageError("the bot is already on the stage")
        if state != "approved" and not self.allowed:
            raise StageError(
                f"a host has not approved the bot for the stage (it is {state}): request it first"
            )
        self._learn(await self._call("stage join", RoomEvent.JOIN_STAGE))
        return self.state or "off_stage"

    async def leave(self) -> str:
        """Leave the stage (or give up an approval) and stop publishing; returns ``"off_stage"``.

        Raises:
            StageError: the bot is not on the stage nor approved (a pending request: :meth:`cancel`).
        """
        self._need_stage()
        state = self.state
        if state not in ("on_stage", "approved"):
            hint = " (cancel the pending request instead)" if state == "requested" else ""
            raise StageError(f"the bot is not on the stage (it is {state}){hint}")
        request = livestreaming_pb2.LeaveStageRequest(user_ids=[self.bot.participant_id])
        self._learn(await self._call("stage leave", RoomEvent.LEAVE_STAGE, request))
        if self.bot.roster.self_stage != "off_stage":  # the reply carried no update: the SDK's state
            self._set_locally("off_stage")
        await self._stop_media()
        return self.state or "off_stage"
