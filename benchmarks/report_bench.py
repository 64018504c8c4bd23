"""Benchmark: `meshwright report` of a synthetic 1,000-service model, and opening it.

    python -m benchmarks.report_bench [--services 1000] [--seed 7] [-o /tmp/m1k_rep]

Prints the wall and CPU time of each step in one run: load + validate, check, analyze,
writing the report from those results (the report's own work: diagrams laid out by
`dot`, tables, call trees, HTML), and opening the report in Chromium (Playwright, page
`load` event, as ``tests/report/test_browser.py`` opens it), plus the file's size and its
diagrams. Goals: the report written in < 10 s, open in < 3 s. It prints; it asserts
nothing: on a shared machine wall times swing with other jobs, so CPU seconds and the
report step's share of the whole are the numbers to compare between runs.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from benchmarks.generate import write_model

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T], rows: list[tuple[str, float, float]]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--model-dir", type=Path, default=None,
                        help="an existing generated model directory (else one is generated)")
    args = parser.parse_args(argv)

    from meshwright.analysis.result import analyze
    from meshwright.check.engine import run_check
    from meshwright.model import load_model
    from meshwright.report.document import ReportInputs, render_report

    work = Path(tempfile.mkdtemp(prefix="meshwright-report-bench-"))
    model_dir = args.model_dir or write_model(work / "model", args.services, args.seed)
    rows: list[tuple[str, float, float]] = []
    loaded = timed("load + validate", lambda: load_model(model_dir), rows)
    check = timed("check", lambda: run_check(loaded), rows)
    result = timed("analyze", lambda: analyze(loaded.model), rows)
    out = work / "report.html"
    html = timed("report (render + write)",
                 lambda: _write(out, render_report(ReportInputs(loaded, check, result, base=work))), rows)
    opened = _open(out, rows)

    model = loaded.model
    print(f"model: {len(model.services):,} services, {len(model.entrypoints)} entrypoints "
          f"({model_dir})")
    figures = html.count('<figure class="diagram"')
    rows_shown = len(re.findall("<tr", html))
    print(f"report: {out} — {len(html) / 1e6:.2f} MB, {figures} diagrams, {rows_shown:,} table rows")
    print(f"{'step':28} {'wall s':>8} {'CPU s':>8}")
    for label, wall, cpu in rows:
        print(f"{label:28} {wall:8.2f} {cpu:8.2f}")
    total = sum(w for label, w, _ in rows if not label.startswith("open"))
    report_wall = next(w for label, w, _ in rows if label.startswith("report"))
    print(f"{'whole command (no open)':28} {total:8.2f}")
    print(f"report step: {report_wall:.2f} s wall (goal < 10 s); its share of the command: "
          f"{report_wall / total:.0%}")
    if opened is not None:
        print(f"open in Chromium: {opened:.2f} s to the load event (goal < 3 s)")
    print("machine: shared by other jobs while measured; compare CPU seconds and shares, not walls")
    return 0


def _write(path: Path, html: str) -> str:
    path.write_text(html, encoding="utf-8")
    return html


def _open(path: Path, rows: list[tuple[str, float, float]]) -> float | None:
    from benchmarks.browser import open_report, unavailable

    why = unavailable()
    if why is not None:
        print(f"not opened in a browser: {why}")
        return None
    with open_report(path) as opened:
        assert not opened.refused and not opened.console_errors, (opened.refused, opened.console_errors)
        seconds = float(opened.load_seconds)
        nav = opened.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"
        )
    rows.append(("open in Chromium (load)", seconds, 0.0))
    print(f"in the page: DOMContentLoaded at {nav[0] / 1000:.2f} s, load at {nav[1] / 1000:.2f} s")
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
