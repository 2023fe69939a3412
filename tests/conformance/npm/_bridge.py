"""Run tests/conformance/npm/encode.mjs: the official SDK bundle's protobuf types, driven from Python."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
INSTALLER = ROOT / ".ci" / "npm-conformance.sh"
DRIVER = Path(__file__).with_name("encode.mjs")
LOCK = ROOT / ".cache" / "npm-conformance.lock"


@dataclass(frozen=True)
class OfficialSDK:
    """The installed @cloudflare/realtimekit bundle, reachable through encode.mjs."""

    install_dir: Path
    sdk_version: str
    runtime_version: str

    def run(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run ops in one Node process; return one result per op (errors raise)."""
        reply = _node(self.install_dir, ops)
        results: list[dict[str, Any]] = reply["results"]
        errors = [(op, res["error"]) for op, res in zip(ops, results, strict=True) if "error" in res]
        if errors:
            raise AssertionError(f"the SDK bundle rejected {len(errors)} op(s), first: {errors[0]}")
        return results


def _node(install_dir: Path, ops: list[dict[str, Any]]) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", str(DRIVER), str(install_dir)],
        input=json.dumps({"ops": ops}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"encode.mjs failed ({proc.returncode}): {proc.stderr[-2000:]}")
    reply: dict[str, Any] = json.loads(proc.stdout)
    return reply


def install_official_sdk() -> OfficialSDK:
    """Install (once, under a lock shared by xdist workers) and describe the official SDK.

    Skips only when Node.js is absent; any other problem (npm, network, install) fails.
    """
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the npm conformance tests need `node` (.ci/run installs it)")
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(
            ["bash", str(INSTALLER)], capture_output=True, text=True, timeout=900, check=False
        )
    if proc.returncode != 0:
        pytest.fail(f".ci/npm-conformance.sh failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    install_dir = Path(proc.stdout.strip().splitlines()[-1])
    reply = _node(install_dir, [])
    return OfficialSDK(install_dir, reply["sdk"], reply["runtime"])
