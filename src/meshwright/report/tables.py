"""The report's tables of analysis and simulation results. Every number comes from the
:class:`AnalysisResult` (or :class:`SimResult`) handed in: nothing is recomputed here."""

from __future__ import annotations

import math

from meshwright.analysis.result import AnalysisResult
from meshwright.analysis.utilisation import cpu_target, cpu_utilisation
from meshwright.console import format_percent, format_seconds
from meshwright.model.types import Model
from meshwright.model.units import format_cpu, format_memory
from meshwright.report.table import Cell, Column, Table, num
from meshwright.simulate.results import SimResult

MAX_BUDGET_ROWS = 500
"""Calls shown in the timeout-budget table (tightest first)."""


def pct(x: float | None, digits: int = 3) -> str:
    return format_percent(x, digits)


def ms(x: float | None) -> str:
    return format_seconds(x)


def service_cell(name: str) -> Cell:
    return Cell(name, name, href=f"#service-{name}")


def _mark(ok: bool | None) -> Cell:
    if ok is None:
        return Cell("—", 0.5)
    return Cell("ok", 1.0, "ok") if ok else Cell("MISS", 0.0, "bad")


def availability_table(r: AnalysisResult) -> Table:
    t = Table("availability", "Availability composed over synchronous calls (30-day window)", [
        Column("operation"), Column("intrinsic", True), Column("composed", True), Column("SLO", True),
        Column("", True, "meets the SLO"), Column("down min", True, "expected minutes down per 30 days"),
        Column("budget min", True, "minutes down the SLO allows"), Column("costliest dependency"),
    ])
    rows = [a for a in r.availability.values() if a.operation in r.entrypoints or a.slo is not None]
    rows.sort(key=lambda a: (a.meets_slo is not False, a.operation not in r.entrypoints, a.operation))
    for a in rows:
        t.rows.append([
            Cell(a.operation), num(a.intrinsic, pct(a.intrinsic)), num(a.composed, pct(a.composed)),
            num(a.slo, pct(a.slo)), _mark(a.meets_slo), num(a.downtime_minutes, f"{a.downtime_minutes:,.1f}"),
            num(a.error_budget_minutes,
                "—" if a.error_budget_minutes is None else f"{a.error_budget_minutes:,.1f}"),
            Cell(a.costliest_dependency or "—"),
        ])
    return t


def latency_table(r: AnalysisResult) -> Table:
    t = Table("latency", f"Latency per entrypoint, queueing included (Monte Carlo, {r.options.samples:,} "
              f"samples, seed {r.options.seed})", [
        Column("operation"), Column("mean", True), Column("p50", True), Column("p95", True),
        Column("p99", True), Column("SLO p99", True), Column("", True, "meets the latency SLO"),
        Column("fan-out", True, "downstream calls per request"),
        Column("P(hit a p99)", True, "chance a request meets at least one callee p99"),
    ])
    for x in r.latency.values():
        t.rows.append([
            Cell(x.operation), num(x.mean, ms(x.mean)), num(x.p50, ms(x.p50)), num(x.p95, ms(x.p95)),
            num(x.p99, ms(x.p99)), num(x.slo_p99, ms(x.slo_p99)), _mark(x.meets_slo),
            num(x.fan_out, f"{x.fan_out:,.1f}"), num(x.p_any_slow, pct(x.p_any_slow, 1)),
        ])
    return t


def budgets_table(r: AnalysisResult) -> Table:
    t = Table("budgets", "Timeout budgets (worst case; negative slack is a deficit)", [
        Column("call"), Column("timeout", True), Column("needs", True, "what the retry schedule needs"),
        Column("callee worst", True), Column("slack", True), Column("per-try slack", True),
    ])

    def tightest(b: object) -> float:
        slack = getattr(b, "slack", None)
        per_try = getattr(b, "per_try_slack", None)
        return min(math.inf if slack is None else slack, math.inf if per_try is None else per_try)

    rows = sorted(r.budgets, key=tightest)
    for b in rows[:MAX_BUDGET_ROWS]:
        per_try_bad = b.per_try_slack is not None and b.per_try_slack < 0
        t.rows.append([
            Cell(f"{b.edge.caller} → {b.edge.callee}"), num(b.timeout, ms(b.timeout)),
            num(b.needs, ms(b.needs)), num(b.callee_worst_case, ms(b.callee_worst_case)),
            num(b.slack, ms(b.slack), "bad" if b.deficit else ""),
            num(b.per_try_slack, ms(b.per_try_slack), "warn" if per_try_bad else ""),
        ])
    if len(rows) > MAX_BUDGET_ROWS:
        t.note = f"the {MAX_BUDGET_ROWS} tightest of {len(rows):,} calls; analysis/analysis.json has all"
    return t


def capacity_table(r: AnalysisResult) -> Table:
    t = Table("capacity", f"Capacity (per-service queueing model, retries at {r.options.failure_rate:g} "
              "failure rate)", [
        Column("service"), Column("queueing model"), Column("req/s", True),
        Column("ρ", True, "utilisation of the concurrency slots"), Column("P(wait)", True),
        Column("mean wait", True), Column("p99 wait", True), Column("rejected", True),
        Column("replicas", True), Column("recommended", True), Column("bound by"),
    ])
    for c in sorted(r.capacity.values(), key=lambda c: -c.queue.utilisation):
        rho = c.queue.utilisation
        if c.unstable:
            wait = Cell("UNSTABLE", math.inf, "bad")
            t.rows.append([service_cell(c.service), Cell(c.queue_model),
                           num(c.arrival_rate, f"{c.arrival_rate:,.2f}"),
                           num(rho, f"{rho:.2f}", "bad"), num(None, "—"), wait, Cell("—", math.inf, "bad"),
                           num(None, "—"), num(c.replicas, str(c.replicas)),
                           num(c.recommended, "—" if c.recommended is None else str(c.recommended)),
                           Cell(c.recommended_basis)])
            continue
        t.rows.append([
            service_cell(c.service), Cell(c.queue_model), num(c.arrival_rate, f"{c.arrival_rate:,.2f}"),
            num(rho, f"{rho:.2f}", "bad" if c.overloaded else ("warn" if rho > 0.8 else "")),
            num(c.queue.p_wait, f"{c.queue.p_wait:.3f}"), num(c.queue.wq, ms(c.queue.wq)),
            num(c.queue.wq_p99, ms(c.queue.wq_p99)), num(c.queue.p_reject, pct(c.queue.p_reject, 2)),
            num(c.replicas, str(c.replicas)),
            num(c.recommended, "—" if c.recommended is None else str(c.recommended),
                "warn" if c.recommended is not None and c.recommended > c.replicas else ""),
            Cell(c.recommended_basis),
        ])
    return t


def utilisation_table(model: Model, r: AnalysisResult) -> Table:
    t = Table("utilisation", "CPU utilisation at the declared replicas (own work only; "
              "what a HorizontalPodAutoscaler measures)", [
        Column("service"), Column("replicas", True), Column("cpu request", True),
        Column("busy cores", True, "arrival rate × mean own service time"),
        Column("CPU utilisation", True), Column("target", True), Column("slots ρ", True),
    ])
    for name, c in r.capacity.items():
        svc = model.services[name]
        cpu = svc.runtime.cpu
        used = cpu_utilisation(c.cpu_demand, float(c.replicas), cpu)
        target = cpu_target(svc)
        cls = "" if used is None else ("bad" if used >= 1 else ("warn" if used > target else ""))
        t.rows.append([
            service_cell(name), num(c.replicas, str(c.replicas)),
            num(cpu, "—" if cpu is None else format_cpu(cpu)), num(c.cpu_demand, f"{c.cpu_demand:,.3f}"),
            num(used, "— (no cpu request)" if used is None else pct(used, 1), cls),
            num(target, pct(target, 0)), num(c.queue.utilisation, f"{c.queue.utilisation:.2f}"),
        ])
    return t


def cost_table(r: AnalysisResult) -> Table:
    cost = r.cost
    t = Table("cost", f"Cost per month (CPU ${cost.prices.cpu_per_core_hour:g}/core-h, memory "
              f"${cost.prices.memory_per_gib_hour:g}/GiB-h)", [
        Column("service"), Column("context"), Column("replicas", True), Column("cpu", True),
        Column("memory", True), Column("$/month", True), Column("recommended", True),
        Column("bound by"), Column("$/month then", True),
    ])
    for s in sorted(cost.services.values(), key=lambda s: -s.monthly):
        star = "*" if s.replicas_basis != "declared" else ""
        t.rows.append([
            service_cell(s.service), Cell(s.context or "—"), num(s.replicas, f"{s.replicas:g}{star}"),
            num(s.cpu, format_cpu(s.cpu) if s.cpu else "—"),
            num(s.memory, format_memory(s.memory) if s.memory else "—"), num(s.monthly, f"{s.monthly:,.2f}"),
            num(s.cheapest_replicas, "—" if s.cheapest_replicas is None else str(s.cheapest_replicas)),
            Cell(s.cheapest_basis),
            num(s.cheapest_monthly, "—" if s.cheapest_monthly is None else f"{s.cheapest_monthly:,.2f}"),
        ])
    cheapest = "—" if cost.cheapest_total_monthly is None else f"${cost.cheapest_total_monthly:,.2f}"
    t.note = (f"total ${cost.total_monthly:,.2f}/month; at the recommended replicas {cheapest}/month. "
              "* autoscale: average of min and max")
    return t


def context_cost_table(r: AnalysisResult) -> Table:
    t = Table("context-cost", "Cost per context per month", [Column("context"), Column("$/month", True)])
    for ctx, total in sorted(r.cost.contexts.items(), key=lambda kv: -kv[1]):
        t.rows.append([Cell(ctx), num(total, f"{total:,.2f}")])
    return t


def simulation_tables(result: SimResult) -> list[Table]:
    eps = Table("sim-entrypoints", "Simulated entrypoints", [
        Column("entrypoint"), Column("requests", True), Column("ok", True), Column("goodput/s", True),
        Column("p50", True), Column("p99", True),
    ])
    for label, x in result.totals["entrypoints"].items():
        eps.rows.append([
            Cell(label), num(x["requests"], f"{x['requests'] or 0:,.0f}"),
            num(x["success"], pct(x["success"], 2)), num(x["goodput"], f"{x['goodput'] or 0:,.1f}"),
            num(x["p50"], ms(x["p50"])), num(x["p99"], ms(x["p99"])),
        ])
    svcs = Table("sim-services", "Simulated services (wait: mean queueing; queue: longest mean per bucket)", [
        Column("service"), Column("requests", True), Column("ok", True), Column("p99", True),
        Column("wait", True), Column("utilisation", True), Column("queue", True), Column("retries", True),
    ])
    for name, x in result.totals["services"].items():
        if not x["requests"]:
            continue
        svcs.rows.append([
            service_cell(name), num(x["requests"], f"{x['requests']:,.0f}"),
            num(x["success"], pct(x["success"], 2)), num(x["p99"], ms(x["p99"])),
            num(x["mean_wait"], ms(x["mean_wait"])), num(x["utilisation"], pct(x["utilisation"] or 0, 0)),
            num(x["max_queue"], f"{x['max_queue'] or 0:,.1f}"),
            num(x["retries"], f"{x['retries'] or 0:,.0f}"),
        ])
    return [eps, svcs]
