"""The build stage "check": findings.json and findings.sarif, failed on errors."""

from __future__ import annotations

import json

import pytest
from check_cases import load_case

from meshwright import pipeline
from meshwright.check import Severity
from meshwright.check.stage import check_stage
from meshwright.pipeline import BuildContext

GOOD = """\
platform: {mesh: istio}
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: cart.Get, timeout: 300ms}]
  cart:
    apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
"""


def test_stage_writes_findings_and_fails_on_errors() -> None:
    bad = GOOD.replace(", timeout: 300ms", "")
    result = check_stage(BuildContext(loaded=load_case(bad)))
    assert result.failed
    files = {a.path: a.content for a in result.artifacts}
    assert set(files) == {"check/findings.json", "check/findings.sarif"}
    data = json.loads(str(files["check/findings.json"]))
    assert "MW201" in [f["code"] for f in data["findings"]]
    assert json.loads(str(files["check/findings.sarif"]))["version"] == "2.1.0"
    assert "error" in result.summary


def test_stage_passes_without_errors_and_honours_selection() -> None:
    result = check_stage(BuildContext(loaded=load_case(GOOD)))
    assert not result.failed
    assert result.data.count(Severity.error) == 0
    only = check_stage(BuildContext(loaded=load_case(GOOD), options={"check": {"select": ["MW2"]}}))
    assert all(f.code.startswith("MW2") for f in only.data.findings)


def test_stage_runs_in_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = pipeline.STAGE_MODULES
    if "meshwright.check.stage" not in modules:  # until the lead lists it
        monkeypatch.setattr(pipeline, "STAGE_MODULES", (*modules, "meshwright.check.stage"))
    ctx = pipeline.run_build(load_case(GOOD), only=["check"])
    assert list(ctx.results) == ["check"]
    assert not ctx.results["check"].failed
