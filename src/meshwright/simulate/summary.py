"""The human summary of a run: rich tables of entrypoints and services, and the verdict."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from meshwright.console import format_percent, format_seconds, print_whole
from meshwright.model.units import format_duration
from meshwright.simulate.results import Number, SimResult, SloCheck


def _count(v: Number) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _failures(result: SimResult) -> list[RenderableType]:
    """One line per service whose calls failed: the kinds, most common first."""
    lines: list[RenderableType] = []
    for service, kinds in result.failures.items():
        ranked = sorted(kinds.items(), key=lambda kv: -kv[1])
        text = ", ".join(f"{k} {v:,}" for k, v in ranked)
        lines.append(Text(f"failed tries of {service}'s calls: {text}"))
    return lines


def _entrypoints(result: SimResult) -> Table:
    eps = Table(title="entrypoints", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("entrypoint", "requests", "ok", "goodput/s", "p50", "p99"):
        eps.add_column(col, justify="left" if col == "entrypoint" else "right", no_wrap=True)
    for label, t in result.totals["entrypoints"].items():
        eps.add_row(label, _count(t["requests"]), format_percent(t["success"]),
                    f"{t['goodput']:,.1f}", format_seconds(t["p50"]), format_seconds(t["p99"]))
    return eps


def _services(result: SimResult) -> Table:
    svcs = Table(title="services (wait: mean queueing; queue: longest mean per bucket)",
                 title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("service", "requests", "ok", "p99", "wait", "util", "queue", "retries"):
        svcs.add_column(col, justify="left" if col == "service" else "right", no_wrap=True)
    for name, t in result.totals["services"].items():
        if not t["requests"]:
            continue
        svcs.add_row(name, _count(t["requests"]), format_percent(t["success"]),
                     format_seconds(t["p99"]), format_seconds(t["mean_wait"]),
                     format_percent(t["utilisation"] or 0, 0), f"{t['max_queue'] or 0:,.1f}",
                     _count(t["retries"]))
    return svcs


def _slo_line(s: SloCheck) -> Text:
    """`✓ SLO web availability: 99.957 % vs 99.9 %`: the actual share with two more
    decimals than the target, so rounding never hides which side of it the run is."""
    mark = "[green]✓[/]" if s.met else "[red]✗[/]"
    if s.objective == "availability":
        decimals = len(f"{s.target:f}".rstrip("0").partition(".")[2])
        actual = None if s.actual is None else s.actual / 100
        detail = f"{format_percent(actual, 2 + decimals)} vs {format_percent(s.target / 100, decimals)}"
    else:
        detail = f"{format_seconds(s.actual)} vs {format_seconds(s.target)}"
    return Text.from_markup(f"{mark} SLO {s.service} {s.objective}: {detail}")


def _recovery_line(result: SimResult) -> Text:
    r = result.verdict.recovery
    since = "" if r.judged_from is None else f" judged from t={format_duration(r.judged_from)}"
    before = f"(before the faults: {format_percent(r.baseline_success)})"
    if r.status == "recovered":
        when = ""
        if r.recovered_at is not None and r.fault_end is not None:
            lag = max(0.0, r.recovered_at - r.fault_end)
            after = "as soon as the last fault ended" if lag == 0 else (
                f"{format_duration(lag)} after the last fault ended")
            when = f"; back to normal at t={format_duration(r.recovered_at)}, {after}"
        return Text.from_markup(
            f"[green]✓ recovered[/]: success {format_percent(r.after_success)}{since} {before}{when}")
    if r.status == "metastable":
        after = format_duration((r.judged_from or 0) - (r.fault_end or 0))
        return Text.from_markup(
            f"[red]✗ metastable[/]: {r.worst} success {format_percent(r.after_success)}{since}, "
            f"{after} after the last fault ended {before}")
    return Text(f"recovery: {r.status}")


def parts(result: SimResult) -> list[RenderableType]:
    """The summary's pieces in order: headline, tables, failed tries, verdict lines."""
    head = Text.from_markup(
        f"[bold]{escape(result.system)}[/] under [bold]{escape(result.scenario)}[/]: "
        f"{format_duration(result.duration)} simulated, seed {result.seed}, {result.events:,} events"
    )
    return [head, _entrypoints(result), _services(result), *_failures(result),
            *(_slo_line(s) for s in result.verdict.slos), _recovery_line(result)]


def render(result: SimResult) -> RenderableType:
    """Tables and verdict lines for a terminal (tables may be cut to the console's width)."""
    return Group(*parts(result))


def print_summary(result: SimResult, out: Console) -> None:
    """Print the summary; a table wider than the console keeps every cell whole."""
    print_whole(out, *parts(result))
