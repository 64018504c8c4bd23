"""Build stage "simulate": a short steady run (no faults) of every model, with its
series as JSON and its plots as PNG under ``simulate/``."""

from __future__ import annotations

import json

from meshwright.console import format_percent
from meshwright.errors import UsageError
from meshwright.model.units import format_duration
from meshwright.pipeline import Artifact, BuildContext, StageResult, stage
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.budget import WorkRefused
from meshwright.simulate.results import SimResult
from meshwright.simulate.scenario import Scenario

BUILD_DURATION = 60.0
"""Simulated seconds of the build's steady run, at most."""
BUILD_REQUESTS = 20_000
"""Entrypoint requests the build's run may start, at most (shortens the run for busy models)."""


def build_duration(total_rate: float) -> float:
    """The build run's length: 60 s, shortened (to whole seconds, 5 s at least) so it
    starts at most 20,000 requests."""
    if total_rate <= 0:
        return BUILD_DURATION
    return float(max(5, min(BUILD_DURATION, BUILD_REQUESTS // total_rate)))


def artifacts_for(result: SimResult, scenario: Scenario, prefix: str = "simulate") -> list[Artifact]:
    """result.json plus the two plots, under ``prefix/``."""
    from meshwright.simulate.plots import entrypoint_plot, service_plot  # matplotlib is slow to import

    base = f"{prefix}/" if prefix else ""
    return [
        Artifact(f"{base}result.json", json.dumps(result.to_json(), indent=1) + "\n"),
        Artifact(f"{base}entrypoints.png", entrypoint_plot(result, scenario)),
        Artifact(f"{base}services.png", service_plot(result, scenario)),
    ]


def one_line(result: SimResult) -> str:
    """A one-line summary: success ratio, SLOs and recovery."""
    t = result.totals["entrypoints"]
    ok = sum(v["ok"] or 0 for v in t.values())
    total = sum((v["ok"] or 0) + (v["errors"] or 0) for v in t.values())
    success = f"{format_percent(ok / total)} success" if total else "no traffic"
    v = result.verdict
    missed = [f"{s.service} {s.objective}" for s in v.slos if not s.met]
    if not v.slos:
        slos = "no SLOs declared"
    elif not missed:
        slos = f"{len(v.slos)} SLOs met" if len(v.slos) > 1 else "1 SLO met"
    else:
        slos = "SLO missed: " + ", ".join(missed)
    return f"{format_duration(result.duration)} {result.scenario}: {success}, {slos}"


@stage("simulate", "steady-state simulation (simulate/result.json, plots)")
def simulate_stage(ctx: BuildContext) -> StageResult:
    model = ctx.loaded.model
    total = sum(ep.rate for ep in model.entrypoints)
    duration = float(ctx.options.get("simulate_duration", build_duration(total)))
    seed = int(ctx.options.get("seed", 1))
    scenario = Scenario(name="steady")
    try:
        result = simulate(model, scenario, SimOptions(duration=duration, seed=seed))
    except WorkRefused as exc:  # a runaway run is refused; the other stages' files still count
        where = ctx.loaded.locate(*exc.path)
        return StageResult(name="simulate", summary=f"not simulated: {where}: {exc}")
    except UsageError as exc:
        return StageResult(name="simulate", summary=f"not simulated: {exc}")
    return StageResult(
        name="simulate",
        summary=one_line(result),
        data=result,
        artifacts=artifacts_for(result, scenario),
    )
