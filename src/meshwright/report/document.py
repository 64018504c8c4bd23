"""The HTML report: one self-contained file (CSS, JavaScript, SVG diagrams and plots
inline; no request to any network) from the results of check, analyze and, when it ran,
simulate. The numbers are the analysis' own: this module only lays them out.

    html = render_report(ReportInputs(loaded, check_report, analysis_result))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from meshwright import __version__
from meshwright.analysis.result import AnalysisResult
from meshwright.check.engine import CheckReport
from meshwright.check.formats import summary_line
from meshwright.diagram.dot import GraphvizMissing
from meshwright.diagram.graph import Diagram
from meshwright.diagram.render import inline_svg
from meshwright.diagram.views import calls_view, container_view, context_overview, context_view
from meshwright.model.loader import LoadedModel
from meshwright.model.summary import describe, summarize
from meshwright.report import tables
from meshwright.report.calltree import EntryTree, entry_trees
from meshwright.report.findings import documented_rules, grouped
from meshwright.report.table import Cell, Column, Table, num
from meshwright.simulate.results import SimResult, SloCheck
from meshwright.simulate.scenario import Scenario

LARGE = 60
"""Services above which the context map is drawn per context and the container view is left out."""
CALL_DIAGRAMS = 25
"""Entrypoints up to which each gets a call-tree diagram."""
CALL_DIAGRAM_OPERATIONS = 40
"""Operations up to which an entrypoint's call tree is also drawn."""
OPEN_TREES = 12
"""Entrypoints up to which the call trees start open (more start folded: a quicker first
paint; printing opens them all)."""


@dataclass
class ReportInputs:
    """What the report shows: the model and the results of the stages that ran."""

    loaded: LoadedModel
    check: CheckReport
    analysis: AnalysisResult
    simulation: SimResult | None = None
    scenario: Scenario | None = None
    files: dict[str, list[str]] = field(default_factory=dict)
    """Generated files by stage, relative to the report's directory (from ``build``)."""
    base: Path | None = None
    """Directory the report is written to: model links are relative to it."""


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    svg: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Card:
    value: str
    label: str
    cls: str = ""
    href: str | None = None


_ID = re.compile(r'\bid="')


def figure(fig_id: str, d: Diagram) -> Figure:
    """A laid-out diagram whose SVG ids are prefixed, so several diagrams share a page;
    without Graphviz the figure says how to get it (the rest of the report stands)."""
    try:
        svg = _ID.sub(f'id="{fig_id}-', inline_svg(d))
    except GraphvizMissing as exc:
        return Figure(fig_id, d.title, "", (str(exc),))
    return Figure(fig_id, d.title, svg, d.notes)


def _code(text: str) -> Markup:
    """Escaped text with `backticks` as <code>."""
    escaped = str(escape(text))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("meshwright.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["code"] = _code
    env.globals.update(pct=tables.pct, ms=tables.ms, slo_actual=_slo_actual)
    return env


def _asset(name: str) -> str:
    return resources.files("meshwright.report").joinpath("assets", name).read_text(encoding="utf-8")


def _slo_actual(s: SloCheck) -> str:
    if s.objective == "availability":
        actual = "—" if s.actual is None else f"{s.actual:.3f} %"
        return f"{actual} vs {s.target:g} %"
    return f"{tables.ms(s.actual)} vs {tables.ms(s.target)}"


def services_table(inputs: ReportInputs) -> Table:
    """Every service with its context, owner, APIs, runtime and worst finding (row anchors)."""
    model = inputs.loaded.model
    worst: dict[str, tuple[int, str]] = {}
    for f in inputs.check.findings:
        if len(f.path) >= 2 and f.path[0] == "services":
            name = str(f.path[1])
            if f.severity.rank > worst.get(name, (0, ""))[0]:
                worst[name] = (f.severity.rank, f.severity.value)
    t = Table("services", f"{len(model.services)} services", [
        Column("service"), Column("context"), Column("owner"), Column("APIs"), Column("replicas", True),
        Column("availability", True, "intrinsic"), Column("SLO"), Column("worst finding", True),
        Column("description"),
    ])
    for name, svc in model.services.items():
        ctx = model.contexts.get(svc.context or "")
        slo = svc.slo
        slo_text = "—"
        if slo is not None:
            parts = [f"{slo.availability:g} %"] if slo.availability is not None else []
            if slo.latency is not None and slo.latency.p99 is not None:
                parts.append(f"p99 {tables.ms(slo.latency.p99)}")
            slo_text = ", ".join(parts) or "—"
        rank, sev = worst.get(name, (0, ""))
        replicas = svc.runtime.replicas
        scale = svc.runtime.autoscale
        t.rows.append([
            Cell(name), Cell(svc.context or "—"), Cell(ctx.owner if ctx and ctx.owner else "—"),
            Cell(", ".join(f"{a.name} ({a.protocol})" for a in svc.apis) or "—"),
            num(replicas, f"{replicas}" + (f" ({scale.min}–{scale.max})" if scale else "")),
            num(svc.availability, f"{svc.availability:g} %"), Cell(slo_text),
            Cell(sev or "none", float(rank), {"error": "bad", "warning": "warn"}.get(sev, "")),
            Cell(svc.description),
        ])
    return t


def _cards(inputs: ReportInputs) -> list[Card]:
    r, c = inputs.analysis, inputs.check.counts()
    model = inputs.loaded.model
    cards = [
        Card(str(len(model.services)), "services", href="#services"),
        Card(str(len({s.context for s in model.services.values() if s.context})), "contexts",
             href="#context-map"),
        Card(str(len(model.entrypoints)), "entrypoints", href="#entrypoints"),
        Card(str(c["error"]), "error findings", "bad" if c["error"] else "good", "#findings"),
        Card(str(c["warning"]), "warnings", "warn" if c["warning"] else "good", "#findings"),
        Card(str(len(r.below_slo)), "operations below availability SLO", "bad" if r.below_slo else "good",
             "#availability"),
        Card(str(len(r.deficits)), "timeout deficits", "bad" if r.deficits else "good", "#budgets"),
        Card(str(len(r.overloaded)), "overloaded services", "bad" if r.overloaded else "good", "#capacity"),
        Card(f"${r.cost.total_monthly:,.0f}", "per month", href="#cost"),
    ]
    if inputs.simulation is not None:
        ok = inputs.simulation.verdict.ok
        verdict = "ok" if ok else "not ok"
        cards.append(Card(verdict, "simulation verdict", "good" if ok else "bad", "#simulation"))
    return cards


def _call_figures(inputs: ReportInputs, trees: list[EntryTree]) -> dict[str, Figure]:
    model = inputs.loaded.model
    if not model.entrypoints or len(trees) > CALL_DIAGRAMS:
        return {}
    findings = inputs.check.findings
    out = {}
    for i, (tree, ep) in enumerate(zip(trees, model.entrypoints, strict=True)):
        if tree.operations > CALL_DIAGRAM_OPERATIONS:
            continue
        d = calls_view(model, findings, entrypoint=ep.label)
        d = Diagram(f"calls of {ep.label}", d.view,
                    tuple(n for n in d.nodes if n.kind != "entrypoint" or n.id == f"e_{i}"),
                    tuple(e for e in d.edges if not e.source.startswith("e_") or e.source == f"e_{i}"),
                    d.clusters)
        out[tree.anchor] = figure(f"calls-{i}", d)
    return out


_REFERENCE = re.compile(r'(\bid="|url\(#|xlink:href="#)')


def _prefix_references(svg: str, prefix: str) -> str:
    """Prefix every id of a matplotlib SVG and every reference to one (clip paths, glyphs
    and markers), so two plots on one page keep their own."""
    return _REFERENCE.sub(lambda m: m.group(1) + prefix, svg)


def _plots(sim: SimResult, scenario: Scenario | None) -> list[Figure]:
    from meshwright.simulate.plots import entrypoint_plot, service_plot  # matplotlib: import when used

    prolog = re.compile(r"\A.*?(?=<svg\b)", re.S)
    out = []
    for fig_id, title, data in (
        ("plot-entrypoints", "Goodput and latency per entrypoint", entrypoint_plot(sim, scenario, "svg")),
        ("plot-services", "Queue length and utilisation of the busiest services",
         service_plot(sim, scenario, "svg")),
    ):
        svg = prolog.sub("", data.decode("utf-8"), count=1)
        out.append(Figure(fig_id, title, _prefix_references(svg, f"{fig_id}-")))
    return out


def render_report(inputs: ReportInputs) -> str:
    """The report as one HTML document."""
    model = inputs.loaded.model
    r = inputs.analysis
    findings = inputs.check.findings
    large = len(model.services) > LARGE
    context_map = figure("context-map-svg", context_overview(model, findings) if large
                         else context_view(model, findings, links=True))
    containers = None if large else figure("containers-svg", container_view(model, findings, links=True))
    trees = entry_trees(model, r)
    sim = inputs.simulation
    sim_line = ""
    if sim is not None:
        from meshwright.simulate.stage import one_line

        sim_line = one_line(sim)
    toc = [("overview", "Overview"), ("context-map", "Context map"), ("containers", "Containers"),
           ("entrypoints", "Entrypoints"), ("findings", "Findings"), ("analysis", "Availability"),
           ("capacity-section", "Capacity"), ("utilisation-section", "Utilisation"), ("cost-section", "Cost")]
    if sim is not None:
        toc.append(("simulation", "Simulation"))
    if inputs.files:
        toc.append(("files", "Files"))
    rules = documented_rules(inputs.check)
    if rules:
        toc.append(("rules", "Rules"))
    p = model.platform
    context: dict[str, Any] = {
        "version": __version__,
        "model": model,
        "source": str(inputs.loaded.root),
        "css": Markup(_asset("report.css")),
        "js": Markup(_asset("report.js")),
        "toc": toc,
        "cards": _cards(inputs),
        "platform": (f"{p.orchestrator.value}, mesh {p.mesh.value}, broker {p.broker.value}, "
                     f"secrets {p.secrets.value}, mTLS {'on' if p.mtls_enabled else 'off'}; "
                     + describe(summarize(model))),
        "analysis_summary": r.summary(),
        "analysis": r,
        "sim_line": sim_line,
        "services": services_table(inputs),
        "context_map": context_map,
        "containers": containers,
        "containers_note": (f"{len(model.services)} services are too many for one readable container view: "
                            "draw one context at a time with "
                            "`meshwright diagram MODEL --view containers --context NAME`"),
        "latency": tables.latency_table(r),
        "trees": trees,
        "call_figures": _call_figures(inputs, trees),
        "check_summary": summary_line(inputs.check),
        "groups": grouped(inputs.check, inputs.base),
        "suppressed": inputs.check.suppressed,
        "availability": tables.availability_table(r),
        "budgets": tables.budgets_table(r),
        "capacity": tables.capacity_table(r),
        "utilisation": tables.utilisation_table(model, r),
        "cost": tables.cost_table(r),
        "context_cost": tables.context_cost_table(r),
        "sim": sim,
        "sim_tables": tables.simulation_tables(sim) if sim is not None else [],
        "plots": _plots(sim, inputs.scenario) if sim is not None else [],
        "files": inputs.files,
        "rules": rules,
        "OPEN_TREES": OPEN_TREES,
    }
    return _environment().get_template("report.html.j2").render(context)
