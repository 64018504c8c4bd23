"""The reports the report tests look at: each example's, rendered once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from meshwright.analysis.result import AnalysisResult, analyze
from meshwright.check.engine import CheckReport, run_check
from meshwright.model import LoadedModel, load_model
from meshwright.report.document import ReportInputs, render_report

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("shop", "online-boutique")
ARTIFACTS = ROOT / "out" / "test-artifacts" / "report"
"""Reports and screenshots the tests leave for people to look at (out/ is gitignored)."""


@dataclass(frozen=True)
class Rendered:
    loaded: LoadedModel
    check: CheckReport
    analysis: AnalysisResult
    html: str
    path: Path
    """Where the report was written (model links are relative to its directory)."""


@cache
def rendered(example: str) -> Rendered:
    loaded = load_model(ROOT / "examples" / example)
    check = run_check(loaded)
    analysis = analyze(loaded.model)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{example}.html"
    html = render_report(ReportInputs(loaded, check, analysis, base=path.parent))
    path.write_text(html, encoding="utf-8")
    return Rendered(loaded, check, analysis, html, path)
