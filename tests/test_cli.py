"""The top-level command line routes to its subcommands; no subcommand means ``serve``."""

from __future__ import annotations

import argparse

import pytest

from realtimekit_mcp import cli
from realtimekit_mcp.server import cli as server_cli


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    seen: list[argparse.Namespace] = []

    def fake_serve(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(server_cli, "serve_command", fake_serve)
    return seen


def test_no_subcommand_starts_the_mcp_server(calls: list[argparse.Namespace]) -> None:
    assert cli.main([]) == 0
    assert calls[0].command == "serve"


def test_server_flags_without_a_subcommand_go_to_serve(calls: list[argparse.Namespace]) -> None:
    assert cli.main(["--read-only", "--toolsets", "all"]) == 0
    assert calls[0].read_only is True and calls[0].toolsets == "all"


def test_version_prints_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("realtimekit-mcp ")


def test_an_unknown_flag_is_a_usage_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--no-such-flag"])
    assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
