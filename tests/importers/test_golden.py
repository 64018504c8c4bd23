"""The written model directories, byte for byte (golden files), and valid against the
model's JSON Schema. MESHWRIGHT_UPDATE_GOLDEN=1 rewrites the golden files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from meshwright.importers.builder import ModelBuilder
from meshwright.importers.compose import import_compose
from meshwright.importers.kubernetes import import_kubernetes
from meshwright.importers.traces import import_traces
from meshwright.importers.writer import render
from meshwright.model.schema import model_json_schema

from .helpers import OB_RELEASE, ROBOT_SHOP, ROOT, TRACES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MESHWRIGHT_UPDATE_GOLDEN") == "1"


def _rel(path: Path) -> Path:
    return path.relative_to(ROOT)


def _online_boutique() -> ModelBuilder:
    b = ModelBuilder("online-boutique")
    import_kubernetes(b, [_rel(OB_RELEASE)])
    return b


def _robot_shop() -> ModelBuilder:
    b = ModelBuilder("robot-shop")
    import_compose(b, _rel(ROBOT_SHOP / "docker-compose.yaml"))
    import_kubernetes(b, [_rel(ROBOT_SHOP / "K8s-istio")], only_istio=True)
    return b


def _traced() -> ModelBuilder:
    b = ModelBuilder("traced-shop")
    import_traces(b, _rel(TRACES / "otlp.json"))
    return b


CASES = {"online-boutique": _online_boutique, "robot-shop": _robot_shop, "traced-shop": _traced}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # inputs named relative to the repository, as a user would type them
    files = render(CASES[name]()).files
    root = GOLDEN / name
    if UPDATE:
        shutil.rmtree(root, ignore_errors=True)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
    assert root.is_dir(), f"no golden files in {root}: run with MESHWRIGHT_UPDATE_GOLDEN=1"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*.yaml")) == sorted(files)
    for rel, text in files.items():
        assert (root / rel).read_text(encoding="utf-8") == text, f"{name}/{rel} differs from its golden file"
    merged = yaml.safe_load(files["mesh.yaml"])
    merged["services"] = {}
    for rel, text in files.items():
        if rel.startswith("services/"):
            merged["services"].update(yaml.safe_load(text))
    jsonschema.validate(merged, model_json_schema())
