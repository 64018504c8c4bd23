"""Build stage "check": the design review as check/findings.json and check/findings.sarif.

The stage fails (so `meshwright build` exits 1) when a finding at or above the fail level
(default: error) is reported. Build options may carry
``{"check": {"select": [...], "ignore": [...], "options": {...}, "fail_on": "warning"}}``.
"""

from __future__ import annotations

from typing import Any

from meshwright.check.engine import run_check
from meshwright.check.formats import render, summary_line
from meshwright.pipeline import Artifact, BuildContext, StageResult, stage


@stage("check", "design review against the rule catalogue (findings.json, findings.sarif)")
def check_stage(ctx: BuildContext) -> StageResult:
    settings: dict[str, Any] = ctx.options.get("check") or {}
    report = run_check(
        ctx.loaded,
        select=settings.get("select"),
        ignore=settings.get("ignore"),
        options=settings.get("options"),
    )
    return StageResult(
        name="check",
        summary=summary_line(report),
        data=report,
        artifacts=[
            Artifact("check/findings.json", render(report, "json")),
            Artifact("check/findings.sarif", render(report, "sarif")),
        ],
        failed=report.fails(str(settings.get("fail_on", "error"))),
    )
