"""Emitting again after a service is removed leaves none of its files behind, and never
touches a file meshwright did not write (OUT/.meshwright-manifest.json)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from emit.helpers import helm_render, kubectl_kustomize
from meshwright.output import MANIFEST, read_manifest, write_tracked
from meshwright.pipeline import Artifact

TWO = """\
meshwright: 1
system: pair
platform: {namespace: pair}
services:
  a:
    language: go
    image: registry.example/pair/a:1.0.0
    runtime: {replicas: 2}
    apis: [{name: A, protocol: http, port: 8080, operations: {Get: {}}}]
    calls: [{to: b.Get, timeout: 1s}]
  b:
    language: python
    image: registry.example/pair/b:1.0.0
    runtime: {replicas: 2}
    apis: [{name: B, protocol: grpc, port: 7070, operations: {Get: {}}}]
"""
ONE = TWO[: TWO.index("    calls:")]
"""The same system without service b (and a's call to it)."""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshwright", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def _emit(model: Path, text: str, target: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    model.write_text(text, encoding="utf-8")
    done = run("emit", target, str(model), "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return done


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_removed_service_leaves_no_file_and_own_files_survive(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "deploy"
    _emit(model, TWO, "all", out)
    assert {"kubernetes/base/b.yaml", "helm/pair/templates/b.yaml", "docker/b/Dockerfile"} <= _files(out)
    (out / "kubernetes" / "overlays" / "mine").mkdir()
    own = {
        "NOTES.md": "my notes\n",
        "kubernetes/overlays/mine/kustomization.yaml": "resources: [../../base]\n",
        "docker/b/requirements.txt": "grpcio\n",  # beside a generated file, in its directory
    }
    for path, text in own.items():
        (out / path).write_text(text, encoding="utf-8")

    done = _emit(model, ONE, "all", out)
    files = _files(out)
    for stale in (
        "kubernetes/base/b.yaml",
        "kubernetes/overlays/dev/patches/deployment-b.yaml",
        "kubernetes/overlays/dev/patches/pdb-b.yaml",
        "helm/pair/templates/b.yaml",
        "docker/b/Dockerfile",
    ):
        assert stale not in files, stale
        assert f"removed {stale} (no longer generated)" in done.stdout
    for path, text in own.items():
        assert (out / path).read_text(encoding="utf-8") == text, path
    # the renderers see service a only
    kinds = {(o["kind"], o["metadata"]["name"]) for o in kubectl_kustomize(out / "kubernetes" / "base")}
    assert ("Deployment", "a") in kinds and not any(name == "b" for _, name in kinds)
    rendered = {(o["kind"], o["metadata"]["name"]) for o in helm_render(out / "helm" / "pair", "pair")}
    assert ("Deployment", "a") in rendered and ("Deployment", "b") not in rendered
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == files - set(own) - {MANIFEST}


MANIFEST_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "generator", "about", "files"],
    "properties": {
        "format": {"const": 1},
        "generator": {"const": "meshwright"},
        "about": {"type": "string"},
        "files": {
            "type": "object",
            "propertyNames": {"pattern": "^(?!/)(?!.*(^|/)\\.\\.(/|$)).+$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sha256", "scope"],
                "properties": {
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "scope": {"type": "string", "pattern": "^(emit|build) [a-z]+$"},
                },
            },
        },
    },
}


def test_manifest_format_and_hashes(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "deploy"
    _emit(model, TWO, "all", out)
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    jsonschema.validate(data, MANIFEST_SCHEMA)
    assert list(data["files"]) == sorted(data["files"])  # deterministic
    for path, entry in data["files"].items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == entry["sha256"], path
        assert entry["scope"] == "emit all"


def test_empty_directories_of_removed_files_go_too(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "docker"
    _emit(model, TWO, "docker", out)
    _emit(model, ONE, "docker", out)
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a"]


def test_an_edited_stale_file_is_kept_with_a_warning(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "k8s"
    _emit(model, TWO, "kubernetes", out)
    edited = out / "base" / "b.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# tuned by hand\n", encoding="utf-8")

    done = _emit(model, ONE, "kubernetes", out, "--format", "json")
    assert edited.is_file()
    report = json.loads(done.stdout)
    assert report["kept"] == ["base/b.yaml"]
    assert "overlays/dev/patches/deployment-b.yaml" in report["removed"]
    assert "kept" in done.stderr and "edited" in done.stderr and f"rm '{edited}'" in done.stderr
    # still reported on the next run, until the user deletes it
    again = _emit(model, ONE, "kubernetes", out)
    assert "base/b.yaml" in again.stderr
    edited.unlink()
    quiet = _emit(model, ONE, "kubernetes", out)
    assert "warning" not in quiet.stderr
    assert "base/b.yaml" not in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_targets_sharing_a_directory_keep_each_others_files(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "deploy"
    _emit(model, TWO, "docker", out)
    _emit(model, TWO, "compose", out)  # another scope: the Dockerfiles are not its files
    assert {"a/Dockerfile", "b/Dockerfile", "compose.yaml"} <= _files(out)
    _emit(model, ONE, "docker", out)
    assert "b/Dockerfile" not in _files(out) and "compose.yaml" in _files(out)


def test_build_removes_stale_files_of_the_stages_it_ran(tmp_path: Path) -> None:
    model, out = tmp_path / "mesh.yaml", tmp_path / "out"
    model.write_text(TWO, encoding="utf-8")
    assert run("build", str(model), "-o", str(out), "--fail-on", "never").returncode == 0
    assert (out / "kubernetes" / "base" / "b.yaml").is_file()
    (out / "mine.txt").write_text("mine\n", encoding="utf-8")
    model.write_text(ONE, encoding="utf-8")
    only = run("build", str(model), "-o", str(out), "--only", "model", "--fail-on", "never")
    assert only.returncode == 0, only.stderr
    assert (out / "kubernetes" / "base" / "b.yaml").is_file()  # the emit stage did not run
    done = run("build", str(model), "-o", str(out), "--fail-on", "never", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert not (out / "kubernetes" / "base" / "b.yaml").exists()
    assert "kubernetes/base/b.yaml" in json.loads(done.stdout)["removed"]
    assert (out / "mine.txt").read_text(encoding="utf-8") == "mine\n"


def test_an_unreadable_manifest_removes_nothing(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text("x\n", encoding="utf-8")
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    report = write_tracked(tmp_path, {"emit x": [Artifact("new.yaml", "y\n")]})
    assert (tmp_path / "old.yaml").is_file() and report.removed == []
    assert report.warnings and "none was removed" in report.warnings[0]
    assert set(read_manifest(tmp_path)[0]) == {"new.yaml"}


def test_a_manifest_cannot_reach_outside_the_output_directory(tmp_path: Path) -> None:
    """A hand-made manifest naming ../victim (with the victim's real hash) deletes nothing."""
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    write_tracked(out, {"emit x": [Artifact("a.txt", "keep me\n")]})
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    data["files"]["../victim.txt"] = data["files"]["a.txt"]
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    write_tracked(out, {"emit x": []})
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / "a.txt").exists()
    assert set(read_manifest(out)[0]) == set()


def test_nothing_to_write_still_creates_the_directory_and_manifest(tmp_path: Path) -> None:
    report = write_tracked(tmp_path / "new" / "out", {"build model": []})
    assert report.written == [] and (tmp_path / "new" / "out" / MANIFEST).is_file()


def test_the_manifest_name_is_reserved(tmp_path: Path) -> None:
    from meshwright.errors import UsageError

    with pytest.raises(UsageError, match="manifest"):
        write_tracked(tmp_path, {"emit x": [Artifact(MANIFEST, "{}")]})
