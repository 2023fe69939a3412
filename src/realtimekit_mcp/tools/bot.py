"""Toolset ``bot``: a live participant the agent controls (join, speak, chat, play, show, listen, leave).

Handle pattern (the 2026-07-28 spec's "Stateful Tools" guidance): the protocol keeps no session,
so ``bot_join`` returns an opaque handle ``bot_id`` and every other bot tool takes it. A handle:

- is opaque (``bot_`` + random text), never a meeting or participant id;
- lives until ``bot_leave``, a kick, the meeting ending, or the server's exit (``bot_join`` says
  so); an ended bot's status stays readable for an hour;
- is checked on every call: an unknown handle, or one whose bot has ended, gives a ``ToolError``
  that names what happened and what to call next.

A bot joins with the project's bot preset (host rights: admit, pin, mute, kick, polls, plugins;
the ``host`` toolset uses them) or a named one; a preset with a waiting room leaves the bot
*waitlisted* until a host admits it, and tools that need a joined bot say so.

Files come only from the media directory (``server.media``); URLs are never fetched. Speech
(``say``, ``interrupt`` and transcripts of what the bot hears) needs the ``speech`` extra; without
it ``say`` explains how to install it and everything else works.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ResourceLink
from pydantic import BaseModel, Field

from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, short, tool_handler
from realtimekit_mcp.tools._common import Ctx, MeetingId, deps_of

if TYPE_CHECKING:
    from realtimekit_mcp.bot import BotManager, BotParticipant
    from realtimekit_mcp.server.deps import Deps

HANDLE_PREFIX = "bot_"
BOT_EXTRA = "Bots need the 'bot' extra: pip install 'realtimekit-mcp[bot]' (then restart the server)."
SPEECH_EXTRA = (
    "Speech is not available on this server: install the 'speech' extra "
    "(pip install 'realtimekit-mcp[speech]') and restart it. chat, play and show work without it."
)
LIFETIME = "until bot_leave, a kick, the meeting ending or server shutdown"
MAX_EVENTS = 200
TRANSCRIPT_TAIL = 8
_INTERNAL_KEYS = frozenset(
    {"peer_id", "producer_id", "from_peer_id", "chat_id", "payload_type", "consumer_id"}
)

BotId = Annotated[str, Field(description="Handle from bot_join")]
SendAction = Literal[
    "say",
    "chat",
    "image",
    "attach",
    "play",
    "show",
    "share",
    "stop",
    "interrupt",
    "stage_request",
    "stage_leave",
]
URL_CHARS = 300  # image and file URLs are shown whole (up to this), other event fields cut at 60


class BotOut(BaseModel):
    """A bot that joined."""

    bot_id: str
    meeting_id: str
    participant_id: str
    state: str


def unknown_handle(bot_id: str) -> ToolError:
    """The error for a handle that is unknown (never issued, or forgotten long after it ended)."""
    return ToolError(
        f"Unknown bot_id {bot_id!r}: call bot_status without bot_id to list bots, or bot_join for a new one."
    )


def ended_error(bot_id: str, bot: BotParticipant) -> ToolError:
    """The error for a bot that has ended, with its reason."""
    reason = bot.end_reason or bot.state.value
    return ToolError(f"Bot {bot_id} has ended ({bot.state.value}: {reason}); call bot_join again.")


async def _manager(ctx: Ctx) -> BotManager:
    try:
        return await deps_of(ctx).bots()
    except ImportError:
        raise ToolError(BOT_EXTRA) from None


def _lookup(deps: Deps, bot_id: str) -> BotParticipant:
    manager = deps.bot_manager
    if manager is None:
        raise unknown_handle(bot_id)
    from realtimekit_mcp.bot import UnknownBotError

    try:
        return manager.get(bot_id)
    except UnknownBotError:
        raise unknown_handle(bot_id) from None


def live_bot(deps: Deps, bot_id: str) -> BotParticipant:
    """The joined bot behind ``bot_id``, or a ``ToolError`` saying why it cannot act (unknown,
    ended, waiting in the waiting room, reconnecting)."""
    bot = _lookup(deps, bot_id)
    if bot.state.terminal:
        raise ended_error(bot_id, bot)
    if bot.state.value == "waitlisted":
        raise ToolError(waiting_message(bot_id, bot))
    if bot.state.value != "joined":
        raise ToolError(f"Bot {bot_id} is {bot.state.value}; retry in a few seconds (bot_status shows it).")
    return bot


def waiting_message(bot_id: str, bot: BotParticipant) -> str:
    """What to say about a bot that waits in the waiting room."""
    return (
        f"Bot {bot_id} is waiting in the waiting room of meeting {bot.meeting_id}: a host must admit it "
        "first (bot_status shows when it has joined)."
    )


# -- bot_join -------------------------------------------------------------------------------------


@tool_handler(
    action="join the bot", not_found="Use meeting_get without meeting_id to list meetings.", output=BotOut
)
async def bot_join(
    ctx: Ctx,
    meeting_id: MeetingId,
    name: Annotated[str, Field(min_length=1, max_length=60, description="Display name")] = "Bot",
    listen: Annotated[
        bool, Field(description="Receive the others' audio (and transcribe it with speech)")
    ] = True,
    preset: Annotated[
        str | None, Field(description="Preset name (default: the bot preset, with host rights)")
    ] = None,
) -> ToolOutput:
    await ctx.report_progress(0, 3, "starting the bot runtime")
    manager = await _manager(ctx)
    from realtimekit_mcp.bot import BotJoinError, BotLimitError

    via_agent = deps_of(ctx).bot_listen_via == "agent"
    transcribe = listen and not via_agent and await deps_of(ctx).can_transcribe()
    await ctx.report_progress(1, 3, "joining the meeting (socket and WebRTC)")
    try:
        bot_id = await manager.join(
            meeting_id=meeting_id,
            name=name,
            listen=listen,
            transcribe=transcribe,
            listen_via="agent" if listen and via_agent else "media",
            preset_name=preset,
        )
    except BotLimitError as err:
        raise ToolError(f"Could not join: {err}. bot_status lists the bots; bot_leave frees one.") from None
    except BotJoinError as err:
        check = "the preset name (preset_list) and the meeting" if preset else "the meeting"
        raise ToolError(
            f"Could not join meeting {meeting_id}: {short(err, 200)}. Check {check} with meeting_get."
        ) from None
    bot = manager.get(bot_id)
    await ctx.report_progress(3, 3, bot.state.value)
    out = BotOut(
        bot_id=bot_id, meeting_id=meeting_id, participant_id=bot.participant_id, state=bot.state.value
    )
    hearing = (
        "it receives the service's transcripts over the Agent Participant socket (bot_status)"
        if listen and via_agent
        else "it transcribes what it hears (bot_status)"
        if transcribe
        else "it receives audio without transcribing (no speech extra)"
        if listen
        else "it does not listen"
    )
    if bot.state.value == "waitlisted":
        return ToolOutput(
            f"Bot {bot_id} ('{bot.display_name}') is in the waiting room of meeting {meeting_id} as "
            f"participant {bot.participant_id}: its preset has a waiting room, so a host must admit it "
            f"(bot_status shows when it has joined; a rejected bot ends). It stays {LIFETIME}.",
            out,
        )
    stage = bot.stage.state
    off_stage = (
        f" Its preset has a stage and it is {stage.replace('_', ' ')}: bot_send action=stage_request "
        "before it speaks, plays or shows."
        if stage not in (None, "on_stage")
        else ""
    )
    return ToolOutput(
        f"Bot {bot_id} ('{bot.display_name}') joined meeting {meeting_id} as participant "
        f"{bot.participant_id}; {hearing}. It stays {LIFETIME}. Next: bot_send, bot_status.{off_stage}",
        out,
    )


# -- bot_send -------------------------------------------------------------------------------------


def _speech_error(err: Exception) -> ToolError:
    return ToolError(f"{SPEECH_EXTRA} ({short(err, 160)})")


async def _say(bot: BotParticipant, text: str, *, interrupt: bool = False) -> str:
    from realtimekit_mcp.speech import SpeechUnavailableError

    try:
        item = await (bot.interrupt(text) if interrupt else bot.say(text))
    except (SpeechUnavailableError, ImportError) as err:
        raise _speech_error(err) from None
    sentences = len(item.sentences)
    lead = "interrupted and saying" if interrupt else "saying"
    return f"{lead} {short(text, 60)!r} ({sentences} sentence{'s' if sentences != 1 else ''}, queued)"


async def _stop(bot: BotParticipant, what: str) -> str:
    stopped: list[str] = []
    if what in ("audio", "all"):
        bot.stop_speaking()  # speech queue and queued audio
        bot.stop_continuous_tone()
        stopped.append("audio")
    published = bot.status()["published"]
    if what in ("video", "all") and "video" in published:
        await bot.stop_video()
        stopped.append("video")
    if what in ("screenshare", "all") and "screenshare" in published:
        await bot.stop_screenshare()
        stopped.append("screenshare")
    return f"stopped {' and '.join(stopped) or f'nothing (no {what})'}"


def _recipients(to: list[str] | None) -> str:
    return ", ".join(to) if to else "everyone"


NOT_IN_ROOM = "Some of 'to' are not in the room: use participant ids from bot_status (participants)."


async def _image(
    bot: BotParticipant, path: Any, file: str, to: list[str] | None, *, image: bool = True
) -> str:
    from realtimekit_mcp.bot.chat_files import ChatFileError

    try:
        send = bot.chat_files.send_image if image else bot.chat_files.send_file
        url = await send(path, to=to)
    except KeyError:
        raise ToolError(NOT_IN_ROOM) from None
    except ChatFileError as err:
        raise ToolError(f"Not sent: {short(err, 200)}") from None
    return f"sent {'image' if image else 'file'} {file} to {_recipients(to)} ({url})"


async def _stage(bot: BotParticipant, action: str) -> str:
    """stage_request: ask for the stage, or join it once approved; stage_leave: leave it or cancel."""
    stage = bot.stage
    state = stage.state
    if state is None:
        raise ToolError("Not done: the bot's preset has no stage (only webinar-like presets have one).")
    if action == "stage_leave":
        if state == "off_stage":
            return "not on the stage (nothing to leave)"
        if state == "requested":
            await stage.cancel()
            return "cancelled its stage request"
        await stage.leave()
        return "left the stage (its audio, video and screenshare stopped)"
    if state == "on_stage":
        return "already on the stage"
    if state == "approved" or stage.allowed:
        await stage.join()
        return "joined the stage: it may now say, play, show and share"
    if state == "requested":
        return "still waiting for a host to accept its stage request"
    if await stage.request() == "approved":
        await stage.join()
        return "joined the stage: it may now say, play, show and share"
    return "asked the hosts for the stage; once accepted (bot_status), stage_request again joins it"


@tool_handler(action="send from the bot")
async def bot_send(
    ctx: Ctx,
    bot_id: BotId,
    action: Annotated[
        SendAction,
        Field(
            description="say: speak text (TTS); interrupt: cut speech; stage_request: ask for a "
            "webinar stage, or join it once accepted; stage_leave: leave it or cancel the request"
        ),
    ],
    text: Annotated[
        str | None, Field(max_length=4000, description="say/chat: the text; interrupt: say it now")
    ] = None,
    file: Annotated[
        str | None,
        Field(
            description="play: audio; image: image; attach: any; show/share: image or video (media dir name)"
        ),
    ] = None,
    to: Annotated[
        list[str] | None, Field(description="chat/image: participant ids (default: everyone)")
    ] = None,
    what: Annotated[
        Literal["audio", "video", "screenshare", "all"], Field(description="stop: which output")
    ] = "all",
) -> ToolOutput:
    from realtimekit_mcp.server.media import (
        AUDIO_SUFFIXES,
        DOCUMENT_SUFFIXES,
        IMAGE_SUFFIXES,
        VIDEO_SUFFIXES,
        MediaPathError,
        media_file,
    )

    deps = deps_of(ctx)
    bot = live_bot(deps, bot_id)
    from realtimekit_mcp.bot.stage import StageError  # a live bot: the bot extra is installed

    if action in ("say", "chat") and not (text and text.strip()):
        raise ToolError(f"action={action} needs text.")
    if action in ("play", "show", "share", "image", "attach") and not file:
        raise ToolError(f"action={action} needs file: a name in the media directory {deps.media_dir}.")
    try:
        if action == "say":
            assert text is not None
            done = await _say(bot, text)
        elif action == "chat":
            assert text is not None
            try:
                await bot.send_chat(text, to=to)
            except KeyError:
                raise ToolError(NOT_IN_ROOM) from None
            done = f"sent chat to {_recipients(to)}"
        elif action == "image":
            assert file is not None
            done = await _image(
                bot, media_file(deps.media_dir, file, IMAGE_SUFFIXES, "an image file"), file, to
            )
        elif action == "attach":
            assert file is not None
            kinds = DOCUMENT_SUFFIXES | IMAGE_SUFFIXES | AUDIO_SUFFIXES | VIDEO_SUFFIXES
            path = media_file(deps.media_dir, file, kinds, "a document, image, audio or video file")
            done = await _image(bot, path, file, to, image=False)
        elif action == "play":
            assert file is not None
            path = media_file(deps.media_dir, file, AUDIO_SUFFIXES, "an audio file")
            await bot.play_file(path)
            queued = bot.status()["outgoing_audio_queued_seconds"]
            done = f"playing {file} ({queued:.1f} s of audio queued)"
        elif action == "show":
            assert file is not None
            path = media_file(deps.media_dir, file, IMAGE_SUFFIXES | VIDEO_SUFFIXES, "an image or video file")
            await bot.publish_video(path)
            done = f"showing {file} as the bot's video"
        elif action == "share":
            assert file is not None
            path = media_file(deps.media_dir, file, IMAGE_SUFFIXES | VIDEO_SUFFIXES, "an image or video file")
            await bot.publish_screenshare(path)
            done = f"sharing {file} as the bot's screenshare"
        elif action.startswith("stage_"):
            done = await _stage(bot, action)
        elif action == "interrupt":
            if text and text.strip():
                done = await _say(bot, text, interrupt=True)
            else:
                cut = bot.stop_speaking()
                done = f"interrupted: {cut} queued speech item(s) cut"
        else:
            done = await _stop(bot, what)
    except ToolError:
        raise
    except MediaPathError as err:
        raise ToolError(f"Not done: {err}") from None
    except StageError as err:
        raise ToolError(f"Not done: {short(err, 250)} (bot_send action=stage_request).") from None
    except ValueError as err:  # undecodable media
        raise ToolError(f"Not done: {short(err, 200)}. Use another file.") from None
    except Exception as err:  # refused by the server, or the bot ended or is reconnecting under us
        raise action_error(bot_id, bot, err) from None
    return ToolOutput(f"Bot {bot_id}: {done}.")


def action_error(bot_id: str, bot: BotParticipant, err: Exception) -> ToolError:
    """A ToolError for a failed bot action: the server's refusal (with the preset hint when it names
    the preset), an ended bot, or a transient failure (retry)."""
    from realtimekit_mcp.bot.signalling import RequestError, SignallingError

    if isinstance(err, RequestError):
        hint = (
            " Join a bot whose preset allows it (bot_join preset=…)."
            if "preset" in err.server_message
            else ""
        )
        return ToolError(f"Not done: the server refused it: {short(err.server_message, 200)}.{hint}")
    if bot.state.terminal:
        return ended_error(bot_id, bot)
    if isinstance(err, (RuntimeError, SignallingError, TimeoutError)):
        return ToolError(f"Not done: bot {bot_id}: {short(err, 150)}. Retry shortly.")
    raise err


# -- bot_status -----------------------------------------------------------------------------------


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(at))


def transcript_lines(bot: BotParticipant) -> list[str]:
    """The bot's live transcript (final segments of what it heard), one line each."""
    lines: list[str] = []
    for seg in bot.transcript():
        said = str(seg.get("text") or "").strip()
        if said:
            who = seg.get("speaker_name") or seg.get("participant_id") or "someone"
            lines.append(f"[{_clock(float(seg.get('start') or 0))}] {who}: {said}")
    return lines


def event_line(event: Any) -> str:
    """One compact line per bot event."""
    data = event.data
    head = f"#{event.seq} {_clock(event.at)} {event.type}"
    if event.type == "chat":
        who = data.get("from_name") or data.get("from_participant_id") or "?"
        private = " (private)" if data.get("private") else ""
        kind = data.get("kind") or "text"
        said = short(data.get("text", ""), 200)
        if kind != "text":  # image or file: its name (files), size and the URL it is served from
            name = f" {short(data['file_name'], 60)}" if data.get("file_name") else ""
            size = f" ({data['size']} bytes)" if data.get("size") else ""
            said = f"[{kind}]{name}{size} {short(data.get('url') or '(no url)', URL_CHARS)}"
        return f"{head} from {who}{private}: {said}"
    if event.type == "transcript":
        who = data.get("speaker_name") or data.get("participant_id") or data.get("source") or "?"
        said = data.get("text") or data.get("transcript") or ""
        return f"{head} {who}: {short(said, 200)}"
    fields = [
        f"{k}={short(v, URL_CHARS if k == 'url' else 60)}"
        for k, v in data.items()
        if k not in _INTERNAL_KEYS and v not in (None, "", [], {})
    ]
    return f"{head} {' '.join(fields)}".rstrip()


MAX_PEOPLE = 20  # participants (and waiting people) named per line of bot_status


def _flags(p: dict[str, Any]) -> str:
    on = [
        label
        for key, label in (
            ("audio", "mic"),
            ("video", "cam"),
            ("screenshare", "screen"),
            ("speaking", "speaking"),
            ("pinned", "pinned"),
        )
        if p.get(key)
    ]
    if p.get("stage"):
        on.append(f"stage {p['stage']}")
    return f" [{', '.join(on)}]" if on else ""


def _person(p: dict[str, Any], names: dict[str, str] | None = None) -> str:
    pid = str(p.get("participant_id") or p.get("peer_id") or "?")
    return f"{short(p.get('name') or (names or {}).get(pid) or '?', 30)} ({pid})"


def participants_lines(bot: BotParticipant, st: dict[str, Any]) -> list[str]:
    """The participants view (joined with media flags, speakers, waiting room, pin), compact."""
    view = st.get("participants") or {}
    joined = view.get("joined")
    if joined is None:  # no participants view (yet): the peers the bot sees
        peers = st["peers"]
        return [f"peers ({len(peers)}): " + (", ".join(_person(p) for p in peers[:MAX_PEOPLE]) or "none")]
    names = {str(p.get("participant_id")): str(p.get("name") or "") for p in joined}
    people = [
        _person(p) + (" (this bot)" if p.get("participant_id") == bot.participant_id else "") + _flags(p)
        for p in joined
    ]
    more = f", … {len(people) - MAX_PEOPLE} more" if len(people) > MAX_PEOPLE else ""
    lines = [f"participants ({len(people)}): {'; '.join(people[:MAX_PEOPLE]) or 'none'}{more}"]
    speakers = view.get("active_speakers") or []
    if speakers:
        lines.append("speaking now: " + ", ".join(f"{names.get(s) or s}" for s in speakers[:5]))
    pinned = view.get("pinned")
    if pinned:
        lines.append(f"pinned: {names.get(pinned) or '?'} ({pinned})")
    waiting = view.get("waitlisted") or []
    if waiting:
        lines.append(
            f"waiting room ({len(waiting)}): "
            + ", ".join(_person(p) for p in waiting[:MAX_PEOPLE])
            + " (bot_moderate admit/reject)"
        )
    return lines


def poll_line(poll: dict[str, Any], me: str = "") -> str:
    """One poll with its live results: ``- poll <id> by <who>: <question> | A 2 (Ana, Bo) | B 0 (2 votes)``.

    Counts the server hides (``hide_votes`` before this bot voted) show as ``?``.
    """
    options = poll.get("options") or []
    results = []
    for o in options:
        voters = [short(v.get("name") or v.get("id") or "?", 20) for v in o.get("votes") or []]
        count = "?" if o.get("count") is None else str(int(o["count"]))
        results.append(
            f"{short(o.get('text', ''), 40)} {count}" + (f" ({', '.join(voters[:5])})" if voters else "")
        )
    voted = poll.get("voted")
    total = len(voted) if voted is not None else sum(int(o.get("count") or 0) for o in options)
    tags = [
        t for t, on in (("anonymous", poll.get("anonymous")), ("votes hidden", poll.get("hide_votes"))) if on
    ]
    mine = "; this bot voted" if me and me in (voted or []) else ""
    return (
        f"- poll {poll.get('id')} by {short(poll.get('created_by') or '?', 30)}: "
        f"{short(poll.get('question', ''), 80)}"
        + (f" [{', '.join(tags)}]" if tags else "")
        + f" | {' | '.join(results)} ({total} vote{'s' if total != 1 else ''}{mine})"
    )


def _features_lines(bot: BotParticipant, st: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    polls = (st.get("polls") or {}).get("polls") or []
    if polls:
        lines.append(f"polls ({len(polls)}), newest last:")
        lines.extend(poll_line(p, bot.participant_id) for p in polls[-5:])
    active = (st.get("plugins") or {}).get("active") or []
    if active:
        lines.append(
            "plugins active: "
            + ", ".join(f"{short(a.get('name') or a.get('id'), 30)} ({a.get('id')})" for a in active)
        )
    return lines


_BOT_VIEWS = {
    "participants": ("participants seen by", "application/json"),
    "transcript": ("live transcript of", "text/plain"),
}


def bot_link(bot_id: str, view: Literal["participants", "transcript"]) -> ResourceLink:
    """The ``realtimekit://bots/{bot_id}/{view}`` link that ``resources/read`` serves."""
    name, mime_type = _BOT_VIEWS[view]
    return ResourceLink(
        type="resource_link",
        uri=f"realtimekit://bots/{bot_id}/{view}",
        name=f"{name} {bot_id}",
        mime_type=mime_type,
    )


def _list_bots(manager: BotManager | None) -> ToolOutput:
    bots = manager.list() if manager is not None else []
    if not bots:
        return ToolOutput("No bots. bot_join puts one in a meeting.")
    lines = [
        f"- {b['bot_id']} | {short(b['name'], 30)} | meeting {b['meeting_id']} | {b['state']}"
        + (
            (f" ({short(b['end_reason'], 60)})" if b["end_reason"] != b["state"] else "")
            if b.get("end_reason")
            else f" | {len(b['peers'])} peers"
        )
        for b in bots
    ]
    limit = manager.limits.max_bots if manager is not None else "?"
    live = sum(1 for b in bots if b["state"] in ("joining", "joined", "reconnecting"))
    return ToolOutput("\n".join([*lines, f"{live} live of at most {limit}; bot_status bot_id=… for events"]))


@tool_handler(action="read the bot status")
async def bot_status(
    ctx: Ctx,
    bot_id: Annotated[str | None, Field(description="Omit to list bots")] = None,
    cursor: Annotated[int, Field(ge=0, description="Events after this (next_cursor)")] = 0,
    limit: Annotated[int, Field(ge=1, le=MAX_EVENTS, description="Max events (default 50)")] = 50,
) -> ToolOutput:
    deps = deps_of(ctx)
    if not bot_id:
        return _list_bots(deps.bot_manager)
    bot = _lookup(deps, bot_id)
    st = bot.status()
    lines = [
        f"Bot {bot_id} '{st['name']}' in meeting {st['meeting_id']}: {st['state']}"
        + (f" ({st['end_reason']})" if st.get("end_reason") else "")
        + f"; participant {st['participant_id']}, {st['reconnects']} reconnects"
    ]
    if bot.state.terminal:
        lines.append("This bot has ended; call bot_join again for a new one.")
    published = st["published"]
    media = [f"{kind}{' (paused)' if info.get('paused') else ''}" for kind, info in published.items()] or [
        "nothing"
    ]
    stage = (st.get("stage") or {}).get("state")
    lines.append(
        f"publishing: {', '.join(media)}; audio queued {st['outgoing_audio_queued_seconds']:.1f} s"
        + ("; muted" if st.get("muted") else "")
        + (f"; stage: {stage.replace('_', ' ')}" if stage else "")
    )
    if bot.state.value == "waitlisted":
        lines.append(waiting_message(bot_id, bot))
    lines.extend(participants_lines(bot, st))
    lines.extend(_features_lines(bot, st))
    heard = [f"{short(b['name'] or key, 30)} {b['seconds']:.1f} s" for key, b in st["audio_buffers"].items()]
    if heard:
        lines.append(f"audio received (buffered): {', '.join(heard)}")
    events = bot.events_since(cursor, limit=limit)
    next_cursor = events[-1].seq if events else max(cursor, 0)
    more = st["last_seq"] > next_cursor
    lines.append(
        f"events after {cursor}: {len(events)}; next_cursor={next_cursor}"
        + ("; more: pass cursor=next_cursor" if more else "")
    )
    lines.extend(event_line(e) for e in events)
    said = transcript_lines(bot)
    links: list[ResourceLink] = [] if bot.state.terminal else [bot_link(bot_id, "participants")]
    if said:
        lines.append(f"transcript (last {min(len(said), TRANSCRIPT_TAIL)} of {len(said)} lines):")
        lines.extend(said[-TRANSCRIPT_TAIL:])
        links.append(bot_link(bot_id, "transcript"))
    return ToolOutput("\n".join(lines), links=links)


# -- bot_leave ------------------------------------------------------------------------------------


@tool_handler(action="make the bot leave")
async def bot_leave(ctx: Ctx, bot_id: BotId) -> ToolOutput:
    deps = deps_of(ctx)
    bot = _lookup(deps, bot_id)
    if bot.state.terminal:
        return ToolOutput(
            f"Bot {bot_id} had already ended ({bot.state.value}: {bot.end_reason or bot.state.value})."
        )
    manager = deps.bot_manager
    assert manager is not None
    await manager.leave(bot_id)
    return ToolOutput(f"Bot {bot_id} left meeting {bot.meeting_id}.")


TOOLSET = Toolset(
    id="bot",
    description="A live participant the agent controls: join, speak, chat, play and show media, listen.",
    default=True,
    tools=(
        ToolSpec(
            name="bot_join",
            title="Join a bot to a meeting",
            description=(
                "Join a meeting as a live participant (a bot) that can speak, chat, play media and "
                f"listen; returns a bot_id valid {LIFETIME}."
            ),
            fn=bot_join,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="bot_send",
            title="Make a bot speak, chat, play or show",
            description=(
                "Make a bot say text aloud, chat text, an image or a file (to all or some), play audio, show or "
                "screenshare an image/video (media dir files), stop, interrupt, or ask for/leave a stage."
            ),
            fn=bot_send,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="bot_status",
            title="Bot status and events",
            description=(
                "Without bot_id: list bots. With bot_id: state, participants (media, speakers, waiting "
                "room, pin), polls, plugins, events since cursor and its live transcript."
            ),
            fn=bot_status,
            read_only=True,
            destructive=False,
            idempotent=True,
        ),
        ToolSpec(
            name="bot_leave",
            title="Make a bot leave",
            description="Make a bot leave its meeting; its bot_id then only works with bot_status.",
            fn=bot_leave,
            read_only=False,
            destructive=False,
            idempotent=True,
        ),
    ),
)
