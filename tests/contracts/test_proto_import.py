"""`meshwright import proto`: Online Boutique's demo.proto gives the example model's gRPC
APIs and operations; generated .proto files read back to the same operations."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run
from conftest import EXAMPLES, ROOT
from emit.helpers import write
from meshwright.contracts.proto_import import model_from_protos
from meshwright.emit.registry import emit_target
from meshwright.model import load_model

DEMO = ROOT / "tests" / "data" / "online-boutique" / "protos" / "demo.proto"


def test_demo_proto_gives_the_example_models_grpc_operations(tmp_path: Path) -> None:
    out = tmp_path / "mesh.yaml"
    done = run("import", "proto", str(DEMO), "-o", str(out))
    assert done.returncode == 0, done.stderr
    imported = load_model(out).model
    example = load_model(EXAMPLES / "online-boutique").model
    expected = {
        (name, api.name): set(api.operations)
        for name, svc in example.services.items()
        for api in svc.apis
        if api.protocol == "grpc"
    }
    got = {
        (name, api.name): set(api.operations) for name, svc in imported.services.items() for api in svc.apis
    }
    assert got == expected
    assert imported.system == "hipstershop"
    assert {api.port for svc in imported.services.values() for api in svc.apis} == {50051}


def test_generated_protos_read_back_with_their_idempotency(tmp_path: Path) -> None:
    model = load_model(EXAMPLES / "shop").model
    root = write(tmp_path, emit_target("protobuf", model))
    doc = model_from_protos(sorted(root.rglob("*.proto")), "shop", 9000)
    ops = {
        (api["name"], op): spec["idempotent"]
        for svc in doc["services"].values()
        for api in svc["apis"]
        for op, spec in api["operations"].items()
    }
    for svc in model.services.values():
        for api in svc.apis:
            if api.protocol == "grpc":
                name = api.name if api.name.endswith("Service") else f"{api.name}Service"
                for op_name, op in api.operations.items():
                    assert ops[(name, op_name)] is op.idempotent


def test_a_broken_file_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.proto"
    bad.write_text('syntax = "proto3";\nservice X {\n  rpc A(B) returns C;\n}\n')
    done = run("import", "proto", str(bad))
    assert done.returncode == 2
    assert "bad.proto:3:20: error: expected '('" in done.stderr
    assert "Traceback" not in done.stderr
