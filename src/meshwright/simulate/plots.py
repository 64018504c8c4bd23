"""matplotlib plots of a run (Agg backend; PNG or SVG bytes), drawn for a person to read.

Two figures, one panel per concern, sharing the time axis, fault windows shaded and named:

- **entrypoints**: success ratio (%), goodput against offered load (requests/s), p99
  latency (log scale) of the entrypoints that *matter*;
- **services**: utilisation (%), mean queue length and ready replicas of the services that
  matter.

What matters: with faults, the series that moved most between the time before the first
fault and the rest of the run (success lost, p99 grown, utilisation or queue changed), and
every service a fault event names; without faults, the busiest. At most
:data:`MAX_LINES` lines a panel, so a panel stays readable; the title says how many others
were left out and why (they did not move).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter

from meshwright.simulate.results import Number, SimResult
from meshwright.simulate.scenario import FaultEvent, Scenario

MAX_LINES = 5
"""Series drawn per panel at most: the ones that matter most."""
MAX_SERVICES = MAX_LINES


def _clean(values: Sequence[Number], scale: float = 1.0) -> list[float]:
    return [math.nan if v is None else float(v) * scale for v in values]


def _mean(values: Sequence[Number]) -> float:
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return sum(xs) / len(xs) if xs else 0.0


def _event_label(ev: FaultEvent) -> str:
    target = ev.service or (" ↔ ".join(ev.between) if ev.between else "edge")
    detail = {
        "crash": f" ×{ev.replicas}" if ev.replicas else " (all)",
        "latency": f" +{ev.add:g}s" if ev.add is not None else "",
        "errors": f" {ev.rate:g} %" if ev.rate is not None else "",
        "slow": f" ×{ev.factor:g}" if ev.factor is not None else "",
        "spike": f" ×{ev.multiplier:g}" if ev.multiplier is not None else "",
        "partition": "",
    }[ev.action]
    return f"{ev.action} {target}{detail}"


def _shade(axes: Sequence[Axes], scenario: Scenario | None, duration: float) -> None:
    """Shade every fault window on each panel; name it once, on the top panel."""
    if scenario is None:
        return
    for i, ev in enumerate(sorted(scenario.events, key=lambda e: e.at)):
        end = ev.end if ev.end is not None else duration
        for ax in axes:
            ax.axvspan(ev.at, end, color="tab:red", alpha=0.10, linewidth=0)
        # labels stacked above the top panel, one row per event, so neighbours never overlap
        axes[0].annotate(
            _event_label(ev), xy=(ev.at, 1.0), xycoords=("data", "axes fraction"),
            xytext=(2, 3 + 11 * i), textcoords="offset points", va="bottom", fontsize="small",
            color="tab:red",
        )


def _before(result: SimResult, scenario: Scenario | None) -> tuple[int, int]:
    """Bucket range of the time before the first fault (skipping the first tenth)."""
    start = scenario.fault_start if scenario is not None else None
    nb = len(result.time)
    hi = nb if start is None else max(1, min(nb, int(start // result.bucket)))
    return hi // 10, hi


def _smooth(series: Sequence[Number], width: int = 3) -> list[float]:
    """Rolling mean over ``width`` buckets (gaps skipped), so one noisy bucket of a
    low-traffic series does not look like a change."""
    xs = [math.nan if v is None else float(v) for v in series]
    out = []
    for i in range(len(xs)):
        window = [x for x in xs[max(0, i - width + 1) : i + 1] if math.isfinite(x)]
        out.append(sum(window) / len(window) if window else math.nan)
    return out


def _change(series: Sequence[Number], lo: int, hi: int, relative: bool) -> float:
    """How far a series moved after the baseline window [lo, hi): the largest deviation of
    its rolling mean from the baseline mean (relative to it when ``relative``)."""
    base = _mean(series[lo:hi])
    later = [v for v in _smooth(series)[hi:] if math.isfinite(v)]
    if not later:
        return 0.0
    dev = max(abs(v - base) for v in later)
    return dev / base if relative and base > 0 else dev


def _success(s: dict[str, list[Number]]) -> list[Number]:
    """Success ratio (ok / (ok + errors)) per bucket."""
    rate = s.get("error_rate", [])
    return [None if e is None else 1.0 - float(e) for e in rate]


def _ranked(scores: dict[str, float], pinned: Sequence[str] = ()) -> list[str]:
    """Names in order of score, ``pinned`` ones first, at most :data:`MAX_LINES`."""
    order = [n for n in pinned if n in scores]
    order += sorted((n for n in scores if n not in order), key=lambda n: (-scores[n], n))
    return order[:MAX_LINES]


def entrypoints_that_matter(result: SimResult, scenario: Scenario | None = None) -> list[str]:
    """The entrypoints drawn: with faults, those whose success or p99 moved most; else the
    busiest."""
    lo, hi = _before(result, scenario)
    faults = scenario is not None and bool(scenario.events)
    scores: dict[str, float] = {}
    for label, s in result.entrypoints.items():
        if faults:
            # requests/s lost beyond the baseline, plus how many times the p99 grew
            lost = _change(_success(s), lo, hi, False) * _mean(s["offered"])
            scores[label] = lost + _change(s["p99"], lo, hi, True)
        else:
            scores[label] = _mean(s["offered"])
    return _ranked(scores)


def services_that_matter(result: SimResult, scenario: Scenario | None = None) -> list[str]:
    """The services drawn: those a fault names first, then those whose utilisation, queue
    or replicas moved most (with faults) or the busiest (without)."""
    lo, hi = _before(result, scenario)
    events = scenario.events if scenario is not None else []
    named = [n for ev in events for n in ([ev.service] if ev.service else (ev.between or []))]
    pinned = list(dict.fromkeys(n for n in named if n in result.services))
    scores: dict[str, float] = {}
    for name, s in result.services.items():
        if events:
            scores[name] = (
                _change(s["utilisation"], lo, hi, False)
                + _change(s["queue"], lo, hi, False)
                + _change(s["replicas"], lo, hi, True)
            )
        else:
            scores[name] = _mean(s["utilisation"])
    return _ranked(scores, pinned)


def _finite_ys(ax: Axes) -> list[float]:
    """Every finite y value drawn on a panel."""
    ys = (np.asarray(line.get_ydata(), dtype=np.float64) for line in ax.get_lines())
    return [float(v) for y in ys for v in y[np.isfinite(y)]]


def _say_if_flat(ax: Axes, what: str) -> None:
    """A panel whose every line is zero says so instead of showing an empty frame."""
    if not any(v != 0.0 for v in _finite_ys(ax)):
        for line in list(ax.get_lines()):
            line.remove()
        ax.text(0.5, 0.5, what, transform=ax.transAxes, ha="center", va="center", color="grey")
        ax.set_yticks([])


def _legend(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _left_out(drawn: int, total: int, what: str) -> str:
    rest = total - drawn
    return f"; {rest} other {what} changed less and are not drawn" if rest > 0 else ""


def _bytes(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    meta: dict[str, str | None] = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight", metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def entrypoint_plot(result: SimResult, scenario: Scenario | None = None, fmt: str = "png") -> bytes:
    """Success, goodput vs offered, and p99 of the entrypoints that matter, over time."""
    names = entrypoints_that_matter(result, scenario)
    fig, axes = _three_panels()
    ok_ax, rate_ax, p99_ax = axes
    t = result.time
    for label in names:
        s = result.entrypoints[label]
        line = ok_ax.plot(t, _clean(_success(s), 100.0), label=label)[0]
        colour = line.get_color()
        rate_ax.plot(t, _clean(s["goodput"]), color=colour, label=f"{label} goodput")
        rate_ax.plot(t, _clean(s["offered"]), color=colour, linestyle=":", alpha=0.8)
        p99_ax.plot(t, _clean(s["p99"], 1000.0), color=colour)
    ok_ax.set_ylabel("success (%)")
    rate_ax.set_ylabel("requests/s\n(goodput —, offered ···)")
    p99_ax.set_ylabel("p99 latency (ms)")
    if any(v > 0.0 for v in _finite_ys(p99_ax)):
        p99_ax.set_yscale("log")
        # ticks read 20, 50, 200 (ms), not matplotlib's default 2×10¹, 5×10¹, 2×10²
        p99_ax.yaxis.set_major_formatter(LogFormatter())
        p99_ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))
    p99_ax.set_xlabel("time (s)")
    return _finish(fig, result, scenario, "entrypoints", len(names), len(result.entrypoints), fmt)


def service_plot(result: SimResult, scenario: Scenario | None = None, fmt: str = "png") -> bytes:
    """Utilisation, queue length and ready replicas of the services that matter."""
    names = services_that_matter(result, scenario)
    fig, axes = _three_panels()
    util_ax, queue_ax, rep_ax = axes
    t = result.time
    for name in names:
        s = result.services[name]
        line = util_ax.plot(t, _clean(s["utilisation"], 100.0), label=name)[0]
        queue_ax.plot(t, _clean(s["queue"]), color=line.get_color())
        rep_ax.step(t, _clean(s["replicas"]), where="post", color=line.get_color())
    util_ax.set_ylabel("utilisation (%)")
    queue_ax.set_ylabel("mean queue length")
    _say_if_flat(queue_ax, "no request of these services waited in a queue")
    rep_ax.set_ylabel("ready replicas")
    rep_ax.set_xlabel("time (s)")
    return _finish(fig, result, scenario, "services", len(names), len(result.services), fmt)


def _three_panels() -> tuple[Figure, list[Axes]]:
    """The frame of both plots: three panels over one shared time axis."""
    fig, axes = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    return fig, list(axes)


def _finish(
    fig: Figure,
    result: SimResult,
    scenario: Scenario | None,
    what: str,
    drawn: int,
    total: int,
    fmt: str,
) -> bytes:
    """Title (with what was left out), shaded faults, the legend of the top panel, grids;
    the figure's bytes in ``fmt``."""
    axes = fig.axes
    rows = len(scenario.events) if scenario is not None else 0
    fig.suptitle(
        f"{result.system} — {result.scenario} (seed {result.seed}): {what}"
        f"{_left_out(drawn, total, what)}",
        fontsize="medium", y=1.0 + 0.015 * rows,
    )
    _shade(axes, scenario, result.duration)
    _legend(axes[0])
    for ax in axes:
        ax.grid(True, alpha=0.3)
    return _bytes(fig, fmt)
