"""The committed *_pb2.py / *_pb2.pyi are exactly what scripts/gen_protocol.py generates."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_protocol.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protocol", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_generated_modules_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_every_proto_file_has_committed_modules() -> None:
    generator = load_generator()
    protos = generator.proto_files()
    assert protos, "no .proto files found"
    for proto in protos:
        stem = generator.SRC / proto.with_suffix("")
        assert stem.with_name(stem.name + "_pb2.py").is_file()
        assert stem.with_name(stem.name + "_pb2.pyi").is_file()


@pytest.fixture
def source_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, Path]:
    """The generator pointed at a scratch copy of src/realtimekit_mcp/protocol."""
    generator = load_generator()
    package = tmp_path / "src" / generator.PROTO_PACKAGE
    package.parent.mkdir(parents=True)
    shutil.copytree(
        generator.SRC / generator.PROTO_PACKAGE, package, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    for generated in (generator.SRC / generator.PROTO_PACKAGE).glob("*_pb2.py"):
        shutil.copy(generated, package / generated.name)
    monkeypatch.setattr(generator, "SRC", tmp_path / "src")
    return generator, package


def test_check_reports_a_generated_module_that_differs(source_copy: tuple[ModuleType, Path]) -> None:
    generator, package = source_copy
    assert generator.check() == []
    target = package / "media_pb2.py"
    target.write_text(target.read_text() + "# edited by hand\n")
    assert generator.check() == [f"stale: src/{generator.PROTO_PACKAGE}/media_pb2.py"]


def test_check_reports_a_proto_change_not_regenerated(source_copy: tuple[ModuleType, Path]) -> None:
    generator, package = source_copy
    proto = package / "ai.proto"
    proto.write_text(
        proto.read_text().replace("bool is_partial = 3;", "bool is_partial = 3;\n  string extra = 4;")
    )
    problems = generator.check()
    assert f"stale: src/{generator.PROTO_PACKAGE}/ai_pb2.py" in problems


def test_check_reports_an_orphaned_module(source_copy: tuple[ModuleType, Path]) -> None:
    generator, package = source_copy
    (package / "plugin.proto").unlink()
    assert f"orphaned: src/{generator.PROTO_PACKAGE}/plugin_pb2.py" in generator.check()
