"""Model names that collapse into one generated name are refused, located, before any
file is written (they would overwrite each other's objects, containers and files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meshwright.emit import emit_all
from meshwright.emit.names import ensure_distinct_names, name_clashes
from meshwright.emit.stage import emit_stage
from meshwright.errors import ModelError
from meshwright.model import load_text
from meshwright.pipeline import BuildContext

CLASHING = """\
meshwright: 1
system: clash
platform: {broker: kafka}
topics: {t: {}}
services:
  a_b:
    apis: [{name: Z, port: 8080, operations: {Do: {}}}]
    secrets: [db_pw]
  A-B:
    apis: [{name: C, port: 8081, operations: {Do: {}}}]
    datastores: {kafka: {kind: redis}, shared-db: {kind: postgres, shared: true}}
    secrets: [db-pw]
    publishes: [t]
  c:
    datastores: {shared-db: {kind: postgres, shared: true}, a-b: {kind: spanner}}
    consumes: [{topic: t}]
"""


def test_each_clash_is_named_and_located() -> None:
    loaded = load_text(CLASHING, "mesh.yaml")
    with pytest.raises(ModelError) as caught:
        ensure_distinct_names(loaded)
    found = [(str(d.location), d.message) for d in caught.value.diagnostics]
    assert found == [
        ("mesh.yaml:9:3", "service 'A-B' and service 'a_b' are both generated as 'a-b'"),
        ("mesh.yaml:11:18", "datastore 'kafka' (redis) and broker 'kafka' are both generated as 'kafka'"),
        ("mesh.yaml:12:15", "secret 'db-pw' and secret 'db_pw' are both generated as 'db-pw'"),
    ]
    assert caught.value.outcome == "nothing was generated"


def test_a_shared_datastore_and_a_platform_datastore_are_no_clash() -> None:
    fine = CLASHING.replace("A-B:", "b:").replace("kafka: {kind: redis}", "cache: {kind: redis}")
    fine = fine.replace("secrets: [db-pw]", "secrets: [db_pw]")
    assert name_clashes(load_text(fine).model) == []  # shared-db twice; spanner 'a-b' runs nowhere


def test_emit_refuses_instead_of_overwriting() -> None:
    loaded = load_text(CLASHING)
    with pytest.raises(ModelError):
        emit_all(loaded.model)
    with pytest.raises(ModelError):
        emit_stage(BuildContext(loaded=loaded))


def test_emit_command_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(CLASHING, encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "meshwright", "emit", "all", str(model), "-o", str(out)],
        capture_output=True, text=True, check=False, env={"COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert r.returncode == 2, r.stderr
    assert f"{model}:9:3: error: service 'A-B' and service 'a_b' are both generated as 'a-b'" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()
