"""Toolset ``host`` (off by default): a bot as the meeting's host, through its preset's rights.

Three consolidated tools on a ``bot_id`` from ``bot_join``:

- ``bot_moderate``: waiting room (admit, reject), pin, mute, kick, stage requests. Reject, kick,
  kick everyone and mute everyone ask the user first (``server.confirm``); the rest act at once.
- ``bot_poll``: create a poll, vote, list polls with live results.
- ``bot_plugin``: the plugin catalogue and the active plugins; activate or deactivate one.

The emulator (and RealtimeKit) enforce the bot's preset: a refusal comes back as a ``ToolError``
that names the missing right and says to join a bot with a preset that grants it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Elicit, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from realtimekit_mcp.server.confirm import Confirm, Confirmation, ask, gate, require
from realtimekit_mcp.server.registry import Toolset, ToolSpec
from realtimekit_mcp.server.results import ToolOutput, short, tool_handler
from realtimekit_mcp.tools._common import Ctx, deps_of
from realtimekit_mcp.tools.bot import BotId, action_error, live_bot, poll_line

if TYPE_CHECKING:
    from realtimekit_mcp.bot import BotParticipant

ModerateAction = Literal[
    "admit",
    "reject",
    "pin",
    "unpin",
    "mute",
    "mute_all",
    "kick",
    "kick_all",
    "stage_accept",
    "stage_deny",
    "stage_remove",
]
CONFIRMED_RIGHTS = {
    "reject": "accept_waiting_requests",
    "kick": "kick_participant",
    "kick_all": "kick_participant",
    "mute_all": "disable_participant_audio",
}
"""Actions the user confirms first (they remove people or silence everyone), and the preset right each needs."""
CONFIRMED_ACTIONS = frozenset(CONFIRMED_RIGHTS)
TARGETED_ACTIONS = frozenset({"pin", "mute", "kick", "stage_remove"})
"""Actions that need participant_ids (pin: exactly one)."""
EVERYONE_ACTIONS = frozenset({"unpin", "mute_all", "kick_all"})
"""Actions without targets."""
HOST_PRESET_HINT = (
    "join a bot whose preset grants it (bot_join without preset uses the bot preset, which does)"
)

ParticipantIds = Annotated[
    list[str] | None,
    Field(description="Participant ids (bot_status); admit/reject/stage_accept/deny: omit for all pending"),
]


def _names(bot: BotParticipant) -> dict[str, str]:
    """{participant id and peer id: name} over the people the bot sees and those waiting."""
    view = bot.roster.status()
    names: dict[str, str] = {}
    for p in [*(view.get("joined") or []), *(view.get("waitlisted") or [])]:
        name = str(p.get("name") or "")
        for key in ("participant_id", "peer_id"):
            if p.get(key):
                names[str(p[key])] = name
    for remote in bot.peers.values():
        names.setdefault(remote.peer_id, remote.name or "")
        if remote.user_id:
            names.setdefault(remote.user_id, remote.name or "")
    return names


def _who(
    bot: BotParticipant, ids: list[str] | None, everyone: str, names: dict[str, str] | None = None
) -> str:
    if not ids:
        return everyone
    names = _names(bot) if names is None else names
    shown = [f"{short(names[i], 30)} ({i})" if names.get(i) else i for i in ids[:5]]
    return ", ".join(shown) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _check_targets(action: str, participant_ids: list[str] | None) -> None:
    if action in TARGETED_ACTIONS and not participant_ids:
        raise ToolError(f"action={action} needs participant_ids (from bot_status).")
    if action == "pin" and participant_ids and len(participant_ids) != 1:
        raise ToolError("action=pin takes exactly one participant id.")
    if action in EVERYONE_ACTIONS and participant_ids:
        single = {"mute_all": "mute", "kick_all": "kick"}.get(action)
        instead = f" (use action={single} for some)" if single else ""
        raise ToolError(f"action={action} takes no participant_ids{instead}.")


async def _confirm_moderate(
    bot_id: str, action: str, participant_ids: list[str] | None, ctx: Ctx
) -> Elicit[Confirm] | Confirm:
    if action not in CONFIRMED_ACTIONS:
        return Confirm(confirm=True)
    bot = live_bot(deps_of(ctx), bot_id)  # an unknown or ended bot fails before anyone is asked
    _check_targets(action, participant_ids)
    right = CONFIRMED_RIGHTS[action]
    known_rights = bot.host.permissions()
    if known_rights and not known_rights.get(right):  # nobody is asked about what will be refused
        raise ToolError(
            f"Not done: the bot's preset does not allow {right}, so {action} would be refused. "
            f"To do this, {HOST_PRESET_HINT}."
        )
    known = _names(bot)
    unknown = [i for i in participant_ids or [] if i not in known]
    if unknown:  # nobody is asked about people the bot cannot see
        raise ToolError(
            f"Unknown participant(s): {', '.join(unknown[:5])}. Use participant ids from bot_status "
            "(participants, or the waiting room for reject)."
        )
    meeting = bot.meeting_id
    if action == "reject":
        who = _who(bot, participant_ids, "everyone in the waiting room")
        question = f"Reject {who} from the waiting room of meeting {meeting}? They cannot join."
    elif action == "kick":
        who = _who(bot, participant_ids, "")
        question = f"Remove {who} from the live session of meeting {meeting}? They are disconnected."
    elif action == "kick_all":
        who = "everyone"
        question = (
            f"Remove everyone from the live session of meeting {meeting}? This ends the session for all "
            f"participants, bot {bot_id} included."
        )
    else:
        who = "everyone"
        question = f"Mute everyone's microphone in the live session of meeting {meeting}?"
    if (early := gate(ctx, f"{action} {who} in meeting {meeting}")) is not None:
        return early
    return ask(question)


def _refused(err: Exception) -> ToolError:
    """A server refusal as a ToolError; a missing preset right also says how to get it."""
    text = short(err, 240)
    hint = f" To do this, {HOST_PRESET_HINT}." if "allow" in text else ""
    return ToolError(f"Not done: {text}.{hint}")


def _host_error(bot_id: str, bot: BotParticipant, err: Exception) -> ToolError:
    """A ToolError for what a host action raised (refusal, unknown participant, ended bot)."""
    from realtimekit_mcp.bot.host import HostActionError

    if isinstance(err, HostActionError):
        return ToolError(f"Not done: {short(err, 240)}. To do this, {HOST_PRESET_HINT}.")
    if isinstance(err, KeyError):
        who = err.args[0] if err.args else "?"
        return ToolError(
            f"Unknown participant: {short(who, 120)}. Use participant ids from bot_status "
            "(participants, or the waiting room for admit/reject)."
        )
    return action_error(bot_id, bot, err)


def _ids_line(bot: BotParticipant, verb: str, ids: list[str], place: str, names: dict[str, str]) -> str:
    if not ids:
        return f"Nobody {place}; nobody {verb}."
    return f"{verb.capitalize()} {len(ids)}: {_who(bot, ids, '', names)}."


@tool_handler(action="moderate through the bot")
async def bot_moderate(
    ctx: Ctx,
    bot_id: BotId,
    action: ModerateAction,
    confirmed: Annotated[Confirmation, Resolve(_confirm_moderate)],
    participant_ids: ParticipantIds = None,
) -> ToolOutput:
    deps = deps_of(ctx)
    bot = live_bot(deps, bot_id)
    _check_targets(action, participant_ids)
    if action in CONFIRMED_ACTIONS:
        require(confirmed, f"{action} in meeting {bot.meeting_id}")
    names = _names(bot)  # before anyone leaves the room or the waiting room
    who = _who(bot, participant_ids, "everyone", names)
    host = bot.host
    ids = participant_ids or None
    finished: list[str] = []  # mute/kick targets already done when a later one fails
    try:
        if action == "admit":
            done = _ids_line(bot, "admitted", await host.admit(ids), "was waiting", names)
            if "Admitted" in done:
                done += " They join now."
        elif action == "reject":
            done = _ids_line(bot, "rejected", await host.reject(ids), "was waiting", names)
        elif action == "stage_accept":
            done = _ids_line(
                bot, "accepted onto the stage", await host.stage_accept(ids), "asked for the stage", names
            )
        elif action == "stage_remove":
            assert participant_ids is not None
            removed = await host.stage_remove(participant_ids)
            done = f"Took {_who(bot, removed, '', names)} off the stage (their media stops)."
        elif action == "stage_deny":
            done = _ids_line(
                bot, "denied the stage", await host.stage_deny(ids), "asked for the stage", names
            )
        elif action == "pin":
            assert participant_ids is not None
            await host.pin(participant_ids[0])
            done = f"Pinned {who} for everyone."
        elif action == "unpin":
            await host.unpin()
            done = "Unpinned."
        elif action in ("mute", "kick"):
            assert participant_ids is not None
            for target in participant_ids:
                await (host.mute(target) if action == "mute" else host.kick(target))
                finished.append(target)
            done = f"Muted {who}." if action == "mute" else f"Removed {who} from the session."
        elif action == "mute_all":
            await host.mute_all()
            done = "Muted everyone."
        else:
            await host.kick_all()
            done = "Removed everyone: the session has ended."
    except ToolError:
        raise
    except Exception as err:
        error = _host_error(bot_id, bot, err)
        if finished:
            verb = "muted" if action == "mute" else "removed"
            raise ToolError(f"{error} (Already {verb}: {_who(bot, finished, '', names)}.)") from None
        raise error from None
    return ToolOutput(f"Bot {bot_id} in meeting {bot.meeting_id}: {done}")


# -- bot_poll -------------------------------------------------------------------------------------


def _poll_error(bot_id: str, bot: BotParticipant, err: Exception, poll_id: str | None) -> ToolError:
    from realtimekit_mcp.bot.polls import PollError

    if isinstance(err, PollError):
        return _refused(err)
    if isinstance(err, KeyError):
        return ToolError(f"Unknown poll {poll_id!r}: bot_poll action=list shows the polls and their ids.")
    return action_error(bot_id, bot, err)


def _option_arg(poll: dict[str, Any], option: str) -> int | str:
    """The option to vote for: its text when it matches one, else a 1-based number, else the text."""
    texts = [str(o.get("text", "")) for o in poll.get("options") or []]
    if option in texts:
        return option
    folded = [t.casefold() for t in texts]
    if option.casefold() in folded:
        return texts[folded.index(option.casefold())]
    if option.strip().isdigit() and 1 <= int(option) <= len(texts):
        return int(option) - 1
    raise ToolError(
        f"Poll {poll.get('id')} has no option {option!r}; options: "
        + ", ".join(f"{n}. {short(t, 40)}" for n, t in enumerate(texts, 1))
    )


@tool_handler(action="run the poll through the bot")
async def bot_poll(
    ctx: Ctx,
    bot_id: BotId,
    action: Annotated[
        Literal["create", "vote", "list"], Field(description="list: polls with live results")
    ] = "list",
    question: Annotated[str | None, Field(max_length=300, description="create")] = None,
    options: Annotated[list[str] | None, Field(min_length=2, max_length=10, description="create")] = None,
    anonymous: Annotated[bool, Field(description="create: voters not shown")] = False,
    hide_votes: Annotated[bool, Field(description="create: results hidden until voting")] = False,
    poll_id: Annotated[str | None, Field(description="vote: from list or create")] = None,
    option: Annotated[str | None, Field(description="vote: option text or its number (1-based)")] = None,
) -> ToolOutput:
    deps = deps_of(ctx)
    bot = live_bot(deps, bot_id)
    polls = bot.polls
    try:
        if action == "create":
            if not (question and question.strip()) or not options:
                raise ToolError("action=create needs question and options (2 to 10).")
            poll = await polls.create(question, options, anonymous=anonymous, hide_votes=hide_votes)
            return ToolOutput(
                f"Bot {bot_id} posted poll {poll.get('id')} in meeting {bot.meeting_id}; everyone in "
                "the session sees it. Results: bot_poll action=list.\n" + poll_line(poll, bot.participant_id)
            )
        if action == "vote":
            if not poll_id or not (option and option.strip()):
                raise ToolError("action=vote needs poll_id and option (bot_poll action=list shows them).")
            try:
                known = polls.get(poll_id)
            except KeyError:  # not pushed to this bot (yet): ask the server
                await polls.refresh()
                known = polls.get(poll_id)
            choice = _option_arg(known, option)
            poll = await polls.vote(poll_id, choice)
            return ToolOutput(f"Bot {bot_id} voted.\n" + poll_line(poll, bot.participant_id))
        try:
            listed = await polls.refresh()
        except (RuntimeError, TimeoutError):
            listed = polls.list()
    except ToolError:
        raise
    except Exception as err:
        raise _poll_error(bot_id, bot, err, poll_id) from None
    if not listed:
        return ToolOutput(f"No polls in meeting {bot.meeting_id} yet; bot_poll action=create posts one.")
    lines = [f"Polls in meeting {bot.meeting_id} ({len(listed)}), oldest first:"]
    lines.extend(poll_line(p, bot.participant_id) for p in listed)
    return ToolOutput("\n".join(lines))


# -- bot_plugin -----------------------------------------------------------------------------------


@tool_handler(action="change plugins through the bot")
async def bot_plugin(
    ctx: Ctx,
    bot_id: BotId,
    action: Annotated[
        Literal["list", "activate", "deactivate"], Field(description="list: catalogue and active ones")
    ] = "list",
    plugin_id: Annotated[str | None, Field(description="activate/deactivate: id from list")] = None,
) -> ToolOutput:
    from realtimekit_mcp.bot.plugins import PluginError

    deps = deps_of(ctx)
    bot = live_bot(deps, bot_id)
    plugins = bot.plugins
    try:
        if action in ("activate", "deactivate"):
            if not plugin_id:
                raise ToolError(f"action={action} needs plugin_id (bot_plugin action=list shows them).")
            await (plugins.activate(plugin_id) if action == "activate" else plugins.deactivate(plugin_id))
            state = "active" if action == "activate" else "no longer active"
            return ToolOutput(
                f"Bot {bot_id}: plugin {plugin_id} is {state} for everyone in meeting {bot.meeting_id}."
            )
        catalogue = await plugins.catalogue()
    except ToolError:
        raise
    except PluginError as err:
        raise _refused(err) from None
    except Exception as err:
        raise action_error(bot_id, bot, err) from None
    active = {str(a.get("id")): a for a in plugins.active()}
    lines = [f"Plugins for meeting {bot.meeting_id} ({len(catalogue)} available, {len(active)} active):"]
    for item in catalogue:
        on = active.get(str(item.get("id")))
        state = f" | active (by {on.get('enabled_by') or '?'})" if on else ""
        lines.append(
            f"- {item.get('id')} | {short(item.get('name') or '', 40)} | {item.get('url') or ''}{state}"
        )
    if not catalogue:
        lines.append("(the catalogue is empty)")
    return ToolOutput("\n".join(lines))


TOOLSET = Toolset(
    id="host",
    description="A bot as host: waiting room, pin, mute, kick, stage; polls; plugins (as its preset allows).",
    default=False,
    tools=(
        ToolSpec(
            name="bot_moderate",
            title="Moderate a meeting through a bot",
            description=(
                "As a bot with host rights: admit or reject people waiting, pin, mute, kick, accept or deny "
                "stage requests, take people off the stage; reject, kick and the everyone actions ask the "
                "user to confirm."
            ),
            fn=bot_moderate,
            read_only=False,
            destructive=True,
            idempotent=False,
        ),
        ToolSpec(
            name="bot_poll",
            title="Polls through a bot",
            description="Create a poll as a bot, vote in one, or list the meeting's polls with live results.",
            fn=bot_poll,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
        ToolSpec(
            name="bot_plugin",
            title="Plugins through a bot",
            description="List the plugin catalogue and active plugins, or activate or deactivate one for everyone, as a bot.",
            fn=bot_plugin,
            read_only=False,
            destructive=False,
            idempotent=False,
        ),
    ),
)
