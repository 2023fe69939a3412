"""Request body specifications (RealtimeKit's documented fields, types, enums and limits)."""

from __future__ import annotations

from .events import WEBHOOK_EVENTS
from .validation import Any_, Arr, Bool, Enum, Num, Obj, Str

MEETING_STATUSES = ("ACTIVE", "INACTIVE")
SESSION_STATUSES = ("LIVE", "ENDED")
RECORDING_STATUSES = ("INVOKED", "RECORDING", "UPLOADING", "UPLOADED", "ERRORED", "PAUSED")
LIVESTREAM_STATUSES = ("LIVE", "IDLE", "ERRORED", "INVOKED")
VIEW_TYPES = ("GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM")
QUALITIES = ("hd", "vga", "qvga", "fhd", "uhd")
CAN_PRODUCE = ("ALLOWED", "NOT_ALLOWED", "CAN_REQUEST")
TRANSCRIPT_FORMATS = ("SRT", "VTT", "JSON", "CSV")
LANGUAGES = ("en-US", "en-IN", "de", "hi", "sv", "ru", "pl", "el", "fr", "nl")
SUMMARY_TYPES = (
    "general",
    "team_meeting",
    "sales_call",
    "client_check_in",
    "interview",
    "daily_standup",
    "one_on_one_meeting",
    "lecture",
    "code_review",
)

STORAGE_CONFIG = Obj(
    nullable=True,
    fields={
        "type": Enum(("aws", "azure", "digitalocean", "gcs", "sftp"), required=True),
        "bucket": Str(required=True),
        "region": Str(),
        "path": Str(),
        "access_key": Str(),
        "secret": Str(),
        "auth_method": Enum(("KEY", "PASSWORD")),
        "username": Str(),
        "host": Str(),
        "port": Num(),
        "password": Str(),
        "private_key": Str(),
    },
)
STORAGE_SECRETS = ("access_key", "secret", "password", "private_key")

AUDIO_CONFIG = Obj(
    fields={
        "channel": Enum(("mono", "stereo")),
        "codec": Enum(("MP3", "AAC")),
        "export_file": Bool(),
    }
)
VIDEO_CONFIG = Obj(
    fields={
        "codec": Enum(("H264", "VP8", "VP9")),
        "width": Num(integer=True, minimum=1, maximum=1920),
        "height": Num(integer=True, minimum=1, maximum=1920),
        "export_file": Bool(),
        "watermark": Obj(
            fields={
                "url": Str(uri=True),
                "position": Enum(("left top", "right top", "left bottom", "right bottom")),
                "size": Obj(fields={"width": Num(minimum=1), "height": Num(minimum=1)}),
            }
        ),
    }
)
BUCKET_CONFIG = Obj(fields={"enabled": Bool(required=True)})

RECORDING_CONFIG = Obj(
    fields={
        "file_name_prefix": Str(),
        "max_seconds": Num(minimum=60, maximum=86400),
        "audio_config": AUDIO_CONFIG,
        "video_config": VIDEO_CONFIG,
        "live_streaming_config": Obj(fields={"rtmp_url": Str(uri=True)}),
        "realtimekit_bucket_config": BUCKET_CONFIG,
        "storage_config": STORAGE_CONFIG,
    }
)
AI_CONFIG = Obj(
    fields={
        "transcription": Obj(
            fields={
                "language": Str(),  # the SDK enum and Whisper's bare codes disagree: accept any string
                "keywords": Arr(Str()),
                "profanity_filter": Bool(),
            }
        ),
        "summarization": Obj(
            fields={
                "summary_type": Enum(SUMMARY_TYPES),
                "text_format": Enum(("plain_text", "markdown")),
                "word_limit": Num(integer=True, minimum=150, maximum=1000),
            }
        ),
    }
)


def meeting_body(*, with_status: bool) -> Obj:
    """Meeting create/replace (``with_status=False``) or update (``True``) body.

    Only create/replace accept ``null`` for title, record_on_start and live_stream_on_start.
    """
    nullable = not with_status
    fields = {
        "title": Str(nullable=nullable),
        "record_on_start": Bool(nullable=nullable),
        "live_stream_on_start": Bool(nullable=nullable),
        "persist_chat": Bool(),
        "summarize_on_end": Bool(),
        "transcribe_on_end": Bool(),
        "session_keep_alive_time_in_secs": Num(minimum=60, maximum=600),
        "recording_config": RECORDING_CONFIG,
        "ai_config": AI_CONFIG,
        "preferred_region": Str(nullable=True),
    }
    if with_status:
        fields["status"] = Enum(MEETING_STATUSES)
    return Obj(fields=fields)


PARTICIPANT_ADD = Obj(
    fields={
        "custom_participant_id": Str(required=True, min_len=1),
        "preset_name": Str(required=True, min_len=1),
        "name": Str(nullable=True),
        "picture": Str(nullable=True, uri=True),
    }
)
PARTICIPANT_EDIT = Obj(
    fields={
        "name": Str(nullable=True),
        "picture": Str(nullable=True, uri=True),
        "preset_name": Str(nullable=True, min_len=1),
    }
)

KICK = Obj(
    fields={
        "participant_ids": Arr(Str(), min_items=1),
        "custom_participant_ids": Arr(Str(), min_items=1),
    }
)
MUTE_ALL = Obj(fields={"allow_unmute": Bool()})
POLL = Obj(
    fields={
        "question": Str(required=True, min_len=1),
        "options": Arr(Str(), required=True, min_items=1),
        "anonymous": Bool(),
        "hide_votes": Bool(),
    }
)

# -- presets ---------------------------------------------------------------------------------------
_B = Bool(required=True)
_COLORS = Obj(
    required=True,
    fields={
        "background": Obj(
            required=True, fields={k: Str(required=True) for k in ("600", "700", "800", "900", "1000")}
        ),
        "brand": Obj(
            required=True, fields={k: Str(required=True) for k in ("300", "400", "500", "600", "700")}
        ),
        **{
            k: Str(required=True)
            for k in ("danger", "success", "text", "text_on_brand", "video_bg", "warning")
        },
    },
)
PRESET = Obj(
    fields={
        "name": Str(required=True, min_len=1),
        "config": Obj(
            required=True,
            fields={
                "view_type": Enum(VIEW_TYPES, required=True),
                "max_video_streams": Obj(
                    required=True,
                    fields={
                        "desktop": Num(required=True, minimum=0),
                        "mobile": Num(required=True, minimum=0),
                    },
                ),
                "max_screenshare_count": Num(required=True, minimum=0),
                "media": Obj(
                    required=True,
                    fields={
                        "video": Obj(
                            required=True,
                            fields={
                                "quality": Enum(QUALITIES, required=True),
                                "frame_rate": Num(required=True, minimum=0, maximum=30),
                                "simulcast": Bool(),
                            },
                        ),
                        "screenshare": Obj(
                            required=True,
                            fields={
                                "quality": Enum(QUALITIES, required=True),
                                "frame_rate": Num(required=True, minimum=0),
                            },
                        ),
                        "audio": Obj(fields={"enable_high_bitrate": Bool(), "enable_stereo": Bool()}),
                    },
                ),
                "livestream_viewer_qualities": Arr(Num(minimum=0, integer=True), nullable=True),
            },
        ),
        "permissions": Obj(
            required=True,
            fields={
                **{
                    k: _B
                    for k in (
                        "accept_waiting_requests",
                        "can_accept_production_requests",
                        "can_change_participant_permissions",
                        "can_edit_display_name",
                        "can_livestream",
                        "can_record",
                        "can_spotlight",
                        "disable_participant_audio",
                        "disable_participant_screensharing",
                        "disable_participant_video",
                        "hidden_participant",
                        "kick_participant",
                        "pin_participant",
                        "show_participant_list",
                    )
                },
                "recorder_type": Enum(("RECORDER", "LIVESTREAMER", "NONE"), required=True),
                "waiting_room_type": Enum(
                    ("SKIP", "ON_PRIVILEGED_USER_ENTRY", "SKIP_ON_ACCEPT"), required=True
                ),
                "chat": Obj(
                    required=True,
                    fields={
                        "public": Obj(required=True, fields={"can_send": _B, "text": _B, "files": _B}),
                        "private": Obj(
                            required=True, fields={"can_send": _B, "can_receive": _B, "text": _B, "files": _B}
                        ),
                    },
                ),
                "connected_meetings": Obj(
                    required=True,
                    fields={
                        "can_alter_connected_meetings": _B,
                        "can_switch_connected_meetings": _B,
                        "can_switch_to_parent_meeting": _B,
                    },
                ),
                "media": Obj(
                    required=True,
                    fields={
                        k: Obj(required=True, fields={"can_produce": Enum(CAN_PRODUCE, required=True)})
                        for k in ("audio", "video", "screenshare")
                    },
                ),
                "plugins": Obj(
                    required=True,
                    fields={
                        "can_start": _B,
                        "can_close": _B,
                        "can_edit_config": _B,
                        "config": Obj(
                            required=True,
                            values=Obj(
                                fields={
                                    "access_control": Enum(("FULL_ACCESS", "VIEW_ONLY")),
                                    "handles_view_only": Bool(),
                                }
                            ),
                        ),
                    },
                ),
                "polls": Obj(required=True, fields={"can_create": _B, "can_view": _B, "can_vote": _B}),
                "accept_stage_requests": Bool(),
                "is_recorder": Bool(),
                "stage_access": Enum(CAN_PRODUCE),
                "stage_enabled": Bool(),
                "transcription_enabled": Bool(),
            },
        ),
        "ui": Obj(
            required=True,
            fields={
                "design_tokens": Obj(
                    required=True,
                    fields={
                        "border_radius": Enum(
                            ("sharp", "rounded", "extra-rounded", "circular"), required=True
                        ),
                        "border_width": Enum(("none", "thin", "fat"), required=True),
                        "spacing_base": Num(required=True, minimum=1),
                        "theme": Enum(("darkest", "dark", "light"), required=True),
                        "colors": _COLORS,
                        "font_family": Str(),
                        "google_font": Str(),
                        "logo": Str(uri=True),
                    },
                ),
                "config_diff": Any_(),
            },
        ),
    }
)

# -- recordings ------------------------------------------------------------------------------------
RECORDING_START = Obj(
    fields={
        "meeting_id": Str(required=True, guid=True),
        "allow_multiple_recordings": Bool(),
        "audio_config": AUDIO_CONFIG,
        "video_config": VIDEO_CONFIG,
        "file_name_prefix": Str(),
        "max_seconds": Num(integer=True, minimum=60, maximum=86400),
        "realtimekit_bucket_config": BUCKET_CONFIG,
        "storage_config": STORAGE_CONFIG,
        "rtmp_out_config": Obj(fields={"rtmp_url": Str(uri=True)}),
        "interactive_config": Obj(fields={"type": Enum(("ID3",))}),
        "url": Str(uri=True),
    }
)
TRACK_RECORDING = Obj(
    fields={
        "meeting_id": Str(required=True, guid=True),
        "layers": Obj(
            values=Obj(
                fields={
                    "file_name_prefix": Str(pattern=r"[-\w\s]+"),
                    "media_kind": Enum(("audio",)),
                }
            )
        ),
        "user_ids": Arr(Str(min_len=1, max_len=256), min_items=1, max_items=100),
    }
)
RECORDING_ACTION = Obj(fields={"action": Enum(("stop", "pause", "resume"), required=True)})

# -- livestreams, webhooks, apps ---------------------------------------------------------------------
LIVESTREAM_START = Obj(
    fields={
        "name": Str(nullable=True, pattern=r"[a-zA-Z0-9_-]*"),
        "video_config": Obj(
            fields={"width": Num(integer=True, minimum=1), "height": Num(integer=True, minimum=1)}
        ),
        "manual_ingest": Bool(),
    }
)


def webhook_body(*, partial: bool) -> Obj:
    """Webhook create/replace (``partial=False``) or edit (``True``) body."""
    req = not partial
    return Obj(
        fields={
            "name": Str(required=req, min_len=1),
            "url": Str(required=req, uri=True),
            "events": Arr(Enum(WEBHOOK_EVENTS), required=req, min_items=1),
            "enabled": Bool(),
        }
    )


APP_CREATE = Obj(fields={"name": Str(required=True, min_len=1)})
