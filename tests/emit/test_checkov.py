"""Checkov, the policy linter platform teams run on manifests, on both examples' Kubernetes
output (base and both overlays, rendered by Checkov's kustomize framework).

Every failed check must be one of two kinds:

- a deliberate deviation of the emitters, listed in :data:`DEVIATIONS` with its reason
  and, where it applies to some services only, the condition (the same list, with the
  same reasons, is in docs/commands/emit.md; a test keeps the two equal);
- a finding ``meshwright check`` already reports at the model's line
  (:data:`MODEL_RULES`): the model asked for it (Online Boutique's bare image names and
  ``namespace: default``), so the review says so before anything is generated.

Checkov is slow to start: it runs once per example, over the whole output directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emit.helpers import write
from meshwright.check import run_check
from meshwright.emit import emit_target
from meshwright.emit.wiring import dns_name
from meshwright.model import LoadedModel, load_model
from meshwright.model.types import Service

ROOT = Path(__file__).resolve().parents[2]
EMIT_DOC = ROOT / "docs" / "commands" / "emit.md"


@dataclass(frozen=True)
class Deviation:
    """A Checkov check the emitters fail on purpose, and for which services."""

    reason: str
    applies: Callable[[Service], bool] = lambda svc: True


DEVIATIONS: dict[str, Deviation] = {
    "CKV_K8S_11": Deviation(  # CPU limits should be set
        "no CPU limit unless `cpu_limit` is set: a CPU limit throttles a pod even on an idle node",
        lambda svc: svc.runtime.cpu_limit is None,
    ),
    "CKV_K8S_15": Deviation(  # Image Pull Policy should be Always
        "`imagePullPolicy: IfNotPresent`: a pinned tag or digest does not change, so pulling it "
        "on every start only adds start-up time and a dependency on the registry",
    ),
    "CKV_K8S_43": Deviation(  # Image should use digest
        "no digest unless the model's image has one: the image is rendered as the model names it",
        lambda svc: svc.image is None or "@" not in svc.image,
    ),
}
"""The one list of deliberate deviations (docs/commands/emit.md shows the same)."""

MODEL_RULES: dict[str, Callable[[Service | None], str]] = {
    "CKV_K8S_14": lambda svc: "MW613" if svc is None or svc.image is None else "MW606",  # image tag
    "CKV_K8S_21": lambda svc: "MW614",  # the default namespace
}
"""Checkov checks the model can fail → the rule of ``meshwright check`` that reports it."""

CAUSED_BY_THE_MODEL = {"shop": set(), "online-boutique": {"CKV_K8S_14", "CKV_K8S_21"}}
"""Checks each example fails beyond the deviations: the shop none; Online Boutique, as its
own manifests deploy it, bare image names and the `default` namespace."""

LAYERS = ("base", "overlays/dev", "overlays/prod")


def _checkov() -> str:
    """The checkov program: $MESHWRIGHT_CHECKOV, the repository's .venv-checkov, or PATH.

    Checkov pins networkx < 2.7 and meshwright needs networkx ≥ 3.2, so it lives in an
    environment of its own (`make checkov`)."""
    for candidate in (os.environ.get("MESHWRIGHT_CHECKOV"), str(ROOT / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("checkov")
    if found is None:
        pytest.fail("checkov is not installed: run `make checkov` (it needs an environment of its own)")
    return found


@dataclass(frozen=True)
class Result:
    check: str
    layer: str
    kind: str
    name: str


def _parse(item: dict[str, Any]) -> Result:
    """``overlay:overlays/dev:Deployment.shop-dev.cart`` → (check, layer, kind, name)."""
    where, _, obj = item["resource"].rpartition(":")
    kind, _ns, name = obj.split(".", 2)
    layer = where.partition(":")[2] if where.startswith("overlay:") else where
    return Result(item["check_id"], layer, kind, name)


@pytest.fixture(scope="module", params=["shop", "online-boutique"])
def scanned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LoadedModel, list[Result], list[Result]]:
    """(the example, Checkov's passed checks, its failed checks) over the emitted directory."""
    loaded = load_model(ROOT / "examples" / request.param)
    out = write(tmp_path_factory.mktemp(request.param), emit_target("kubernetes", loaded.model))
    args = [_checkov(), "-d", str(out), "--framework", "kustomize", "-o", "json", "--compact"]
    done = subprocess.run(
        [*args, "--skip-download"], capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    [report] = report if isinstance(report, list) else [report]
    assert report["check_type"] == "kustomize" and report["summary"]["parsing_errors"] == 0
    results = report["results"]
    return (
        loaded,
        [_parse(r) for r in results["passed_checks"]],
        [_parse(r) for r in results["failed_checks"]],
    )


@pytest.mark.golden_tool  # Checkov scans the kubernetes target's golden output
def test_every_workload_of_every_layer_was_scanned_and_has_probes(
    scanned: tuple[LoadedModel, list[Result], list[Result]],
) -> None:
    """CKV_K8S_8/9 (liveness and readiness probes) pass for every Deployment in the base
    and both overlays: event-only services included, and proof that Checkov saw them all."""
    loaded, passed, _ = scanned
    for check in ("CKV_K8S_8", "CKV_K8S_9"):
        seen = {(r.layer, r.name) for r in passed if r.check == check and r.kind == "Deployment"}
        assert seen == {(layer, dns_name(s)) for layer in LAYERS for s in loaded.model.services}, check


@pytest.mark.golden_tool
def test_every_failed_check_is_a_listed_deviation_or_a_model_finding(
    scanned: tuple[LoadedModel, list[Result], list[Result]],
) -> None:
    loaded, _, failed = scanned
    model = loaded.model
    by_name = {dns_name(n): n for n in model.services}
    findings = {
        (f.code, f.path[1] if f.path[:1] == ("services",) else None) for f in run_check(loaded).findings
    }
    unexplained, caused = [], set()
    for r in failed:
        name = by_name.get(r.name.removesuffix("-config"))
        svc = model.services[name] if name is not None else None
        if r.check in DEVIATIONS and svc is not None and DEVIATIONS[r.check].applies(svc):
            continue
        if r.check in MODEL_RULES:
            code = MODEL_RULES[r.check](svc)
            if (code, name) in findings or (code, None) in findings:
                caused.add(r.check)
                continue
        unexplained.append(r)
    assert unexplained == []
    assert caused == CAUSED_BY_THE_MODEL[model.system]


def test_docs_list_the_same_deviations_and_model_checks() -> None:
    text = EMIT_DOC.read_text(encoding="utf-8")
    section = text[text.index("### Checkov") :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section else section
    deviations = section[: section.index("#### ")] if "#### " in section else section
    assert set(re.findall(r"^\| `(CKV_K8S_\d+)`", deviations, re.MULTILINE)) == set(DEVIATIONS)
    listed = set(re.findall(r"^\| `(CKV_K8S_\d+)`", section, re.MULTILINE))
    assert listed == set(DEVIATIONS) | set(MODEL_RULES)
