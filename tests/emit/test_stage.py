"""The emit build stage and the `meshwright emit` command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from emit.helpers import FIXTURE
from meshwright.cli import app
from meshwright.emit.commands import EmitTarget
from meshwright.emit.registry import targets
from meshwright.emit.stage import emit_stage
from meshwright.model import load_model
from meshwright.pipeline import BuildContext


def test_stage_writes_every_target_under_its_directory() -> None:
    result = emit_stage(BuildContext(loaded=load_model(FIXTURE)))
    assert not result.failed
    tops = {a.path.split("/", 1)[0] for a in result.artifacts}
    assert tops == {"kubernetes", "helm", "compose", "docker", "observability"}
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
