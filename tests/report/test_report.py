"""The HTML report of the real examples: what it shows, that its numbers are the
analysis' own, that it is self-contained, and the build stage and command that write it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from cli_runner import run
from meshwright.console import format_seconds
from meshwright.model import load_model
from meshwright.pipeline import run_build
from report.reports import EXAMPLES, ROOT, rendered


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_service_entrypoint_and_finding_is_shown(example: str) -> None:
    r = rendered(example)
    for name in r.loaded.model.services:
        assert f'id="service-{name}"' in r.html
    assert r.html.count('class="entry"') == len(r.loaded.model.entrypoints)
    rows = re.findall(r'<table class="sortable findings">(.*?)</table>', r.html, re.S)
    assert sum(body.count("<tr>") - 1 for body in rows) == len(r.check.findings)
    for code in {f.code for f in r.check.findings}:
        assert f'id="rule-{code}"' in r.html  # the rule's bundled documentation
        assert f'href="#rule-{code}"' in r.html


@pytest.mark.parametrize("example", EXAMPLES)
def test_latency_and_availability_are_the_analysis_numbers(example: str) -> None:
    r = rendered(example)
    text = re.sub(r"<[^>]+>", "", html.unescape(r.html))
    for ep in r.loaded.model.entrypoints:
        lat = r.analysis.latency[ep.operation]
        assert f"p99 {format_seconds(lat.p99)}" in text
        composed = r.analysis.availability[ep.operation].composed
        assert f"Composed availability {composed * 100:.3f} %" in text


@pytest.mark.parametrize("example", EXAMPLES)
def test_finding_links_point_at_the_model_line(example: str) -> None:
    r = rendered(example)
    links = re.findall(r'<a href="([^"#]+\.yaml)#L(\d+)">', r.html)
    assert len(links) == len(r.check.findings)
    for href, line in links:
        target = (r.path.parent / href).resolve()
        assert target.is_file(), href
        assert int(line) <= len(target.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("example", EXAMPLES)
def test_report_is_self_contained(example: str) -> None:
    page = rendered(example).html
    assert not re.search(r'\b(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page  # the browser refuses any request the page might try
    assert page.count("<svg") >= 2


def test_large_models_draw_contexts_not_services(tmp_path: Path) -> None:
    from benchmarks.generate import write_model

    from meshwright.analysis.result import analyze
    from meshwright.check.engine import run_check
    from meshwright.report.document import ReportInputs, render_report

    loaded = load_model(write_model(tmp_path / "m", 80, 7))
    page = render_report(ReportInputs(loaded, run_check(loaded), analyze(loaded.model)))
    contexts = {s.context for s in loaded.model.services.values()}
    figure = page.split('id="context-map-svg"', 1)[1].split("</figure>", 1)[0]
    assert len(re.findall(r'class="node"', figure)) == len(contexts)
    assert "--context NAME" in page


def test_build_writes_the_report_with_an_index_of_files(tmp_path: Path) -> None:
    loaded = load_model(ROOT / "examples" / "shop")
    ctx = run_build(loaded, {"out": str(tmp_path)}, only=["check", "analyze", "report"])
    result = ctx.results["report"]
    assert [a.path for a in result.artifacts] == ["report.html"]
    page = str(result.artifacts[0].content)
    assert 'href="check/findings.json"' in page and 'href="analysis/analysis.json"' in page
    assert str(tmp_path / "report.html") in result.summary


def test_report_stage_runs_what_it_needs_on_its_own(tmp_path: Path) -> None:
    loaded = load_model(ROOT / "examples" / "online-boutique")
    ctx = run_build(loaded, {"out": str(tmp_path)}, only=["report"])
    page = str(ctx.results["report"].artifacts[0].content)
    assert 'id="rule-MW201"' in page  # check ran
    assert 'id="capacity"' in page  # analysis ran


def test_report_command_with_a_simulation(tmp_path: Path) -> None:
    storm = ROOT / "examples" / "scenarios" / "retry-storm"
    out = tmp_path / "storm.html"
    done = run("report", str(storm / "mesh.yaml"), "-o", str(out), "--simulate", str(storm / "blip.yaml"),
               timeout=600)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="simulation"' in page and "metastable" in page
    assert 'id="plot-entrypoints"' in page and 'id="plot-services"' in page
    assert not re.search(r'\b(src|href)="https?://', page)


def test_report_command_errors_are_usage_errors(tmp_path: Path) -> None:
    done = run("report", str(ROOT / "examples/shop"), "-o", str(tmp_path / "r.html"), "--duration", "5m")
    assert done.returncode == 2 and "--simulate" in done.stderr
    done = run("report", str(tmp_path / "missing"), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2 and "no such file" in done.stderr
