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


def test_payload_schemas_become_fields_where_they_map(tmp_path: Path) -> None:
    files, root = emitted("shop", tmp_path)
    descriptors = protoc(root, files)
    messages = {m.name: m for f in descriptors.file for m in f.message_type}
    F = descriptor_pb2.FieldDescriptorProto
    fields = {
        name: [(f.name, f.number, f.type, f.label) for f in messages[name].field]
        for name in ("CreateOrderRequest", "GetOrderResponse", "ConfirmOrderRequest")
    }
    assert fields["CreateOrderRequest"] == [
        ("checkout_id", 1, F.TYPE_STRING, F.LABEL_OPTIONAL),
        ("customer_id", 2, F.TYPE_STRING, F.LABEL_OPTIONAL),
        ("skus", 3, F.TYPE_STRING, F.LABEL_REPEATED),
    ]
    # `lines` (an array of objects) does not map: a comment names it, no field is invented
    assert [f[0] for f in fields["GetOrderResponse"]] == ["order_id", "status", "total_cents"]
    assert fields["GetOrderResponse"][2][2] == F.TYPE_INT64
    text = (root / "shop/orders/v1/order_service.proto").read_text()
    assert "// lines: not mapped (JSON Schema type array)" in text
    assert fields["ConfirmOrderRequest"] == []  # no schema declared: an empty, explained message


def test_schemas_that_do_not_map_are_explained() -> None:
    from meshwright.emit.protobuf import NO_FIELDS, NOT_AN_OBJECT, message_body

    assert message_body(None) == (NO_FIELDS, [])
    assert message_body({"type": "string"}) == (NOT_AN_OBJECT, [])
    _, lines = message_body(
        {"type": "object", "properties": {"orderId": {"type": "string"}, "order_id": {"type": "string"},
                                          "meta": {"type": "object"}, "n": {"type": "number"}}}
    )
    assert lines == [
        "  string order_id = 1;",
        "  // order_id: not mapped (its protobuf name order_id is orderId's).",
        "  // meta: not mapped (JSON Schema type object); see the schema in the model.",
        "  double n = 2;",
    ]


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
