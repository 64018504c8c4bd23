"""The build pipeline: stages in order, pure results, files written only by the CLI layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.errors import UsageError
from meshwright.model import load_text
from meshwright.model.scaffold import STARTER_MODEL
from meshwright.output import write_artifacts
from meshwright.pipeline import STAGE_MODULES, Artifact, run_build, stages


def test_stages_follow_the_registry_order() -> None:
    names = [s.name for s in stages()]
    assert names[0] == "model"
    modules = [s.run.__module__ for s in stages()]
    assert modules == [m for m in STAGE_MODULES if m in modules]


def test_build_runs_every_stage_without_touching_disk(tmp_path: Path) -> None:
    loaded = load_text(STARTER_MODEL, "mesh.yaml")
    seen: list[str] = []
    ctx = run_build(loaded, {"out": str(tmp_path)}, on_stage=lambda s: seen.append(s.name))
    assert seen == [s.name for s in stages()]
    assert set(ctx.results) == set(seen)
    assert list(tmp_path.iterdir()) == []
    paths = [a.path for r in ctx.results.values() for a in r.artifacts]
    assert "model.json" in paths
    assert len(paths) == len(set(paths)), "two stages wrote the same file"


def test_only_runs_the_named_stages() -> None:
    loaded = load_text(STARTER_MODEL, "mesh.yaml")
    ctx = run_build(loaded, only=["model"])
    assert list(ctx.results) == ["model"]
    assert ctx.results["model"].data["services"] == 2


def test_artifacts_cannot_escape_the_output_directory(tmp_path: Path) -> None:
    written = write_artifacts(tmp_path / "out", [Artifact("a/b.txt", "x"), Artifact("c.bin", b"\x00")])
    assert [p.name for p in written] == ["b.txt", "c.bin"]
    with pytest.raises(UsageError, match="outside the output directory"):
        write_artifacts(tmp_path / "out", [Artifact("../evil.txt", "x")])
