"""``realtimekit-mcp serve`` and ``realtimekit-mcp demo``.

Handlers import their dependencies lazily so ``realtimekit-mcp --help`` and the emulator command
stay fast. ``serve`` writes nothing to stdout except MCP protocol messages.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--toolsets", help="comma-separated toolsets: default, all, or names (env REALTIMEKIT_TOOLSETS)"
    )
    p.add_argument("--tools", help="extra tools to enable by name, comma-separated (env REALTIMEKIT_TOOLS)")
    p.add_argument(
        "--exclude-tools",
        help="tools to hide, comma-separated; wins over everything (env REALTIMEKIT_EXCLUDE_TOOLS)",
    )
    p.add_argument(
        "--read-only", action="store_true", help="hide and refuse every tool that changes anything"
    )
    p.add_argument(
        "--allow-destructive",
        action="store_true",
        help="run destructive tools without confirmation when the client cannot show a confirmation prompt",
    )
    p.add_argument(
        "--backend", choices=["cloudflare", "url", "embedded"], help="force a backend instead of detecting it"
    )
    p.add_argument("--data-dir", help="embedded emulator state directory (env REALTIMEKIT_DATA_DIR)")
    p.add_argument(
        "--media-dir",
        help="the only directory bot tools read audio/image/video files from "
        "(env REALTIMEKIT_MEDIA_DIR; default: media under the data directory)",
    )
    p.add_argument(
        "--bot-listen-via",
        choices=["media", "agent"],
        default=os.environ.get("REALTIMEKIT_BOT_LISTEN_VIA", "media"),
        help="how listening bots get transcripts: media (receive audio, transcribe locally with the speech "
        "extra) or agent (the service's own transcripts over the Agent Participant socket); "
        "env REALTIMEKIT_BOT_LISTEN_VIA",
    )
    p.add_argument(
        "--log-level", default=os.environ.get("REALTIMEKIT_LOG_LEVEL", "WARNING"), help="stderr log level"
    )


def add_parsers(subparsers: Any) -> None:
    """Register the ``serve`` and ``demo`` subcommands on the CLI's subparsers."""
    serve = subparsers.add_parser("serve", help="run the MCP server (stdio by default)")
    _add_server_options(serve)
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument(
        "--http-token",
        default=os.environ.get("REALTIMEKIT_MCP_HTTP_TOKEN"),
        help="require 'Authorization: Bearer <token>' from MCP clients (env REALTIMEKIT_MCP_HTTP_TOKEN)",
    )
    serve.add_argument(
        "--allowed-hosts",
        help="extra Host values (host:port) accepted by the HTTP server's DNS-rebinding check, comma-separated",
    )
    serve.set_defaults(handler=serve_command)

    demo = subparsers.add_parser(
        "demo", help="run a scripted scenario against the server on the embedded emulator"
    )
    demo.add_argument("--keep-data", action="store_true", help="print and keep the temporary data directory")
    demo.set_defaults(handler=demo_command)


def _configure_logging(level: str) -> None:
    from realtimekit_mcp._redact import install_log_redaction

    logging.basicConfig(stream=sys.stderr, level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()


def serve_command(args: argparse.Namespace) -> int:
    """Run the MCP server; return the exit code."""
    _configure_logging(args.log_level)
    from realtimekit_mcp.config import ConfigError, settings_from_args
    from realtimekit_mcp.server.registry import SelectionError

    try:
        settings = settings_from_args(
            toolsets=args.toolsets,
            tools=args.tools,
            exclude_tools=args.exclude_tools,
            read_only=args.read_only,
            allow_destructive=args.allow_destructive,
            backend=args.backend,
            data_dir=args.data_dir,
        )
        from realtimekit_mcp.server.app import build_server

        server = build_server(
            settings, media_dir=args.media_dir, bot_options={"listen_via": args.bot_listen_via}
        )
    except (ConfigError, SelectionError) as err:
        print(f"realtimekit-mcp: {err}", file=sys.stderr)
        return 2

    names = ", ".join(sorted({s.toolset for s in server.enabled})) or "none"
    mode = " read-only;" if settings.read_only else ""
    print(
        f"realtimekit-mcp: backend = {settings.backend.describe()};{mode} {len(server.enabled)} tools ({names})",
        file=sys.stderr,
        flush=True,
    )
    if args.http:
        from realtimekit_mcp.server.http import LOOPBACK, http_app

        if args.host not in LOOPBACK and not args.http_token:
            print("realtimekit-mcp: refusing to listen beyond loopback without --http-token", file=sys.stderr)
            return 2
        import uvicorn

        extra = [h.strip() for h in (args.allowed_hosts or "").split(",") if h.strip()]
        app = http_app(server, host=args.host, port=args.port, token=args.http_token, extra_hosts=extra)
        print(
            f"realtimekit-mcp: MCP over HTTP at http://{args.host}:{args.port}/mcp",
            file=sys.stderr,
            flush=True,
        )
        # log_config=None: uvicorn logs go through the root handler (stderr, redacted), never stdout.
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(), log_config=None)
        return 0
    server.run("stdio")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    """Run the scripted demo; return the exit code."""
    import anyio

    from realtimekit_mcp.server.demo import run_demo

    return anyio.run(run_demo, bool(args.keep_data))
