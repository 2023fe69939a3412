"""``realtimekit-mcp emulator``: run the RealtimeKit emulator standalone.

::

    realtimekit-mcp emulator [--host 127.0.0.1] [--port 8787] [--data PATH]
                             [--account-id ID] [--app-id ID] [--api-token TOKEN]
                             [--plugins FILE.json] [--json]

Settings not given as flags come from ``REALTIMEKIT_EMULATOR_ACCOUNT_ID``, ``_APP_ID``,
``_API_TOKEN``, ``_DATA`` and ``_PLUGINS``; when still unset, the account id, app id and API token are
generated on first start and kept in the data file, so a restart on the same ``--data`` keeps
them. The default data file is ``<user data dir>/realtimekit-mcp/emulator.sqlite3``;
``--data :memory:`` keeps everything in memory for the life of the process.

Once serving, the command prints the base URL, account id, app id and API token on stdout (the
only place the token is printed: it is the user's own local token), or the same as one JSON
line with ``--json``. Logs go to stderr. SIGINT or SIGTERM shut it down cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from realtimekit_mcp.emulator.server import RunningEmulator

__all__ = ["ENV_PREFIX", "add_parser", "default_data_path", "main", "resolve_data_path"]

ENV_PREFIX = "REALTIMEKIT_EMULATOR_"
MEMORY = ":memory:"


def default_data_path() -> Path:
    """``<user data dir>/realtimekit-mcp/emulator.sqlite3`` (via platformdirs)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("realtimekit-mcp", appauthor=False)) / "emulator.sqlite3"


def resolve_data_path(value: str | None) -> str:
    """The data store to use: ``:memory:``, or an absolute file path whose directory exists."""
    if value == MEMORY:
        return MEMORY
    path = Path(value).expanduser() if value else default_data_path()
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register the ``emulator`` subcommand on ``subparsers`` and return its parser."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the local RealtimeKit emulator (REST API, webhooks, control plane)",
        description=(
            "Run a local RealtimeKit: the same REST API as Cloudflare's under /client/v4, webhook "
            "deliveries signed like Cloudflare's, and a control plane under /_emulator/ (no auth: "
            "keep it on loopback). Prints the base URL, account id, app id and API token to use."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8787, help="port to bind; 0 picks a free port (default: 8787)"
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        default=None,
        help=(
            f"SQLite data file, or {MEMORY} for an ephemeral store "
            f"(env {ENV_PREFIX}DATA; default: {default_data_path()})"
        ),
    )
    parser.add_argument("--account-id", metavar="ID", help=f"account id (env {ENV_PREFIX}ACCOUNT_ID)")
    parser.add_argument("--app-id", metavar="ID", help=f"app id (env {ENV_PREFIX}APP_ID)")
    parser.add_argument("--api-token", metavar="TOKEN", help=f"API token (env {ENV_PREFIX}API_TOKEN)")
    parser.add_argument(
        "--allow-external-webhooks",
        action="store_true",
        help="deliver webhooks to non-loopback URLs too (off: only 127.0.0.1/::1/localhost receive them)",
    )
    parser.add_argument(
        "--stt-engine",
        metavar="NAME",
        help=(
            "speech-to-text engine for server-side transcription: faster-whisper (default), test, "
            f"or none to turn it off (env {ENV_PREFIX}STT_ENGINE)"
        ),
    )
    parser.add_argument(
        "--plugins",
        metavar="FILE.json",
        help=(
            'plugin catalogue: a JSON list of {"id", "name", "url", "description"} objects '
            f"(env {ENV_PREFIX}PLUGINS; default: a whiteboard and a document-sharing placeholder)"
        ),
    )
    parser.add_argument(
        "--json", action="store_true", help="print the connection details as one JSON line instead"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level on stderr (default: info)",
    )
    parser.set_defaults(handler=main)
    return parser


def _setting(args: argparse.Namespace, name: str) -> str | None:
    value = getattr(args, name, None)
    if value:
        return str(value)
    return os.environ.get(ENV_PREFIX + name.upper()) or None


def _build_config(args: argparse.Namespace, data: str) -> Any:
    from realtimekit_mcp._redact import register_secret
    from realtimekit_mcp.emulator.config import EmulatorConfig

    api_token = _setting(args, "api_token")
    register_secret(api_token)
    options: dict[str, Any] = {
        "account_id": _setting(args, "account_id"),
        "app_id": _setting(args, "app_id"),
        "api_token": api_token,
        "db_path": data,
    }
    if args.allow_external_webhooks:
        options["allow_external_webhooks"] = True
    stt_engine = _setting(args, "stt_engine")
    if stt_engine is not None:
        options["stt_engine"] = None if stt_engine.lower() == "none" else stt_engine
    plugins = _setting(args, "plugins")
    if plugins is not None:
        from realtimekit_mcp.emulator.config import load_plugin_catalogue

        options["plugins"] = load_plugin_catalogue(plugins)  # ValueError: main reports it
    return EmulatorConfig(**options)


def connection_details(running: RunningEmulator, data: str) -> dict[str, Any]:
    """What the command prints: everything a client needs to talk to the emulator."""
    return {
        "base_url": running.base_url,
        "origin": running.origin,
        "host": running.host,
        "port": running.port,
        "account_id": running.account_id,
        "app_id": running.app_id,
        "api_token": running.api_token,
        "data": data,
        "webhooks_public_key_url": f"{running.origin}/.well-known/webhooks.json",
        "control_plane": f"{running.origin}/_emulator/",
    }


def _print_details(details: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(details, separators=(",", ":")) + "\n")
        out.flush()
        return
    data = "in memory (lost on exit)" if details["data"] == MEMORY else details["data"]
    meetings = (
        f"{details['base_url']}/accounts/{details['account_id']}/realtime/kit/{details['app_id']}/meetings"
    )
    out.write(
        "RealtimeKit emulator is running.\n"
        f"  Base URL:    {details['base_url']}\n"
        f"  Account ID:  {details['account_id']}\n"
        f"  App ID:      {details['app_id']}\n"
        f"  API token:   {details['api_token']}\n"
        f"  Data:        {data}\n"
        f"  Webhook key: {details['webhooks_public_key_url']}\n"
        "\n"
        "Try:\n"
        f"  curl -H 'Authorization: Bearer {details['api_token']}' \\\n"
        f"       {meetings}\n"
        "\n"
        "Press Ctrl+C to stop.\n"
    )
    out.flush()


async def _serve(args: argparse.Namespace, data: str, config: Any) -> int:
    import logging
    import signal

    import anyio

    from realtimekit_mcp.emulator.server import run_emulator

    # Listen for signals before announcing readiness, so a signal right after the banner is clean.
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with run_emulator(
            config, host=args.host, port=args.port, log_level="warning" if args.json else args.log_level
        ) as running:
            _print_details(connection_details(running, data), args.json, sys.stdout)
            async for signum in signals:
                logging.getLogger(__name__).info("received %s, shutting down", signal.Signals(signum).name)
                break
    return 0


def main(args: argparse.Namespace) -> int:
    """Handler of ``realtimekit-mcp emulator``: serve until SIGINT/SIGTERM. Returns the exit code."""
    import logging

    import anyio

    from realtimekit_mcp._redact import install_log_redaction

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=args.log_level.upper(),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    install_log_redaction(root)
    log = logging.getLogger(__name__)

    host = args.host
    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning(
            "binding %s: the emulator API and its unauthenticated /_emulator control plane are reachable "
            "from other machines",
            host,
        )
    if not 0 <= args.port <= 65535:
        print(f"realtimekit-mcp emulator: invalid port {args.port}", file=sys.stderr)
        return 2
    try:
        data = resolve_data_path(_setting(args, "data"))
    except OSError as exc:
        print(f"realtimekit-mcp emulator: cannot use the data path: {exc}", file=sys.stderr)
        return 1
    try:
        config = _build_config(args, data)
    except ValueError as exc:  # a bad --plugins file: a usage error, before anything starts
        print(f"realtimekit-mcp emulator: {exc}", file=sys.stderr)
        return 2
    try:
        return anyio.run(_serve, args, data, config)
    except OSError as exc:
        print(f"realtimekit-mcp emulator: cannot start on {host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. a data file that is not an emulator database
        from realtimekit_mcp._redact import redact

        log.debug("start-up failed", exc_info=True)
        print(
            f"realtimekit-mcp emulator: cannot start: {type(exc).__name__}: {redact(str(exc))}",
            file=sys.stderr,
        )
        return 1
