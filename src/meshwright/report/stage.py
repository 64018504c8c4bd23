"""Build stage "report": ``report.html`` from the results of the stages before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meshwright.analysis.result import AnalysisResult, analyze
from meshwright.analysis.stage import options_from
from meshwright.check.engine import CheckReport, run_check
from meshwright.pipeline import Artifact, BuildContext, StageResult, stage
from meshwright.report.document import ReportInputs, render_report
from meshwright.simulate.results import SimResult
from meshwright.simulate.scenario import Scenario

REPORT = "report.html"


def _data(ctx: BuildContext, name: str) -> Any:
    result = ctx.results.get(name)
    return None if result is None else result.data


@stage("report", "one self-contained HTML report: diagrams, call trees, findings, tables (report.html)")
def report_stage(ctx: BuildContext) -> StageResult:
    check = _data(ctx, "check")
    if not isinstance(check, CheckReport):  # run on its own (--only report): run what it needs
        settings: dict[str, Any] = ctx.options.get("check") or {}
        check = run_check(ctx.loaded, select=settings.get("select"), ignore=settings.get("ignore"),
                          options=settings.get("options"))
    analysis = _data(ctx, "analyze")
    if not isinstance(analysis, AnalysisResult):
        analysis = analyze(ctx.loaded.model, options_from(ctx.options))
    sim = _data(ctx, "simulate")
    files = {
        name: [a.path for a in result.artifacts]
        for name, result in ctx.results.items()
        if result.artifacts and name != "report"
    }
    out = Path(str(ctx.options.get("out", ".")))
    html = render_report(ReportInputs(
        loaded=ctx.loaded, check=check, analysis=analysis,
        simulation=sim if isinstance(sim, SimResult) else None,
        scenario=Scenario(name="steady") if isinstance(sim, SimResult) else None,
        files=files, base=out,
    ))
    return StageResult(
        name="report",
        summary=f"{(out / REPORT).as_posix()} ({len(html) // 1024:,} KiB): open it in a browser",
        data=html,
        artifacts=[Artifact(REPORT, html)],
    )
