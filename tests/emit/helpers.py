"""Shared helpers of the emit tests: the fixture model, writing artifacts, real tools."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emit.fake_kube_api import fake_kube_api
from meshwright.emit.yamltext import load_all
from meshwright.model import Model, load_model
from meshwright.output import write_artifacts
from meshwright.pipeline import Artifact

OBJ = dict[str, Any]
HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "model.yaml"
GOLDEN = HERE / "golden"
UPDATE_GOLDEN = os.environ.get("MESHWRIGHT_UPDATE_GOLDEN") == "1"


def fixture_model() -> Model:
    return load_model(FIXTURE).model


def write(tmp: Path, artifacts: list[Artifact]) -> Path:
    write_artifacts(tmp, artifacts)
    return tmp


def kubectl_kustomize(directory: Path) -> list[dict[str, Any]]:
    """Objects rendered by the real `kubectl kustomize`; fails clearly when kubectl is missing."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is not installed: these tests need it on PATH (`kubectl kustomize`)")
    done = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, f"kubectl kustomize {directory} failed:\n{done.stderr}"
    return load_all(done.stdout)


def check_golden(name: str, artifacts: list[Artifact]) -> None:
    """Compare artifacts with tests/emit/golden/<name>/; MESHWRIGHT_UPDATE_GOLDEN=1 rewrites it."""
    root = GOLDEN / name
    expected = {a.path: a.content for a in artifacts}
    if UPDATE_GOLDEN:
        if root.exists():
            shutil.rmtree(root)
        write_artifacts(root, artifacts)
        return
    assert root.is_dir(), f"no golden files in {root}: run with MESHWRIGHT_UPDATE_GOLDEN=1"
    actual_paths = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert actual_paths == sorted(expected), (
        "the set of generated files changed; rerun with MESHWRIGHT_UPDATE_GOLDEN=1"
    )
    for path, content in expected.items():
        text = content if isinstance(content, str) else content.decode()
        assert (root / path).read_text(encoding="utf-8") == text, (
            f"{name}/{path} differs from its golden file; review and rerun with MESHWRIGHT_UPDATE_GOLDEN=1"
        )


def _helm_sdkpy() -> Any:
    if sys.version_info < (3, 12):  # pragma: no cover - depends on the interpreter
        pytest.skip("helm-sdkpy (Helm's Go library) is published for Python ≥ 3.12 only")
    try:
        import helm_sdkpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(
            f"helm-sdkpy is needed for the chart tests (pip install -e '.[dev]', Python ≥ 3.12): {exc}"
        )
    return helm_sdkpy


def helm_lint(chart: Path) -> dict[str, Any]:
    """Run Helm's own lint (templates rendered, values checked against the schema)."""
    helm_sdkpy = _helm_sdkpy()
    result: dict[str, Any] = asyncio.run(helm_sdkpy.Lint(helm_sdkpy.Configuration()).run(str(chart)))
    return result


def helm_render(chart: Path, namespace: str, values: OBJ | None = None) -> list[OBJ]:
    """Objects Helm itself renders from the chart, with its default values or ``values``.

    helm-sdkpy has no ``helm template``; installing against a loopback stand-in for the
    Kubernetes API (see fake_kube_api) returns the release manifest Helm rendered.
    """
    helm_sdkpy = _helm_sdkpy()
    with fake_kube_api() as (kubeconfig, _received):
        config = helm_sdkpy.Configuration(namespace=namespace, kubeconfig=kubeconfig)
        release = asyncio.run(
            helm_sdkpy.Install(config).run("release", str(chart), values=values, wait=False, timeout=60)
        )
    return load_all(release["manifest"])
