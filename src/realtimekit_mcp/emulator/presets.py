"""The presets every new app starts with (see LIMITATIONS.md for how the names were chosen)."""

from __future__ import annotations

from typing import Any

DEFAULT_PRESETS: tuple[tuple[str, str, bool], ...] = (
    ("group_call_host", "GROUP_CALL", True),
    ("group_call_participant", "GROUP_CALL", False),
    ("webinar_host", "WEBINAR", True),
    ("webinar_participant", "WEBINAR", False),
    ("livestream_host", "LIVESTREAM", True),
    ("livestream_viewer", "LIVESTREAM", False),
    ("audio_room_host", "AUDIO_ROOM", True),
    ("audio_room_listener", "AUDIO_ROOM", False),
)
"""(name, view_type, is_host) of each default preset."""

DEFAULT_DESIGN_TOKENS: dict[str, Any] = {
    "border_radius": "rounded",
    "border_width": "thin",
    "spacing_base": 4,
    "theme": "dark",
    "colors": {
        "background": {
            "600": "#222222",
            "700": "#1f1f1f",
            "800": "#1b1b1b",
            "900": "#181818",
            "1000": "#141414",
        },
        "brand": {"300": "#844d1c", "400": "#9d5b22", "500": "#b56927", "600": "#d37c30", "700": "#d9904f"},
        "danger": "#FF2D2D",
        "success": "#62A504",
        "text": "#EEEEEE",
        "text_on_brand": "#EEEEEE",
        "video_bg": "#191919",
        "warning": "#FFCD07",
    },
}


def default_preset_body(name: str, view_type: str, host: bool) -> dict[str, Any]:
    """A complete, valid preset body (name, config, permissions, ui)."""
    speaks = host or view_type == "GROUP_CALL"
    produce = (
        "ALLOWED" if speaks else ("CAN_REQUEST" if view_type in ("WEBINAR", "AUDIO_ROOM") else "NOT_ALLOWED")
    )
    video = "NOT_ALLOWED" if view_type == "AUDIO_ROOM" else produce
    return {
        "name": name,
        "config": {
            "view_type": view_type,
            "max_video_streams": {"desktop": 9 if view_type == "GROUP_CALL" else 6, "mobile": 4},
            "max_screenshare_count": 1,
            "media": {
                "video": {"quality": "hd", "frame_rate": 30, "simulcast": False},
                "screenshare": {"quality": "hd", "frame_rate": 5},
                "audio": {"enable_high_bitrate": False, "enable_stereo": False},
            },
            "livestream_viewer_qualities": [] if view_type != "LIVESTREAM" else [360, 720],
        },
        "permissions": {
            "accept_waiting_requests": host,
            "can_accept_production_requests": host,
            "can_change_participant_permissions": host,
            "can_edit_display_name": True,
            "can_livestream": host,
            "can_record": host,
            "can_spotlight": host,
            "disable_participant_audio": host,
            "disable_participant_screensharing": host,
            "disable_participant_video": host,
            "hidden_participant": False,
            "kick_participant": host,
            "pin_participant": host,
            "show_participant_list": True,
            "recorder_type": "NONE",
            "waiting_room_type": "SKIP",
            "chat": {
                "public": {"can_send": True, "text": True, "files": True},
                "private": {"can_send": True, "can_receive": True, "text": True, "files": True},
            },
            "connected_meetings": {
                "can_alter_connected_meetings": host,
                "can_switch_connected_meetings": host,
                "can_switch_to_parent_meeting": host,
            },
            "media": {
                "audio": {"can_produce": produce},
                "video": {"can_produce": video},
                "screenshare": {"can_produce": video},
            },
            "plugins": {"can_start": host, "can_close": host, "can_edit_config": host, "config": {}},
            "polls": {"can_create": host, "can_view": True, "can_vote": True},
            "accept_stage_requests": host,
            "is_recorder": False,
            "stage_access": produce,
            "stage_enabled": view_type in ("WEBINAR", "AUDIO_ROOM", "LIVESTREAM"),
            "transcription_enabled": False,
        },
        "ui": {"design_tokens": DEFAULT_DESIGN_TOKENS},
    }
