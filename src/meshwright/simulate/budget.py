"""How much work a simulation run will be, estimated before it starts, and the refusal of
a runaway (``rate: 1000000000000/s``, ``replicas: 3000000000``) with a way out.

    estimate(model, scenario, duration) -> Work
    check_work(model, scenario, duration)       raises WorkRefused above the budget

The estimate counts operation executions the way analysis does (entrypoint rates ×
per_request × tries along every call, plus topic traffic), at the peak rate of each
entrypoint's profile and the largest traffic spike of the scenario; each execution is a
handful of events (arrival, start, end, reply, and one per call it makes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from meshwright.errors import Diagnostic, Location, ModelError, UsageError
from meshwright.model.types import Entrypoint, Model
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


class WorkRefused(UsageError):
    """A run refused before it starts: what it would cost (``message``), what to do instead
    (``fix``), and the model element that makes it so big (``path``, for a located error:
    the busiest entrypoint's rate, or the service with the most replicas)."""

    def __init__(self, message: str, fix: str, path: tuple[str | int, ...]) -> None:
        self.message = message
        self.fix = fix
        self.path = path
        super().__init__(f"{message}: {fix}")

    def located(self, locate: Callable[..., Location]) -> ModelError:
        """This refusal as a located error (``locate``: ``LoadedModel.locate``)."""
        diagnostic = Diagnostic(locate(*self.path), self.message, self.fix, "too-much-work", self.path)
        return ModelError([diagnostic], outcome="nothing was simulated")


@dataclass(frozen=True)
class Work:
    """The estimated size of a run."""

    executions_per_second: float
    """Operation executions per simulated second at peak traffic."""
    events: float
    """Events of the whole run."""
    replicas: int
    """Replicas simulated at most (autoscale's max where it is higher)."""


def _peak_rate(ep: Entrypoint) -> float:
    """The highest rate an entrypoint sends: its ``rate`` or a step of its profile."""
    return max([ep.rate, *(step.rate for step in ep.profile)])


def _busiest_entrypoint(model: Model) -> tuple[tuple[str | int, ...], str]:
    """Path and wording of the entrypoint sending the most requests at its peak (the
    largest contributor to a run's size, fan-out aside), ``((), "")`` without any."""
    if not model.entrypoints:
        return (), ""
    i, ep = max(enumerate(model.entrypoints), key=lambda item: _peak_rate(item[1]))
    peak = _peak_rate(ep)
    field = "rate" if ep.rate >= peak else "profile"
    return ("entrypoints", i, field), f"; the busiest entrypoint, {ep.label}, sends {peak:,.0f}/s"


def _most_replicas(model: Model) -> tuple[tuple[str | int, ...], str]:
    """Path and wording of the service simulating the most replicas."""
    def most(svc_name: str) -> int:
        rt = model.services[svc_name].runtime
        return max(rt.replicas, rt.autoscale.max if rt.autoscale else 0)

    name = max(model.services, key=most)
    rt = model.services[name].runtime
    if rt.autoscale is not None and rt.autoscale.max > rt.replicas:
        return ("services", name, "runtime", "autoscale", "max"), f"{name} scales to {rt.autoscale.max:,}"
    return ("services", name, "runtime", "replicas"), f"{name} runs {rt.replicas:,}"


def estimate(model: Model, scenario: Scenario, duration: float) -> Work:
    """The work of simulating ``model`` under ``scenario`` for ``duration`` seconds."""
    from meshwright.analysis.capacity import operation_rates  # numpy only: SciPy stays unloaded

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
    """The estimate, or a :class:`WorkRefused` saying why the run is refused, where in the
    model the size comes from, and what to do instead (``max_events``: MAX_EVENTS_COMPILED
    when the compiled engine will run it)."""
    work = estimate(model, scenario, duration)
    if work.replicas > MAX_REPLICAS:
        path, largest = _most_replicas(model)
        raise WorkRefused(
            f"this run would simulate {work.replicas:,} replicas ({largest}); at most {MAX_REPLICAS:,}",
            "lower runtime.replicas (or autoscale.max) of the largest services, or simulate "
            "a scaled-down copy of the model (fewer replicas, proportionally lower rates)",
            path,
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
        path, busiest = _busiest_entrypoint(model)
        raise WorkRefused(
            f"this run would take about {work.events:,.0f} events "
            f"({work.executions_per_second:,.0f} operation executions per simulated second "
            f"for {format_duration(duration)}{busiest}); at most {max_events:,.0f}",
            fix,
            path,
        )
    return work
