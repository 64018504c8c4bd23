"""The human summary of a run: rich tables of entrypoints and services, and the verdict."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from meshwright.simulate.results import Number, SimResult


def _ms(v: Number) -> str:
    if v is None:
        return "–"
    return f"{v:.1f}s" if v >= 10 else f"{v * 1000:.1f}ms"


def _pc(v: Number) -> str:
    return "–" if v is None else f"{100 * v:.2f}%"


def _failures(result: SimResult) -> list[RenderableType]:
    """One line per service whose calls failed: the kinds, most common first."""
    lines: list[RenderableType] = []
    for service, kinds in result.failures.items():
        ranked = sorted(kinds.items(), key=lambda kv: -kv[1])
        text = ", ".join(f"{k} {v:,}" for k, v in ranked)
        lines.append(Text(f"failed tries of {service}'s calls: {text}"))
    return lines


def render(result: SimResult) -> RenderableType:
    """Tables and verdict lines for a terminal."""
    head = Text.from_markup(
        f"[bold]{result.system}[/] under [bold]{result.scenario}[/]: "
        f"{result.duration:g} s simulated, seed {result.seed}, {result.events:,} events"
    )
    eps = Table(title="entrypoints", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("entrypoint", "requests", "ok", "goodput/s", "p50", "p99"):
        eps.add_column(col, justify="left" if col == "entrypoint" else "right")
    for label, t in result.totals["entrypoints"].items():
        eps.add_row(label, f"{t['requests']:.0f}", _pc(t["success"]), f"{t['goodput']:.1f}",
                    _ms(t["p50"]), _ms(t["p99"]))
    svcs = Table(title="services (wait: mean queueing; queue: longest mean per bucket)",
                 title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("service", "requests", "ok", "p99", "wait", "util", "queue", "retries"):
        svcs.add_column(col, justify="left" if col == "service" else "right", no_wrap=True)
    for name, t in result.totals["services"].items():
        if not t["requests"]:
            continue
        svcs.add_row(name, f"{t['requests']:.0f}", _pc(t["success"]), _ms(t["p99"]),
                     _ms(t["mean_wait"]), f"{100 * (t['utilisation'] or 0):.0f}%",
                     f"{t['max_queue'] or 0:.1f}", f"{t['retries']:.0f}")
    lines: list[RenderableType] = [head, eps, svcs, *_failures(result)]
    v = result.verdict
    for s in v.slos:
        mark = "[green]✓[/]" if s.met else "[red]✗[/]"
        if s.objective == "availability":
            detail = f"{'–' if s.actual is None else f'{s.actual:.3f}'} % vs {s.target:g} %"
        else:
            detail = f"{_ms(s.actual)} vs {_ms(s.target)}"
        lines.append(Text.from_markup(f"{mark} SLO {s.service} {s.objective}: {detail}"))
    r = v.recovery
    if r.status == "recovered":
        lines.append(Text.from_markup(
            f"[green]✓ recovered[/]: success {_pc(r.after_success)} from t={r.judged_from:g} s "
            f"(before the faults {_pc(r.baseline_success)})"))
    elif r.status == "metastable":
        lines.append(Text.from_markup(
            f"[red]✗ metastable[/]: {r.worst} success {_pc(r.after_success)} from "
            f"t={r.judged_from:g} s, {(r.judged_from or 0) - (r.fault_end or 0):g} s after the "
            f"last fault ended (before: {_pc(r.baseline_success)})"))
    else:
        lines.append(Text(f"recovery: {r.status}"))
    return Group(*lines)
