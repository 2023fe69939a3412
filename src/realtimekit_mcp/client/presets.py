"""Presets (PR1-PR6): named permission/UI bundles that participants join with (``preset_name``).

Request models are strict (unknown keys and bad enum values fail before sending) and every nested
field is optional, so the same models serve PATCH's deep-partial body. Create and replace require
the four top-level parts (``name``, ``config``, ``permissions``, ``ui``); the server checks the
nested required fields listed in the reference (§7).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

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

__all__ = [
    "AudioMedia",
    "BackgroundColors",
    "BrandColors",
    "ChatPermissions",
    "Colors",
    "ConnectedMeetingsPermissions",
    "CreatePresetRequest",
    "DesignTokens",
    "MaxVideoStreams",
    "MediaPermissions",
    "PluginAccess",
    "PluginPermissions",
    "PollPermissions",
    "Preset",
    "PresetConfig",
    "PresetMedia",
    "PresetPermissions",
    "PresetSummary",
    "PresetUI",
    "PresetsResource",
    "PrivateChatPermissions",
    "ProducePermission",
    "PublicChatPermissions",
    "ScreenshareMedia",
    "UpdatePresetRequest",
    "VideoMedia",
]

Quality = Literal["hd", "vga", "qvga", "fhd", "uhd"]
CanProduce = Literal["ALLOWED", "NOT_ALLOWED", "CAN_REQUEST"]
PartArg = Mapping[str, Any]
NonNeg = Annotated[int, Field(ge=0)]


# -- config (§7.1) ------------------------------------------------------------------------------


class MaxVideoStreams(RequestModel):
    """How many video tiles a participant sees, per device class."""

    desktop: NonNeg | None = None
    mobile: NonNeg | None = None


class VideoMedia(RequestModel):
    """Camera video settings (frame rate at most 30)."""

    quality: Quality | None = None
    frame_rate: Annotated[int, Field(ge=0, le=30)] | None = None
    simulcast: bool | None = None


class ScreenshareMedia(RequestModel):
    """Screen share settings."""

    quality: Quality | None = None
    frame_rate: NonNeg | None = None


class AudioMedia(RequestModel):
    """Audio settings."""

    enable_high_bitrate: bool | None = None
    enable_stereo: bool | None = None


class PresetMedia(RequestModel):
    """Media settings of a preset."""

    video: VideoMedia | None = None
    screenshare: ScreenshareMedia | None = None
    audio: AudioMedia | None = None


class PresetConfig(RequestModel):
    """``config``: view type, stream limits and media quality."""

    view_type: Literal["GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM"] | None = None
    max_video_streams: MaxVideoStreams | None = None
    max_screenshare_count: NonNeg | None = None
    media: PresetMedia | None = None
    livestream_viewer_qualities: list[NonNeg] | None = None


# -- permissions (§7.2) -------------------------------------------------------------------------


class PublicChatPermissions(RequestModel):
    """Public chat rights."""

    can_send: bool | None = None
    text: bool | None = None
    files: bool | None = None


class PrivateChatPermissions(RequestModel):
    """Private chat rights."""

    can_send: bool | None = None
    can_receive: bool | None = None
    text: bool | None = None
    files: bool | None = None


class ChatPermissions(RequestModel):
    """Chat rights."""

    public: PublicChatPermissions | None = None
    private: PrivateChatPermissions | None = None


class ConnectedMeetingsPermissions(RequestModel):
    """Breakout/connected meeting rights."""

    can_alter_connected_meetings: bool | None = None
    can_switch_connected_meetings: bool | None = None
    can_switch_to_parent_meeting: bool | None = None


class ProducePermission(RequestModel):
    """Whether a participant may produce a kind of media."""

    can_produce: CanProduce | None = None


class MediaPermissions(RequestModel):
    """Produce rights per media kind."""

    audio: ProducePermission | None = None
    video: ProducePermission | None = None
    screenshare: ProducePermission | None = None


class PluginAccess(RequestModel):
    """Per-plugin access; plugins may define further keys, so extra keys are allowed here."""

    model_config = ConfigDict(extra="allow")

    access_control: Literal["FULL_ACCESS", "VIEW_ONLY"] | None = None
    handles_view_only: bool | None = None


class PluginPermissions(RequestModel):
    """Plugin rights; ``config`` maps plugin ids to their access settings."""

    can_start: bool | None = None
    can_close: bool | None = None
    can_edit_config: bool | None = None
    config: dict[str, PluginAccess] | None = None


class PollPermissions(RequestModel):
    """Poll rights."""

    can_create: bool | None = None
    can_view: bool | None = None
    can_vote: bool | None = None


class PresetPermissions(RequestModel):
    """``permissions``: what participants with this preset may do."""

    accept_waiting_requests: bool | None = None
    can_accept_production_requests: bool | None = None
    can_change_participant_permissions: bool | None = None
    can_edit_display_name: bool | None = None
    can_livestream: bool | None = None
    can_record: bool | None = None
    can_spotlight: bool | None = None
    disable_participant_audio: bool | None = None
    disable_participant_screensharing: bool | None = None
    disable_participant_video: bool | None = None
    hidden_participant: bool | None = None
    kick_participant: bool | None = None
    pin_participant: bool | None = None
    show_participant_list: bool | None = None
    recorder_type: Literal["RECORDER", "LIVESTREAMER", "NONE"] | None = None
    waiting_room_type: Literal["SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT"] | None = None
    chat: ChatPermissions | None = None
    connected_meetings: ConnectedMeetingsPermissions | None = None
    media: MediaPermissions | None = None
    plugins: PluginPermissions | None = None
    polls: PollPermissions | None = None
    accept_stage_requests: bool | None = None
    is_recorder: bool | None = None
    stage_access: CanProduce | None = None
    stage_enabled: bool | None = None
    transcription_enabled: bool | None = None


# -- ui (§7.3) ----------------------------------------------------------------------------------


class BackgroundColors(RequestModel):
    """Background shades; the wire keys are the strings ``"600"`` .. ``"1000"``."""

    shade_600: str | None = Field(None, alias="600")
    shade_700: str | None = Field(None, alias="700")
    shade_800: str | None = Field(None, alias="800")
    shade_900: str | None = Field(None, alias="900")
    shade_1000: str | None = Field(None, alias="1000")


class BrandColors(RequestModel):
    """Brand shades; the wire keys are the strings ``"300"`` .. ``"700"``."""

    shade_300: str | None = Field(None, alias="300")
    shade_400: str | None = Field(None, alias="400")
    shade_500: str | None = Field(None, alias="500")
    shade_600: str | None = Field(None, alias="600")
    shade_700: str | None = Field(None, alias="700")


class Colors(RequestModel):
    """Colour palette (hex strings)."""

    background: BackgroundColors | None = None
    brand: BrandColors | None = None
    danger: str | None = None
    success: str | None = None
    text: str | None = None
    text_on_brand: str | None = None
    video_bg: str | None = None
    warning: str | None = None


class DesignTokens(RequestModel):
    """Look of the meeting UI."""

    border_radius: Literal["sharp", "rounded", "extra-rounded", "circular"] | None = None
    border_width: Literal["none", "thin", "fat"] | None = None
    spacing_base: Annotated[float, Field(ge=1)] | None = None
    theme: Literal["darkest", "dark", "light"] | None = None
    colors: Colors | None = None
    font_family: str | None = None
    google_font: str | None = None
    logo: str | None = None


class PresetUI(RequestModel):
    """``ui``: design tokens (``config_diff`` is a legacy free-form object)."""

    design_tokens: DesignTokens | None = None
    config_diff: dict[str, Any] | None = None


# -- bodies and responses -----------------------------------------------------------------------


class CreatePresetRequest(RequestModel):
    """Body of PR2 POST and PR5 PUT: all four parts required."""

    name: Annotated[str, Field(min_length=1)]
    config: PresetConfig
    permissions: PresetPermissions
    ui: PresetUI


class UpdatePresetRequest(RequestModel):
    """Body of PR4 PATCH: any subset, nested fields too."""

    name: Annotated[str, Field(min_length=1)] | None = None
    config: PresetConfig | None = None
    permissions: PresetPermissions | None = None
    ui: PresetUI | None = None


class PresetSummary(ResponseModel):
    """A preset as listed by PR1 (id, name, timestamps)."""

    id: str | None = None
    name: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class Preset(ResponseModel):
    """A full preset (PR2-PR6). Nested parts are kept as dicts: they are large and may grow."""

    id: str
    name: str | None = None
    config: dict[str, Any] | None = None
    permissions: dict[str, Any] | None = None
    ui: dict[str, Any] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class PresetsResource(Resource):
    """``client.presets``."""

    @validated
    async def list(
        self, *, page_no: PageNo | None = None, per_page: PerPage | None = None, search: str | None = None
    ) -> Page[PresetSummary]:
        """PR1 GET presets (search by name)."""
        env = await self._call(
            "GET", "presets", params={"page_no": page_no, "per_page": per_page, "search": search}
        )
        return to_page(env, PresetSummary, page_no=page_no, per_page=per_page)

    def iter(self, *, per_page: int | None = None, search: str | None = None) -> AsyncIterator[PresetSummary]:
        """Every preset, page after page."""
        return iterate_pages(lambda n: self.list(page_no=n, per_page=per_page, search=search))

    @validated
    async def create(
        self,
        name: str,
        config: PresetConfig | PartArg,
        permissions: PresetPermissions | PartArg,
        ui: PresetUI | PartArg,
    ) -> Preset:
        """PR2 POST presets (201)."""
        body = build_request(CreatePresetRequest, name=name, config=config, permissions=permissions, ui=ui)
        env = await self._call("POST", "presets", json=body.to_body())
        return parse_response(Preset, env.data, status_code=env.status_code)

    @validated
    async def get(self, preset_id: str) -> Preset:
        """PR3 GET presets/{id}."""
        env = await self._call("GET", "presets", preset_id)
        return parse_response(Preset, env.data, status_code=env.status_code)

    @validated
    async def update(
        self,
        preset_id: str,
        *,
        name: str | None = None,
        config: PresetConfig | PartArg | None = None,
        permissions: PresetPermissions | PartArg | None = None,
        ui: PresetUI | PartArg | None = None,
    ) -> Preset:
        """PR4 PATCH presets/{id}: deep-partial update (only the given nested fields change)."""
        body = build_request(UpdatePresetRequest, name=name, config=config, permissions=permissions, ui=ui)
        env = await self._call("PATCH", "presets", preset_id, json=body.to_body())
        return parse_response(Preset, env.data, status_code=env.status_code)

    @validated
    async def replace(
        self,
        preset_id: str,
        name: str,
        config: PresetConfig | PartArg,
        permissions: PresetPermissions | PartArg,
        ui: PresetUI | PartArg,
    ) -> Preset:
        """PR5 PUT presets/{id}: replace the whole preset."""
        body = build_request(CreatePresetRequest, name=name, config=config, permissions=permissions, ui=ui)
        env = await self._call("PUT", "presets", preset_id, json=body.to_body())
        return parse_response(Preset, env.data, status_code=env.status_code)

    @validated
    async def delete(self, preset_id: str) -> Preset:
        """PR6 DELETE presets/{id}: returns the deleted preset."""
        env = await self._call("DELETE", "presets", preset_id)
        return parse_response(Preset, env.data, status_code=env.status_code)
