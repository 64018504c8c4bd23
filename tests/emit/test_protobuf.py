"""The protobuf target: every .proto compiles with protoc and is `buf lint` clean; the
compiled descriptors hold the model's operations with their idempotency levels."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from conftest import EXAMPLES
from emit.helpers import check_golden, fixture_model, write
from meshwright.emit.registry import emit_target
from meshwright.model import load_model

IDEMPOTENT = descriptor_pb2.MethodOptions.IDEMPOTENT


def emitted(example: str, tmp: Path) -> tuple[list[str], Path]:
    artifacts = emit_target("protobuf", load_model(EXAMPLES / example).model)
    return [a.path for a in artifacts if a.path.endswith(".proto")], write(tmp, artifacts)


def protoc(root: Path, files: list[str]) -> descriptor_pb2.FileDescriptorSet:
    binary = shutil.which("protoc")
    if binary is None:
        pytest.fail(
            "protoc is not installed: apt-get install protobuf-compiler (.ci/install-system-packages.sh)"
        )
    out = root / "descriptors.pb"
    done = subprocess.run(
        [binary, f"-I{root}", f"--descriptor_set_out={out}", *files],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


@pytest.mark.parametrize("example", ["shop", "online-boutique"])
def test_protos_compile_and_carry_the_operations(example: str, tmp_path: Path) -> None:
    files, root = emitted(example, tmp_path)
    model = load_model(EXAMPLES / example).model
    grpc = {(s, a.name): a for s, svc in model.services.items() for a in svc.apis if a.protocol == "grpc"}
    assert len(files) == len(grpc)
    descriptors = protoc(root, files)
    methods = {
        m.name: m.options.idempotency_level for f in descriptors.file for svc in f.service for m in svc.method
    }
    for api in grpc.values():
        for name, op in api.operations.items():
            assert name in methods, name
            assert (methods[name] == IDEMPOTENT) is op.idempotent, name


@pytest.mark.parametrize("example", ["shop", "online-boutique"])
def test_buf_lint_is_clean(example: str, tmp_path: Path) -> None:
    buf = Path(sys.executable).with_name("buf")
    binary = str(buf) if buf.is_file() else shutil.which("buf")
    if binary is None:
        pytest.fail("buf is not installed: pip install -e '.[dev]' (PyPI buf-bin)")
    _, root = emitted(example, tmp_path)
    done = subprocess.run(
        [binary, "lint"], capture_output=True, text=True, check=False, cwd=root, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    broken = next(root.rglob("*.proto"))
    broken.write_text(broken.read_text().replace("package ", "package Bad", 1))
    done = subprocess.run(
        [binary, "lint"], capture_output=True, text=True, check=False, cwd=root, timeout=120
    )
    assert done.returncode != 0


def test_golden_files_of_the_fixture_model() -> None:
    check_golden("minishop/protobuf", emit_target("protobuf", fixture_model()))
