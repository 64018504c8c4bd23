"""Rich tables of an :class:`AnalysisResult` for people (JSON is ``result.to_json()``)."""

from __future__ import annotations

import math

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from meshwright.analysis.result import AnalysisResult
from meshwright.console import format_seconds as _ms
from meshwright.console import print_whole

MAX_ROWS = 25


def _pct(x: float | None, digits: int = 4) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def _num(x: float, fmt: str = ",.2f") -> str:
    return "∞" if not math.isfinite(x) else format(x, fmt)


def _mark(ok: bool | None) -> Text:
    if ok is None:
        return Text("—", style="dim")
    return Text("ok", style="green") if ok else Text("MISS", style="bold red")


def _more(table: Table, shown: int, total: int) -> None:
    if total > shown:
        table.caption = f"{shown} of {total} rows shown; --format json has all"


def availability_table(r: AnalysisResult) -> Table:
    t = Table(title="Availability (composed over synchronous calls, 30-day window)")
    t.add_column("operation", ratio=2)
    for col in ("intrinsic", "composed", "SLO", "", "down min", "budget min"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("costliest dependency", ratio=2)
    rows = [a for a in r.availability.values() if a.operation in r.entrypoints or a.slo is not None]
    rows.sort(key=lambda a: (a.meets_slo is not False, a.operation not in r.entrypoints))
    for a in rows[:MAX_ROWS]:
        t.add_row(
            a.operation, _pct(a.intrinsic), _pct(a.composed), _pct(a.slo), _mark(a.meets_slo),
            _num(a.downtime_minutes, ",.1f"),
            "—" if a.error_budget_minutes is None else _num(a.error_budget_minutes, ",.1f"),
            a.costliest_dependency or "—",
        )
    _more(t, min(len(rows), MAX_ROWS), len(rows))
    return t


def latency_table(r: AnalysisResult) -> Table:
    t = Table(title=f"Latency per entrypoint (Monte Carlo, {r.options.samples:,} samples, "
                    f"seed {r.options.seed})")
    t.add_column("operation", ratio=1)
    for col in ("mean", "p50", "p95", "p99", "SLO p99", "", "fan-out", "P(hit a p99)"):
        t.add_column(col, justify="right", no_wrap=True)
    rows = list(r.latency.values())
    for x in rows[:MAX_ROWS]:
        t.add_row(x.operation, _ms(x.mean), _ms(x.p50), _ms(x.p95), _ms(x.p99), _ms(x.slo_p99),
                  _mark(x.meets_slo), _num(x.fan_out, ",.1f"), _pct(x.p_any_slow, 1))
    _more(t, min(len(rows), MAX_ROWS), len(rows))
    return t


def budgets_table(r: AnalysisResult) -> Table:
    t = Table(title="Timeout budgets (worst case; negative slack = deficit)")
    t.add_column("call", ratio=1)
    for col in ("timeout", "needs", "callee worst", "slack", "per-try slack"):
        t.add_column(col, justify="right", no_wrap=True)
    rows = sorted(r.budgets, key=lambda b: min(b.slack if b.slack is not None else math.inf,
                                                b.per_try_slack if b.per_try_slack is not None
                                                else math.inf))
    for b in rows[:MAX_ROWS]:
        slack = Text(_ms(b.slack), style="bold red" if b.deficit else "")
        per_try = Text(_ms(b.per_try_slack),
                       style="yellow" if b.per_try_slack is not None and b.per_try_slack < 0 else "")
        t.add_row(f"{b.edge.caller} → {b.edge.callee}", _ms(b.timeout), _ms(b.needs),
                  _ms(b.callee_worst_case), slack, per_try)
    _more(t, min(len(rows), MAX_ROWS), len(rows))
    return t


def amplification_table(r: AnalysisResult) -> Table:
    t = Table(title="Retry amplification (product of tries along the worst path)")
    t.add_column("factor", justify="right")
    t.add_column("path")
    for p in r.amplification[:10]:
        t.add_row(f"×{p.factor:g}", " → ".join(p.path))
    _more(t, min(len(r.amplification), 10), len(r.amplification))
    return t


def storms_table(r: AnalysisResult) -> Table:
    t = Table(title="Retry storms (a leaf fails completely, every caller retries)")
    for col in ("failed service", "most loaded service", "load factor"):
        t.add_column(col, justify="right" if col == "load factor" else "left")
    for s in r.storms:
        t.add_row(s.failed_service, s.worst_service, f"×{s.worst_factor:.2f}")
    return t


def capacity_table(r: AnalysisResult) -> Table:
    t = Table(title=f"Capacity (per-service queueing model, retries at {r.options.failure_rate:g} "
                    "failure rate)")
    t.add_column("service", ratio=1)
    t.add_column("queueing model", ratio=2)
    for col in ("req/s", "ρ", "P(wait)", "mean wait", "p99 wait", "rejected", "replicas",
                "recommended"):
        t.add_column(col, justify="right", no_wrap=True)
    rows = sorted(r.capacity.values(), key=lambda c: -c.queue.utilisation)
    for c in rows[:MAX_ROWS]:
        rho = Text(_num(c.queue.utilisation, ".2f"), style="bold red" if c.overloaded else "")
        rec = "—" if c.recommended is None else f"{c.recommended} ({c.recommended_basis})"
        if c.unstable:
            breaks = f"at {_num(c.queue.breaking_rate)} req/s" if c.queue.breaking_rate > 0 else "downstream"
            wait: Text | str = Text(f"UNSTABLE (breaks {breaks})", style="bold red")
            t.add_row(c.service, c.queue_model, _num(c.arrival_rate), rho, "—", wait, "—", "—",
                      str(c.replicas), rec)
            continue
        t.add_row(c.service, c.queue_model, _num(c.arrival_rate), rho, _num(c.queue.p_wait, ".3f"),
                  _ms(c.queue.wq), _ms(c.queue.wq_p99), _pct(c.queue.p_reject, 2), str(c.replicas), rec)
    _more(t, min(len(rows), MAX_ROWS), len(rows))
    return t


def cost_table(r: AnalysisResult) -> Table:
    cost = r.cost
    t = Table(title=f"Cost per month (CPU ${cost.prices.cpu_per_core_hour:g}/core-h, "
                    f"memory ${cost.prices.memory_per_gib_hour:g}/GiB-h)")
    t.add_column("service", ratio=1)
    t.add_column("context", ratio=1)
    for col in ("replicas", "$/month", "recommended", "bound by", "$/month then"):
        t.add_column(col, justify="right", no_wrap=True)
    rows = sorted(cost.services.values(), key=lambda s: -s.monthly)
    for s in rows[:MAX_ROWS]:
        auto = "*" if s.replicas_basis != "declared" else ""
        t.add_row(s.service, s.context or "—", f"{s.replicas:g}{auto}", f"{s.monthly:,.2f}",
                  "—" if s.cheapest_replicas is None else str(s.cheapest_replicas),
                  s.cheapest_basis,
                  "—" if s.cheapest_monthly is None else f"{s.cheapest_monthly:,.2f}")
    cheapest = "—" if cost.cheapest_total_monthly is None else f"{cost.cheapest_total_monthly:,.2f}"
    t.add_row(Text("total", style="bold"), "", "", f"{cost.total_monthly:,.2f}", "", "", cheapest)
    shown = min(len(rows), MAX_ROWS)
    notes = ["* autoscale: average of min and max"] if any(
        s.replicas_basis != "declared" for s in rows[:shown]
    ) else []
    if len(rows) > shown:
        notes.append(f"{shown} of {len(rows)} services shown")
    t.caption = "; ".join(notes) or None
    return t


def context_cost_table(r: AnalysisResult) -> Table:
    t = Table(title="Cost per context per month")
    t.add_column("context")
    t.add_column("$/month", justify="right")
    for ctx, total in sorted(r.cost.contexts.items(), key=lambda kv: -kv[1]):
        t.add_row(ctx, f"{total:,.2f}")
    return t


def render(r: AnalysisResult) -> RenderableType:
    """Every section as a table, in the order of the issue: availability to cost."""
    return Group(*_parts(r))


def _parts(r: AnalysisResult) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(f"meshwright analyze — {r.system}", style="bold")]
    if not r.capacity:
        parts += [Text("no services: nothing to analyze", style="dim"), Text(r.summary())]
        return parts
    sections = (
        (availability_table(r), "no entrypoint or SLO: no availability to compose"),
        (latency_table(r), "no entrypoints: no request latency to sample"),
        (budgets_table(r), "no calls: no timeout budgets"),
        (amplification_table(r), "no operations: no retry amplification"),
        (storms_table(r), ""),
        (capacity_table(r), ""),
        (cost_table(r), ""),
        (context_cost_table(r), ""),
    )
    for table, empty in sections:
        if table.row_count:
            parts.append(table)
        elif empty:
            parts.append(Text(empty, style="dim"))
    if r.cycles:
        cut = "; ".join(r.cycles)
        parts.append(Text(f"cycles of calls or topics (cut for the analysis): {cut}", style="yellow"))
    parts.append(Text(r.summary()))
    return parts


def print_result(r: AnalysisResult, console: Console) -> None:
    """Print every section; a table wider than the console keeps every cell whole."""
    print_whole(console, *_parts(r))
