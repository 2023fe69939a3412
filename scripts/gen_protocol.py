#!/usr/bin/env python3
"""Regenerate the Python modules of ``src/realtimekit_mcp/protocol/*.proto``.

Usage::

    python scripts/gen_protocol.py            # rewrite the committed *_pb2.py / *_pb2.pyi
    python scripts/gen_protocol.py --check    # exit 1 if the committed files are stale
    python scripts/gen_protocol.py --out DIR  # write the generated tree under DIR instead

The compiler is ``grpcio-tools`` at a pinned version (a dev tool, never a runtime dependency). Its
protoc decides the gencode version stamped into every ``_pb2.py``, and protobuf's runtime refuses
gencode newer than itself: keep ``GRPCIO_TOOLS_VERSION``/``EXPECTED_PROTOC`` in step with the floor of
``protobuf`` in pyproject.toml (libprotoc 26.1 -> gencode 5.26.1 -> ``protobuf>=5.26.1``).

If ``grpc_tools`` at that version is not importable, the script installs it (``pip --target``,
no dependencies) into ``.cache/protoc-tools/`` and runs protoc from there.
"""

from __future__ import annotations

import argparse
import fcntl
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GRPCIO_TOOLS_VERSION = "1.63.2"
EXPECTED_PROTOC = "libprotoc 26.1"

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PROTO_PACKAGE = Path("realtimekit_mcp") / "protocol"
TOOLS_DIR = ROOT / ".cache" / "protoc-tools" / f"grpcio-tools-{GRPCIO_TOOLS_VERSION}"


def proto_files() -> list[Path]:
    """The .proto files, relative to ``src/`` (which is protoc's include root)."""
    return sorted(p.relative_to(SRC) for p in (SRC / PROTO_PACKAGE).glob("*.proto"))


def _tool_env() -> dict[str, str]:
    """An environment whose ``python -m grpc_tools.protoc`` is the pinned version."""
    env = dict(os.environ)
    TOOLS_DIR.parent.mkdir(parents=True, exist_ok=True)
    # A lock, because parallel test workers may all want the tool at once.
    with (TOOLS_DIR.parent / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (TOOLS_DIR / "grpc_tools").is_dir():
            _install_tools()
    env["PYTHONPATH"] = str(TOOLS_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _install_tools() -> None:
    staging = TOOLS_DIR.with_name(TOOLS_DIR.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--target",
            str(staging),
            f"grpcio-tools=={GRPCIO_TOOLS_VERSION}",
        ],
        check=True,
    )
    shutil.rmtree(TOOLS_DIR, ignore_errors=True)
    staging.rename(TOOLS_DIR)


def _protoc(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"protoc failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def generate(out_root: Path) -> list[Path]:
    """Compile every .proto into ``out_root`` (mirroring ``src/``); return the generated paths."""
    env = _tool_env()
    version = _protoc(["--version"], env, SRC)
    if version != EXPECTED_PROTOC:
        raise SystemExit(f"expected {EXPECTED_PROTOC}, grpcio-tools {GRPCIO_TOOLS_VERSION} gave {version}")
    protos = proto_files()
    (out_root / PROTO_PACKAGE).mkdir(parents=True, exist_ok=True)
    _protoc(
        ["-I.", f"--python_out={out_root}", f"--pyi_out={out_root}", *(str(p) for p in protos)],
        env,
        SRC,
    )
    generated: list[Path] = []
    for proto in protos:
        stem = proto.with_suffix("")
        generated += [stem.with_name(stem.name + "_pb2.py"), stem.with_name(stem.name + "_pb2.pyi")]
    return generated


def committed_generated() -> list[Path]:
    """Generated files currently in the source tree, relative to ``src/``."""
    pkg = SRC / PROTO_PACKAGE
    return sorted(p.relative_to(SRC) for p in [*pkg.glob("*_pb2.py"), *pkg.glob("*_pb2.pyi")])


def check() -> list[str]:
    """Regenerate into a temporary directory; return a list of problems (empty when current)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = sorted(generate(Path(tmp)))
        for rel in fresh:
            if not (SRC / rel).is_file():
                problems.append(f"missing: src/{rel}")
            elif not filecmp.cmp(Path(tmp) / rel, SRC / rel, shallow=False):
                problems.append(f"stale: src/{rel}")
        problems += [f"orphaned: src/{rel}" for rel in committed_generated() if rel not in fresh]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="fail if the committed modules are stale")
    group.add_argument("--out", type=Path, help="write the generated tree under this directory")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: python scripts/gen_protocol.py", file=sys.stderr)
        return 1 if problems else 0
    out = args.out if args.out is not None else SRC
    for rel in generate(out):
        print(out / rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
