"""Generate the README tool table from the registry.

``python -m realtimekit_mcp.server.docs`` rewrites the part of README.md between
``<!-- tools:start -->`` and ``<!-- tools:end -->``; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from realtimekit_mcp.server.policy import asks_confirmation
from realtimekit_mcp.server.registry import alias_table, all_toolsets

START = "<!-- tools:start -->"
END = "<!-- tools:end -->"


def _kind(read_only: bool, destructive: bool) -> str:
    if read_only:
        return "read"
    return "write, destructive" if destructive else "write"


def tool_table() -> str:
    """The markdown listing every toolset and tool (stable order)."""
    lines = [
        "Default toolsets are marked ✓; choose others with `--toolsets` (`default`, `all`, or names),",
        "add single tools with `--tools`, hide tools with `--exclude-tools`, and drop every write tool",
        "with `--read-only`. Tools marked *confirm* ask the user first (elicitation) and fail closed",
        "when the client cannot ask, unless the server runs with `--allow-destructive`.",
        "Bot tools need the `bot` extra and read files only from the media directory (`--media-dir`,",
        "env `REALTIMEKIT_MEDIA_DIR`, default `media` under the data directory); they never fetch URLs.",
        "`say` and transcripts also need the `speech` extra.",
        "",
    ]
    renamed = alias_table()
    if renamed:
        lines.append(
            "Renamed tools (old names still work at call time, and in `--tools`/`--exclude-tools`): "
            + "; ".join(
                f"`{old}` → `{new}`" + (" " + ", ".join(f"{k}={v}" for k, v in args.items()) if args else "")
                for old, (new, args) in renamed.items()
            )
            + "."
        )
        lines.append("")
    lines += [
        "| Toolset | Default | Tool | Kind | What it does |",
        "|---|---|---|---|---|",
    ]
    for ts in all_toolsets():
        default = "✓" if ts.default else ""
        if not ts.tools:
            lines.append(f"| `{ts.id}` | {default} | — | — | {ts.description} |")
            continue
        for spec in ts.tools:
            kind = _kind(spec.read_only, spec.destructive)
            if asks_confirmation(spec):
                kind += ", confirm"
            desc = spec.description.replace("|", "\\|")
            lines.append(f"| `{ts.id}` | {default} | `{spec.name}` | {kind} | {desc} |")
    return "\n".join(lines)


def render(readme: str) -> str:
    """``readme`` with the section between the markers replaced by the current table."""
    head, sep, rest = readme.partition(START)
    if not sep or END not in rest:
        raise ValueError(f"README has no {START} ... {END} section")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{tool_table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the README table in place (path as the first argument, default ./README.md)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "README.md")
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
