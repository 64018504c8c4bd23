"""The report in a real browser (Debian's Chromium through Playwright): it loads without a
console error or any network request, every diagram renders, every internal link lands,
table headers sort, the zoom buttons zoom. Screenshots go to out/test-artifacts/report/."""

from __future__ import annotations

import pytest
from benchmarks.browser import open_report, unavailable

from report.reports import ARTIFACTS, EXAMPLES, rendered

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=unavailable() or "")


@pytest.mark.parametrize("example", EXAMPLES)
def test_report_works_in_the_browser(example: str) -> None:
    r = rendered(example)
    with open_report(r.path) as opened:
        page = opened.page
        assert opened.refused == [], "the report asked the network for something"
        assert opened.console_errors == []

        sizes = page.eval_on_selector_all(
            "figure.diagram svg",
            "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.width, b.height]; })",
        )
        figures = page.eval_on_selector_all("figure.diagram", "els => els.length")
        assert len(sizes) == figures >= 2
        assert all(w > 50 and h > 20 for w, h in sizes), sizes
        plots_and_nodes = page.eval_on_selector_all("figure.diagram g.node", "els => els.length")
        assert plots_and_nodes > 0

        broken = page.evaluate("""() => [...document.querySelectorAll('a')]
            .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
            .filter(h => h.startsWith('#') && !document.getElementById(decodeURIComponent(h.slice(1))))""")
        internal = page.evaluate("""() => [...document.querySelectorAll('a')]
            .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
            .filter(h => h.startsWith('#')).length""")
        assert internal > len(r.loaded.model.services)
        assert broken == []

        page.screenshot(path=str(ARTIFACTS / f"{example}-top.png"))
        page.locator("#entrypoints").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{example}-entrypoints.png"))
        page.locator("#findings").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{example}-findings.png"))


def _column(page: object, table: str, index: int) -> list[float]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined, no-any-return]
        f"#{table} tbody tr", f"rows => rows.map(r => parseFloat(r.cells[{index}].getAttribute('data-v')))"
    )


def test_clicking_a_header_sorts_the_table() -> None:
    r = rendered("shop")
    with open_report(r.path) as opened:
        page = opened.page
        header = page.locator("#capacity thead th", has_text="req/s")
        headers = page.eval_on_selector_all("#capacity thead th", "hs => hs.map(h => h.textContent)")
        index = headers.index("req/s")
        before = _column(page, "capacity", index)
        assert before != sorted(before)  # sorted by utilisation at first, not by rate
        header.click()
        assert _column(page, "capacity", index) == sorted(before)
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert _column(page, "capacity", index) == sorted(before, reverse=True)
        names = page.locator("#services thead th", has_text="service")
        names.first.click()
        shown = page.eval_on_selector_all(
            "#services tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
        )
        assert shown == sorted(r.loaded.model.services)


def test_zoom_buttons_scale_the_diagram() -> None:
    r = rendered("shop")
    with open_report(r.path) as opened:
        page = opened.page
        svg = page.locator("#context-map-svg svg")
        width = svg.bounding_box()["width"]
        page.locator("#context-map-svg button[data-zoom='1.25']").click()
        assert svg.bounding_box()["width"] == pytest.approx(width * 1.25, rel=0.02)
        page.locator("#context-map-svg button[data-zoom='fit']").click()
        assert svg.bounding_box()["width"] == pytest.approx(width, rel=0.02)


def test_printing_to_pdf_opens_every_section(tmp_path: object) -> None:
    r = rendered("online-boutique")
    with open_report(r.path) as opened:
        page = opened.page
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000
        closed = page.evaluate("() => [...document.querySelectorAll('details')].filter(d => !d.open).length")
        assert closed == 0  # beforeprint opened them


def test_build_report_with_the_simulation_in_the_browser() -> None:
    from meshwright.model import load_model
    from meshwright.pipeline import run_build
    from report.reports import ROOT

    out = ARTIFACTS / "build-online-boutique"
    loaded = load_model(ROOT / "examples" / "online-boutique")
    ctx = run_build(loaded, {"out": str(out), "simulate_duration": 10.0},
                    only=["check", "analyze", "simulate", "report"])
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(str(ctx.results["report"].artifacts[0].content), encoding="utf-8")
    with open_report(path) as opened:
        page = opened.page
        assert opened.refused == [] and opened.console_errors == []
        sizes = page.eval_on_selector_all(
            "figure.plot svg",
            "els => els.map(e => { const b = e.getBoundingClientRect(); return b.width * b.height; })",
        )
        assert len(sizes) == 2 and all(s > 10_000 for s in sizes)
        files = page.eval_on_selector_all("#files a", "as => as.map(a => a.getAttribute('href'))")
        assert "simulate/result.json" in files and "check/findings.sarif" in files
        missing = page.evaluate("""() => [...document.querySelectorAll(
                'figure.plot [clip-path], figure.plot use')]
            .map(e => (e.getAttribute('clip-path') || '').replace(/^url\\(#|\\)$/g, '')
                      || (e.getAttribute('xlink:href') || '').slice(1))
            .filter(id => id && !document.getElementById(id))""")
        assert missing == []  # every clip path, glyph and marker a plot refers to is there
        plot = page.locator("#plot-entrypoints")
        for _ in range(2):  # lazily rendered tables above settle their height on the first pass
            plot.scroll_into_view_if_needed()
            page.wait_for_timeout(200)
        plot.screenshot(path=str(ARTIFACTS / "build-online-boutique-plot.png"))
