"""The emit build stage and the `meshwright emit` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emit.helpers import FIXTURE
from meshwright.cli import app
from meshwright.emit.commands import EmitTarget
from meshwright.emit.registry import targets
from meshwright.emit.stage import emit_stage
from meshwright.model import load_model
from meshwright.model.types import Mesh
from meshwright.pipeline import BuildContext


def test_stage_writes_every_target_under_its_directory() -> None:
    result = emit_stage(BuildContext(loaded=load_model(FIXTURE)))
    assert not result.failed
    tops = {a.path.split("/", 1)[0] for a in result.artifacts}
    assert {"kubernetes", "helm", "compose", "docker"} <= tops  # and the targets the platform selects
    assert "compose/compose.yaml" in {a.path for a in result.artifacts}
    assert result.data["docker"] == 5


def test_command_choices_are_the_registered_targets() -> None:
    assert {t.value for t in EmitTarget} == {t.name for t in targets()} | {"all"}


def test_emit_command_writes_files_and_lists_them(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["emit", "kubernetes", str(FIXTURE), "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "base" / "kustomization.yaml").is_file()
    assert "base/kustomization.yaml" in done.output
    done = runner.invoke(app, ["emit", "all", str(FIXTURE), "-o", str(tmp_path / "all"), "--format", "json"])
    assert done.exit_code == 0, done.output
    files = json.loads(done.output)["files"]
    assert (
        "helm/minishop/Chart.yaml" in files
        and (tmp_path / "all" / "docker" / "cart" / "Dockerfile").is_file()
    )


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["emit", "nomad", str(FIXTURE), "-o", str(tmp_path)])
    assert done.exit_code == 2


def test_build_summary_counts_the_selected_mesh_notes_and_the_edge_notes(tmp_path: Path) -> None:
    from meshwright.emit.istio import notes as istio_notes

    shop = load_model(Path(__file__).resolve().parents[2] / "examples" / "shop")
    summary = emit_stage(BuildContext(loaded=shop)).summary
    n = len(istio_notes(shop.model))
    assert n > 0 and f"istio: {n} model policies Istio cannot express exactly (istio/NOTES.md)" in summary
    path = tmp_path / "edge.yaml"
    path.write_text(
        "meshwright: 1\nsystem: edge\nservices:\n  web:\n    expose: public\n"
        "    apis: [{name: Web, protocol: http, port: 8080, operations: {Home: {}}}]\n"
        "entrypoints: [{operation: web.Home, rate: 5/s, rate_limit: 10/s}]\n",
        encoding="utf-8",
    )
    summary = emit_stage(BuildContext(loaded=load_model(path))).summary
    assert "gateway: 1 edge policies the Gateway API cannot express (gateway/NOTES.md)" in summary
    assert "istio" in summary.split("(", 1)[1]  # istio is not selected without a mesh


def test_mesh_notes_tolerate_only_a_missing_linkerd_or_consul_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from meshwright.emit import mesh_notes as mn

    model = load_model(FIXTURE).model
    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> object:
        if name in (mn.MESH_PACKAGES["linkerd"], mn.MESH_PACKAGES["istio"]):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    monkeypatch.setattr(mn.importlib, "import_module", missing)
    linkerd = model.model_copy(update={"platform": model.platform.model_copy(update={"mesh": Mesh.linkerd})})
    assert mn.mesh_notes(linkerd) is None
    istio = model.model_copy(update={"platform": model.platform.model_copy(update={"mesh": Mesh.istio})})
    with pytest.raises(ModuleNotFoundError):
        mn.mesh_notes(istio)
    assert mn.mesh_notes(model) is None  # no mesh
