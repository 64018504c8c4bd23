"""matplotlib plots of a run (Agg backend, PNG or SVG bytes): goodput and latency per
entrypoint, and queue length and utilisation per service, with fault windows shaded."""

from __future__ import annotations

import io
from typing import Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from meshwright.simulate.results import Number, SimResult
from meshwright.simulate.scenario import Scenario

MAX_SERVICES = 8
"""Services drawn in the service plot: the busiest ones."""


def _clean(values: list[Number]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _shade(ax: Axes, scenario: Scenario | None, duration: float) -> None:
    if scenario is None:
        return
    for ev in scenario.events:
        ax.axvspan(ev.at, ev.end if ev.end is not None else duration, color="tab:red", alpha=0.08)


PlotFormat = Literal["png", "svg"]


def _save(fig: Figure, fmt: PlotFormat = "png") -> bytes:
    """The figure as PNG, or as SVG with text drawn as paths (no font needed to view it)."""
    buf = io.BytesIO()
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
    with plt.rc_context({"svg.fonttype": "path", "svg.hashsalt": "meshwright"}):
        fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight", metadata=metadata)
    plt.close(fig)
    return buf.getvalue()


def entrypoint_plot(result: SimResult, scenario: Scenario | None = None, fmt: PlotFormat = "png") -> bytes:
    """Goodput (solid) against offered load (dotted), and p99 (solid) and p50 (dashed)
    latency, of every entrypoint over time; one colour per entrypoint."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    t = result.time
    for label, s in result.entrypoints.items():
        line = top.plot(t, _clean(s["goodput"]), label=label)[0]
        colour = line.get_color()
        top.plot(t, _clean(s["offered"]), linestyle=":", color=colour)
        bottom.plot(t, [x * 1000 for x in _clean(s["p99"])], color=colour)
        bottom.plot(t, [x * 1000 for x in _clean(s["p50"])], color=colour, alpha=0.5, linestyle="--")
    top.set_ylabel("requests/s\n(goodput —, offered ···)")
    top.set_title(f"{result.system} — {result.scenario} (seed {result.seed})")
    bottom.set_ylabel("latency ms\n(p99 —, p50 - -)")
    bottom.set_xlabel("time (s)")
    for ax in (top, bottom):
        _shade(ax, scenario, result.duration)
    if top.get_legend_handles_labels()[0]:
        top.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, fmt)


def service_plot(result: SimResult, scenario: Scenario | None = None, fmt: PlotFormat = "png") -> bytes:
    """Queue length and utilisation of the busiest services over time."""
    busiest = sorted(
        result.services,
        key=lambda s: -(result.totals["services"][s]["utilisation"] or 0.0),
    )[:MAX_SERVICES]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    t = result.time
    for name in busiest:
        s = result.services[name]
        top.plot(t, _clean(s["queue"]), label=name)
        bottom.plot(t, [100 * x for x in _clean(s["utilisation"])], label=name)
    top.set_ylabel("mean queue length")
    bottom.set_ylabel("utilisation (%)")
    bottom.set_xlabel("time (s)")
    for ax in (top, bottom):
        _shade(ax, scenario, result.duration)
    if top.get_legend_handles_labels()[0]:
        top.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, fmt)
