"""Request bodies written from Cloudflare's SDK types and docs (not from the emulator)."""

from __future__ import annotations

import copy
from typing import Any

WEBHOOK_EVENTS = [
    "meeting.started",
    "meeting.ended",
    "meeting.participantJoined",
    "meeting.participantLeft",
    "meeting.chatSynced",
    "recording.statusUpdate",
    "livestreaming.statusUpdate",
    "meeting.transcript",
    "meeting.summary",
]

_PRESET: dict[str, Any] = {
    "config": {
        "max_screenshare_count": 1,
        "max_video_streams": {"desktop": 9, "mobile": 4},
        "media": {
            "screenshare": {"frame_rate": 5, "quality": "hd"},
            "video": {"frame_rate": 30, "quality": "hd", "simulcast": True},
            "audio": {"enable_high_bitrate": False, "enable_stereo": False},
        },
        "view_type": "GROUP_CALL",
        "livestream_viewer_qualities": [],
    },
    "permissions": {
        "accept_waiting_requests": True,
        "can_accept_production_requests": True,
        "can_change_participant_permissions": True,
        "can_edit_display_name": True,
        "can_livestream": True,
        "can_record": True,
        "can_spotlight": True,
        "chat": {
            "private": {"can_receive": True, "can_send": True, "files": True, "text": True},
            "public": {"can_send": True, "files": True, "text": True},
        },
        "connected_meetings": {
            "can_alter_connected_meetings": False,
            "can_switch_connected_meetings": False,
            "can_switch_to_parent_meeting": False,
        },
        "disable_participant_audio": False,
        "disable_participant_screensharing": False,
        "disable_participant_video": False,
        "hidden_participant": False,
        "kick_participant": True,
        "media": {
            "audio": {"can_produce": "ALLOWED"},
            "screenshare": {"can_produce": "ALLOWED"},
            "video": {"can_produce": "CAN_REQUEST"},
        },
        "pin_participant": True,
        "plugins": {"can_close": True, "can_edit_config": True, "can_start": True, "config": {}},
        "polls": {"can_create": True, "can_view": True, "can_vote": True},
        "recorder_type": "NONE",
        "show_participant_list": True,
        "waiting_room_type": "SKIP",
        "is_recorder": False,
        "transcription_enabled": True,
    },
    "ui": {
        "design_tokens": {
            "border_radius": "rounded",
            "border_width": "thin",
            "colors": {
                "background": {
                    "600": "#222222",
                    "700": "#1f1f1f",
                    "800": "#1b1b1b",
                    "900": "#181818",
                    "1000": "#141414",
                },
                "brand": {
                    "300": "#844d1c",
                    "400": "#9d5b22",
                    "500": "#b56927",
                    "600": "#d37c30",
                    "700": "#d9904f",
                },
                "danger": "#FF2D2D",
                "success": "#62A504",
                "text": "#EEEEEE",
                "text_on_brand": "#EEEEEE",
                "video_bg": "#191919",
                "warning": "#FFCD07",
            },
            "spacing_base": 4,
            "theme": "dark",
        }
    },
}


def preset_body(name: str) -> dict[str, Any]:
    """A complete preset (every field Cloudflare marks required), named ``name``."""
    body = copy.deepcopy(_PRESET)
    body["name"] = name
    return body


MEETING_AI_CONFIG: dict[str, Any] = {
    "transcription": {"language": "en-US", "keywords": ["RealtimeKit"], "profanity_filter": False},
    "summarization": {"summary_type": "team_meeting", "text_format": "markdown", "word_limit": 300},
}

MEETING_RECORDING_CONFIG: dict[str, Any] = {
    "file_name_prefix": "conformance",
    "max_seconds": 3600,
    "audio_config": {"channel": "stereo", "codec": "AAC", "export_file": True},
    "video_config": {"codec": "H264", "width": 1280, "height": 720, "export_file": True},
    "realtimekit_bucket_config": {"enabled": True},
}
