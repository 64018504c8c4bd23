"""How much work a simulation run will be, estimated before it starts, and the refusal of
a runaway (``rate: 1000000000000/s``, ``replicas: 3000000000``) with a way out.

    estimate(model, scenario, duration) -> Work
    check_work(model, scenario, duration)       raises UsageError above the budget

The estimate counts operation executions the way analysis does (entrypoint rates ×
per_request × tries along every call, plus topic traffic), at the peak rate of each
entrypoint's profile and the largest traffic spike of the scenario; each execution is a
handful of events (arrival, start, end, reply, and one per call it makes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from meshwright.errors import UsageError
from meshwright.model.types import Model
from meshwright.model.units import format_duration
from meshwright.simulate.scenario import Scenario

EVENTS_PER_EXECUTION = 6.0
"""Events one operation execution costs the engine, on average (measured on the examples:
4 of its own plus about 2 for the calls and replies around it)."""
MAX_EVENTS = 100_000_000
"""Most events a run may be estimated to need on the Python engine (minutes)."""
MAX_EVENTS_COMPILED = 1_000_000_000
"""Most events a run on the compiled engine may be estimated to need (a minute or so: the
estimate counts about three times the core's real events)."""
MAX_REPLICAS = 1_000_000
"""Most replicas a run may simulate in all (each is an object with its own queue)."""


@dataclass(frozen=True)
class Work:
    """The estimated size of a run."""

    executions_per_second: float
    """Operation executions per simulated second at peak traffic."""
    events: float
    """Events of the whole run."""
    replicas: int
    """Replicas simulated at most (autoscale's max where it is higher)."""


def estimate(model: Model, scenario: Scenario, duration: float) -> Work:
    """The work of simulating ``model`` under ``scenario`` for ``duration`` seconds."""
    from meshwright.analysis.capacity import operation_rates  # scipy: imported when simulating

    peak = 1.0
    for ep in model.entrypoints:
        if ep.rate > 0:
            peak = max(peak, *(step.rate / ep.rate for step in ep.profile), 1.0)
        elif ep.profile:
            peak = max(peak, max(step.rate for step in ep.profile))
    spikes = [ev.multiplier for ev in scenario.events if ev.action == "spike" and ev.multiplier]
    peak *= max([1.0, *spikes])
    per_second = sum(operation_rates(model).values()) * peak
    replicas = sum(
        max(svc.runtime.replicas, svc.runtime.autoscale.max if svc.runtime.autoscale else 0)
        for svc in model.services.values()
    )
    return Work(per_second, per_second * duration * EVENTS_PER_EXECUTION, replicas)


def check_work(model: Model, scenario: Scenario, duration: float,
               max_events: float = MAX_EVENTS) -> Work:
    """The estimate, or a UsageError saying why the run is refused and what to do instead
    (``max_events``: MAX_EVENTS_COMPILED when the compiled engine will run it)."""
    work = estimate(model, scenario, duration)
    if work.replicas > MAX_REPLICAS:
        raise UsageError(
            f"this run would simulate {work.replicas:,} replicas; at most {MAX_REPLICAS:,}: "
            "lower runtime.replicas (or autoscale.max) of the largest services, or simulate "
            "a scaled-down copy of the model (fewer replicas, proportionally lower rates)"
        )
    if not math.isfinite(work.events) or work.events > max_events:
        fits = max_events / (work.executions_per_second * EVENTS_PER_EXECUTION)
        lower = (
            "lower the entrypoint rates (a scaled-down model with proportionally fewer "
            "replicas behaves alike)"
        )
        if fits >= 1.0:
            fix = f"use --duration {format_duration(math.floor(fits))} or shorter, or {lower}"
        else:
            fix = lower + "; even one simulated second is too much at these rates"
        raise UsageError(
            f"this run would take about {work.events:,.0f} events "
            f"({work.executions_per_second:,.0f} operation executions per simulated second "
            f"for {format_duration(duration)}); at most {max_events:,.0f}: {fix}"
        )
    return work
