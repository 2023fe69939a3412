"""Typed async client for Cloudflare RealtimeKit's REST API (and the local emulator).

```python
from realtimekit_mcp.client import RealtimeKitClient, errors
```

Resource groups: ``apps``, ``meetings``, ``participants``, ``active_session``, ``presets``,
``sessions``, ``recordings``, ``livestreams``, ``analytics``, ``webhooks``. Methods return pydantic
models (the unwrapped ``data``); paged lists return ``Page[T]`` and have ``iter*`` async iterators.
"""

from realtimekit_mcp.client import errors
from realtimekit_mcp.client._client import DEFAULT_BASE_URL, RealtimeKitClient
from realtimekit_mcp.client._http import Clock, RetryPolicy, SystemClock
from realtimekit_mcp.client._models import Page, Paging
from realtimekit_mcp.client.active_session import (
    ActionParticipant,
    KickAllResult,
    MuteAllResult,
    ParticipantsActionResult,
    Poll,
    PollOption,
    PollResult,
    PollVote,
)
from realtimekit_mcp.client.analytics import OrgAnalytics, RecordingStats, SessionStats
from realtimekit_mcp.client.apps import App
from realtimekit_mcp.client.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RealtimeKitError,
    RequestValidationError,
    ResponseFormatError,
    ResponseTooLargeError,
    ServerError,
)
from realtimekit_mcp.client.livestreams import (
    ActiveLivestreamSession,
    Livestream,
    LivestreamAnalyticsTotals,
    LivestreamDayAnalytics,
    LivestreamDetails,
    LivestreamSession,
    StopLivestreamResult,
)
from realtimekit_mcp.client.meetings import (
    AIConfig,
    AudioConfig,
    BucketConfig,
    LiveStreamingConfig,
    Meeting,
    RecordingConfig,
    StorageConfig,
    SummarizationConfig,
    TranscriptionConfig,
    VideoConfig,
    Watermark,
)
from realtimekit_mcp.client.participants import DeletedParticipant, Participant
from realtimekit_mcp.client.presets import (
    Preset,
    PresetConfig,
    PresetPermissions,
    PresetSummary,
    PresetUI,
)
from realtimekit_mcp.client.recordings import Recording, RecordingReason, TrackLayer
from realtimekit_mcp.client.sessions import (
    ChatExport,
    PeerEvent,
    PeerReport,
    Session,
    SessionParticipant,
    SummaryExport,
    SummaryJob,
    TranscriptExport,
)
from realtimekit_mcp.client.webhooks import WEBHOOK_EVENTS, Webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "WEBHOOK_EVENTS",
    "AIConfig",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ActionParticipant",
    "ActiveLivestreamSession",
    "App",
    "AudioConfig",
    "AuthenticationError",
    "BadRequestError",
    "BucketConfig",
    "ChatExport",
    "Clock",
    "ConflictError",
    "DeletedParticipant",
    "KickAllResult",
    "LiveStreamingConfig",
    "Livestream",
    "LivestreamAnalyticsTotals",
    "LivestreamDayAnalytics",
    "LivestreamDetails",
    "LivestreamSession",
    "Meeting",
    "MuteAllResult",
    "NotFoundError",
    "OrgAnalytics",
    "Page",
    "Paging",
    "Participant",
    "ParticipantsActionResult",
    "PeerEvent",
    "PeerReport",
    "PermissionDeniedError",
    "Poll",
    "PollOption",
    "PollResult",
    "PollVote",
    "Preset",
    "PresetConfig",
    "PresetPermissions",
    "PresetSummary",
    "PresetUI",
    "RateLimitError",
    "RealtimeKitClient",
    "RealtimeKitError",
    "Recording",
    "RecordingConfig",
    "RecordingReason",
    "RecordingStats",
    "RequestValidationError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "Session",
    "SessionParticipant",
    "SessionStats",
    "StopLivestreamResult",
    "StorageConfig",
    "SummarizationConfig",
    "SummaryExport",
    "SummaryJob",
    "SystemClock",
    "TrackLayer",
    "TranscriptExport",
    "TranscriptionConfig",
    "VideoConfig",
    "Watermark",
    "Webhook",
    "errors",
]
