"""The ``realtimekit-mcp`` command line.

Subcommands (each module imports its own heavy dependencies lazily):

- ``serve`` (default): the MCP server over stdio, or streamable HTTP with ``--http``.
- ``emulator``: the standalone RealtimeKit emulator.
- ``demo``: a scripted scenario that drives the MCP server over stdio on the embedded emulator.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realtimekit-mcp",
        description="MCP server for Cloudflare RealtimeKit, with an embedded RealtimeKit emulator.",
    )
    from realtimekit_mcp import __version__

    parser.add_argument("--version", action="version", version=f"realtimekit-mcp {__version__}")
    sub = parser.add_subparsers(dest="command")

    from realtimekit_mcp.emulator import cli as emulator_cli
    from realtimekit_mcp.server import cli as server_cli

    emulator_cli.add_parser(sub)
    server_cli.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script. Returns the process exit code."""
    parser = _build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in {"serve", "emulator", "demo", "-h", "--help", "--version"}:
        # No subcommand: behave as ``serve`` so that ``uvx realtimekit-mcp`` starts the MCP server.
        args_list = ["serve", *args_list]
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
