"""``realtimekit-mcp demo``: drive the real server over stdio, the way an MCP host does.

The SDK's own client spawns ``realtimekit-mcp serve`` on the embedded emulator (in a temporary
data directory) and runs a scripted scenario, printing each call and its result. People "join"
through the emulator's control plane (``POST /_emulator/sessions``): the demo opens the same
data directory in-process. Then two live bots join over real WebSocket + WebRTC (the server
starts a loopback listener for them): one plays a tone from the media directory and chats, the
other hears both. That part uses its own meeting (``summarize_on_end``, which transcribes too):
with the ``speech`` extra the Announcer speaks scripted lines and the Listener transcribes them;
both leave (then the town hall below), the server's emulator clock is moved past the session keep-alive (through the
control plane on the bots' loopback listener, read from ``realtimekit://status``) so the session
ends, and ``session_get`` shows the emulator's transcript and summary of it.

Between the bots leaving and the session ending, the agent's bot hosts a town hall (the ``host`` toolset): a guest bot joins through a preset
with a waiting room (created over REST when no preset has one) and waits; the Host bot sees it,
lets it in with ``bot_moderate``, and runs a poll with ``bot_poll`` that the guest votes on; the
demo prints the result.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import sys
import tempfile
import wave
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, cast

DIM, BOLD, RESET = ("\033[2m", "\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "", "")
MAX_LINES = 14
SCRIPT = (
    "Good morning, this is the announcer.",
    "The beta is stable and we launch on Friday.",
    "I will send the announcement by Thursday.",
)
"""What the Announcer bot says (with the speech extra); the Listener bot transcribes it."""
WAITING_PRESET = "demo_waiting_room"
"""The preset the demo creates for its guest when no preset has a waiting room."""
POLL = ("Ship the beta on Friday?", ["Yes", "Not yet"])
KEEP_ALIVE = 60  # seconds a RealtimeKit session outlives its last peer (the meeting's default)
EXPORT_WAIT = 20.0  # seconds to wait for a session's transcript or summary after it ends


def _show_result(text: str, max_lines: int = MAX_LINES) -> None:
    lines = text.splitlines() or [""]
    for line in lines[:max_lines]:
        if line.startswith("token: "):
            line = line[:40] + "… (participant JWT)"
        print("    " + (line if len(line) <= 150 else line[:149] + "…"))
    if len(lines) > max_lines:
        print(f"    {DIM}… {len(lines) - max_lines} more lines{RESET}")


def _text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "type", "") == "text")


def _heard_seconds(status: str, name: str) -> float:
    """Seconds of ``name``'s audio in a bot_status text (0 when none)."""
    import re

    found = re.search(rf"audio received \(buffered\):.*?{re.escape(name)} ([0-9.]+) s", status)
    return float(found.group(1)) if found else 0.0


def write_tone_wav(path: Path, seconds: float = 1.0, frequency: float = 440.0) -> None:
    """A 48 kHz mono 16-bit sine tone (the demo's media file)."""
    rate = 48_000
    frames = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * frequency * i / rate)))
        for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


class Demo:
    """The scripted scenario; each step prints the tool call and its result."""

    def __init__(self, client: Any, data_dir: Path) -> None:
        self.client = client
        self.data_dir = data_dir
        self.step = 0
        self._control: Any = None
        self._stack = AsyncExitStack()

    async def call(self, tool: str, args: dict[str, Any], *, may_fail: bool = False) -> Any:
        self.step += 1
        print(f"\n{BOLD}[{self.step}] {tool}{RESET} {json.dumps(args)}")
        result = await self.client.call_tool(tool, args)
        text = _text(result)
        links = [str(c.uri) for c in result.content if getattr(c, "type", "") == "resource_link"]
        _show_result(("ERROR " if result.is_error else "") + text)
        for link in links:
            print(f"    {DIM}resource link: {link}{RESET}")
        if result.is_error and not may_fail:
            raise RuntimeError(f"{tool} failed")
        return result

    async def wait_status(self, bot_id: str, done: Any, what: str, seconds: float = 30.0) -> bool:
        """Poll bot_status quietly (a demo, not a test) until ``done(text)``; False after ``seconds``."""
        import anyio

        print(f"    {DIM}waiting until {what}…{RESET}")
        with anyio.move_on_after(seconds):
            while True:
                result = await self.client.call_tool("bot_status", {"bot_id": bot_id})
                if done(_text(result)):
                    return True
                await anyio.sleep(0.25)
        print(f"    {DIM}(not within {seconds:g} s){RESET}")
        return False

    async def _in_process(self) -> Any:
        """An HTTP client on an in-process emulator app over the server's data directory."""
        if self._control is None:
            from realtimekit_mcp.server.deps import open_embedded

            _app, http, _identity = open_embedded(self.data_dir)
            self._control = await self._stack.enter_async_context(http)
        return self._control

    async def control(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, origin: str | None = None
    ) -> Any:
        """Call the emulator's control plane: in-process on the server's data directory, or (with
        ``origin``) the server's own emulator through its loopback listener for bots."""
        self.step += 1
        where = f" at {origin}" if origin else ""
        print(f"\n{BOLD}[{self.step}] emulator control plane{RESET} {method} /_emulator{path}{where}")
        if origin is None:
            response = await (await self._in_process()).request(method, f"/_emulator{path}", json=body)
        else:
            import httpx

            async with httpx.AsyncClient(base_url=origin, timeout=10) as http:
                response = await http.request(method, f"/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()["data"]

    async def read(self, uri: str, max_lines: int = MAX_LINES) -> None:
        self.step += 1
        print(f"\n{BOLD}[{self.step}] resources/read{RESET} {uri}")
        result = await self.client.read_resource(uri)
        _show_result(getattr(result.contents[0], "text", ""), max_lines)

    async def run(self) -> None:
        await self.read("realtimekit://status")
        created = await self.call(
            "meeting_create", {"title": "Launch review", "summarize_on_end": True, "persist_chat": True}
        )
        meeting_id = created.structured_content["id"]
        ana = await self.call(
            "participant_add", {"meeting_id": meeting_id, "name": "Ana", "preset_name": "group_call_host"}
        )
        bo = await self.call("participant_add", {"meeting_id": meeting_id, "name": "Bo"})
        await self.call("meeting_get", {"meeting_id": meeting_id, "view": "participants"})
        seeded = await self.control(
            "POST",
            "/sessions",
            {
                "meeting_id": meeting_id,
                "participants": [
                    {"participant_id": ana.structured_content["id"]},
                    {"participant_id": bo.structured_content["id"]},
                ],
                "chat": [{"participant": 1, "text": "Slides are in the shared folder."}],
                "transcript": [
                    {"participant": 0, "text": "Welcome. Today we decide the launch date."},
                    {"participant": 1, "text": "The beta is stable; I propose Friday."},
                    {"participant": 0, "text": "Agreed: we launch Friday. Bo owns the announcement."},
                ],
                "end": False,
            },
        )
        session_id = seeded["session"]["id"]
        print(f"    Ana and Bo joined: live session {session_id}")
        await self.call("meeting_get", {"meeting_id": meeting_id})
        await self.call("recording_control", {"action": "start", "meeting_id": meeting_id})
        await self.call("recording_control", {"action": "stop", "meeting_id": meeting_id})
        await self.control("POST", f"/sessions/{session_id}/end", {})
        print("    the host ended the meeting; transcript and summary are generated")
        await self.control("POST", "/clock/advance", {"seconds": 10})
        print("    emulator clock moved 10 s ahead: the recording has finished uploading")
        await self.call("session_get", {"meeting_id": meeting_id, "view": "list"})
        await self.call("session_get", {"meeting_id": meeting_id})
        transcript = await self.call("session_get", {"meeting_id": meeting_id, "view": "transcript"})
        await self.call("session_get", {"meeting_id": meeting_id, "view": "summary"})
        await self.call("recording_list", {"meeting_id": meeting_id})
        link = next(str(c.uri) for c in transcript.content if getattr(c, "type", "") == "resource_link")
        await self.read(link)
        print("\n    destructive tools ask the user first (elicitation); this demo's user confirms:")
        await self.call(
            "participant_remove", {"meeting_id": meeting_id, "participant_id": bo.structured_content["id"]}
        )
        await self.bots()

    async def bots(self) -> None:
        """Two live bots in a new meeting: one speaks scripted lines, the other transcribes them;
        then both leave, the session ends and the demo shows its transcript and summary."""
        media = self.data_dir / "media"
        media.mkdir(parents=True, exist_ok=True)
        write_tone_wav(media / "chime.wav")
        print(f"\n{BOLD}Live bots{RESET} (real WebSocket + WebRTC to the embedded emulator on 127.0.0.1)")
        print(f"    wrote {media / 'chime.wav'}: a 1 s 440 Hz tone in the server's media directory")
        meeting_id = await self.bots_meeting()
        first = await self.call(
            "bot_join", {"meeting_id": meeting_id, "name": "Announcer", "listen": False}, may_fail=True
        )
        if first.is_error:
            print(f"    {DIM}bots are not available here (see the error); skipping the bot part{RESET}")
            return
        a = first.structured_content["bot_id"]
        b = (await self.call("bot_join", {"meeting_id": meeting_id, "name": "Listener"})).structured_content[
            "bot_id"
        ]
        await self.call("bot_send", {"bot_id": a, "action": "play", "file": "chime.wav"})
        await self.call("bot_send", {"bot_id": a, "action": "chat", "text": "Hello from the announcer bot"})
        await self.wait_status(
            b,
            lambda t: "chat from Announcer" in t and _heard_seconds(t, "Announcer") >= 0.5,
            "the Listener has the chat and the Announcer's audio",
        )
        await self.call("bot_status", {"bot_id": b})
        spoke = await self.speak(a, b)
        await self.call("bot_leave", {"bot_id": a})
        await self.call("bot_leave", {"bot_id": b})
        await self.host()
        await self.call("bot_status", {})
        await self.end_session(meeting_id)
        if spoke:
            await self.show_exports(meeting_id)
        else:
            print(f"    {DIM}nothing was spoken, so the session has no transcript or summary{RESET}")

    async def host(self) -> None:
        """The agent's bot hosts another meeting: it lets a guest in from the waiting room and runs a
        poll (before the clock moves on, while both stand-up bots have left)."""
        print(f"\n{BOLD}The agent's bot hosts{RESET} (waiting room and a poll; toolset 'host')")
        meeting_id = str((await self.call("meeting_create", {"title": "Town hall"})).structured_content["id"])
        host = (
            await self.call("bot_join", {"meeting_id": meeting_id, "name": "Host", "listen": False})
        ).structured_content["bot_id"]
        preset = await self.waiting_room_preset()
        guest = (
            await self.call(
                "bot_join", {"meeting_id": meeting_id, "name": "Guest", "listen": False, "preset": preset}
            )
        ).structured_content["bot_id"]
        await self.wait_status(
            host, lambda t: "waiting room (1): Guest" in t, "the Host sees the Guest waiting"
        )
        await self.call("bot_status", {"bot_id": host})
        await self.call("bot_moderate", {"bot_id": host, "action": "admit"})
        await self.wait_status(guest, lambda t: ": joined;" in t, "the Guest has joined")
        question, options = POLL
        created = await self.call(
            "bot_poll", {"bot_id": host, "action": "create", "question": question, "options": options}
        )
        poll_id = _text(created).split("posted poll ", 1)[1].split()[0]
        await self.wait_status(guest, lambda t: f"poll {poll_id}" in t, "the Guest sees the poll")
        await self.call("bot_poll", {"bot_id": guest, "action": "vote", "poll_id": poll_id, "option": "Yes"})
        await self.wait_status(host, lambda t: "(1 vote" in t, "the Host sees the vote")
        result = _text(await self.call("bot_poll", {"bot_id": host, "action": "list"}))
        line = next((x for x in result.splitlines() if f"poll {poll_id}" in x), "")
        print(f"\n    {BOLD}poll result:{RESET} {question} " + " | ".join(line.split(" | ")[1:]))
        await self.participants(host)
        await self.call("bot_leave", {"bot_id": guest})
        await self.call("bot_leave", {"bot_id": host})

    async def participants(self, bot_id: str) -> None:
        """Read a bot's participants view (JSON) and print who is in, waiting and pinned."""
        uri = f"realtimekit://bots/{bot_id}/participants"
        self.step += 1
        print(f"\n{BOLD}[{self.step}] resources/read{RESET} {uri}")
        view = json.loads(getattr((await self.client.read_resource(uri)).contents[0], "text", "{}"))
        flags = ("audio", "video", "screenshare", "speaking", "pinned")
        for p in view.get("joined", []):
            on = [f for f in flags if p.get(f)]
            print(
                f"    joined: {p.get('name')} ({p.get('preset_name') or '?'}){' ' + ', '.join(on) if on else ''}"
            )
        waiting = ", ".join(str(p.get("name")) for p in view.get("waitlisted", [])) or "nobody"
        print(f"    waiting room: {waiting}; pinned: {view.get('pinned') or 'nobody'}")

    async def waiting_room_preset(self) -> str:
        """A preset whose participants wait for a host: an existing one, else one created over REST
        on the server's own emulator (its loopback listener for bots, read from realtimekit://status)."""
        from realtimekit_mcp.config import load_embedded_identity
        from realtimekit_mcp.emulator.presets import default_preset_body

        status = await self.client.read_resource("realtimekit://status")
        origin = json.loads(getattr(status.contents[0], "text", "{}"))["bots"]["emulator_listener"]
        account, app_id, token = load_embedded_identity(self.data_dir)
        base = f"{origin}/client/v4/accounts/{account}/realtime/kit/{app_id}"
        import httpx

        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
            self.step += 1
            print(f"\n{BOLD}[{self.step}] REST{RESET} GET /presets (+ each preset) at {origin}")
            listed = (await http.get(f"{base}/presets", params={"per_page": 100})).json()["data"]
            for item in listed:
                preset = (await http.get(f"{base}/presets/{item['id']}")).json()["data"]
                room = preset.get("permissions", {}).get("waiting_room_type", "SKIP")
                if room != "SKIP":
                    print(f"    preset {preset['name']!r} has a waiting room ({room})")
                    return str(preset["name"])
            print(f"    no preset has a waiting room (waiting_room_type is SKIP in all {len(listed)})")
            body = default_preset_body(WAITING_PRESET, "GROUP_CALL", host=False)
            body["permissions"]["waiting_room_type"] = "ON_PRIVILEGED_USER_ENTRY"
            self.step += 1
            print(
                f"\n{BOLD}[{self.step}] REST{RESET} POST /presets "
                f'{{"name": "{WAITING_PRESET}", ..., "waiting_room_type": "ON_PRIVILEGED_USER_ENTRY"}}'
            )
            created = await http.post(f"{base}/presets", json=body)
            created.raise_for_status()
            print(f"    created preset {WAITING_PRESET!r}: its participants wait until a host admits them")
        return WAITING_PRESET

    async def bots_meeting(self) -> str:
        """A meeting for the bots that transcribes every speaker and summarises each session
        (``summarize_on_end`` makes meeting_create turn transcription on too)."""
        args: dict[str, Any] = {"title": "Bots stand-up", "summarize_on_end": True}
        return str((await self.call("meeting_create", args)).structured_content["id"])

    async def speak(self, announcer: str, listener: str) -> bool:
        """The Announcer says the scripted lines; True once the Listener's transcript has them."""
        said = await self.call(
            "bot_send", {"bot_id": announcer, "action": "say", "text": SCRIPT[0]}, may_fail=True
        )
        if said.is_error:
            print(f"    {DIM}no speech extra: the Announcer cannot speak; skipping the spoken lines{RESET}")
            return False
        for line in SCRIPT[1:]:
            await self.call("bot_send", {"bot_id": announcer, "action": "say", "text": line})
        last = SCRIPT[-1].split()[-1].strip(".").lower()

        def heard_all(status: str) -> bool:
            said = status.partition("transcript (last")[2]
            return said.count("Announcer: ") >= len(SCRIPT) - 1 and last in said.lower()

        heard = await self.wait_status(listener, heard_all, "the Listener transcribed the lines")
        await self.read(f"realtimekit://bots/{listener}/transcript")
        return heard

    async def end_session(self, meeting_id: str) -> None:
        """Move the server's emulator clock past the session keep-alive (the last peer has left)."""
        status = await self.client.read_resource("realtimekit://status")
        origin = json.loads(getattr(status.contents[0], "text", "{}"))["bots"]["emulator_listener"]
        print(f"\n    both bots left; the session ends {KEEP_ALIVE} s after the last peer leaves")
        await self.control("POST", "/clock/advance", {"seconds": KEEP_ALIVE + 1}, origin=origin)
        print(f"    the server's emulator clock moved {KEEP_ALIVE + 1} s ahead: the session has ended")

    async def show_exports(self, meeting_id: str) -> None:
        """session_get view=transcript and view=summary for the meeting's latest session, polled
        quietly until ready (at most ``EXPORT_WAIT`` s each), then shown."""
        import anyio

        for view in ("transcript", "summary"):
            args = {"meeting_id": meeting_id, "view": view}
            with anyio.move_on_after(EXPORT_WAIT):
                while True:
                    result = await self.client.call_tool("session_get", args)
                    if not result.is_error:
                        break
                    await anyio.sleep(0.25)
            result = await self.call("session_get", args)
        # the whole summary (main points, action items, who spoke), not only its preview
        link = next(str(c.uri) for c in result.content if getattr(c, "type", "") == "resource_link")
        await self.read(link, max_lines=40)

    async def aclose(self) -> None:
        await self._stack.aclose()


async def run_demo(keep_data: bool = False) -> int:
    """Spawn the server over stdio on a temporary embedded emulator and run the scenario."""
    from mcp import Client, StdioServerParameters
    from mcp_types import ElicitResult

    data_dir = Path(tempfile.mkdtemp(prefix="realtimekit-demo-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "REALTIMEKIT_"))}
    env["REALTIMEKIT_DATA_DIR"] = str(data_dir)
    env["REALTIMEKIT_MEDIA_DIR"] = str(data_dir / "media")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "realtimekit_mcp", "serve", "--backend", "embedded", "--toolsets", "default,host"],
        env=env,
    )

    async def confirm(_ctx: Any, params: Any) -> ElicitResult:
        print(f"    {DIM}[the user is asked] {params.message} -> confirms{RESET}")
        return ElicitResult(action="accept", content={"confirm": True})

    print(f"{BOLD}realtimekit-mcp demo{RESET}: an MCP client spawns `realtimekit-mcp serve` over stdio;")
    print(f"the server runs on the embedded RealtimeKit emulator (data in {data_dir}).")
    demo: Demo | None = None
    try:
        async with Client(params, mode="auto", elicitation_callback=cast(Any, confirm)) as client:
            tools = (await client.list_tools()).tools
            print(f"\ntools/list: {len(tools)} tools: {', '.join(t.name for t in tools)}")
            demo = Demo(client, data_dir)
            await demo.run()
        print(f"\n{BOLD}Done.{RESET} Every step above went through MCP over stdio.")
        return 0
    except Exception as err:  # a readable failure, not a traceback, for the README's main command
        print(f"\ndemo failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    finally:
        if demo is not None:
            await demo.aclose()
        if keep_data:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
