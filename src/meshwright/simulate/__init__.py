"""Discrete-event simulation of a model under traffic, faults and resilience policies.

    simulate(model, scenario, SimOptions(duration=600, seed=1)) -> SimResult
"""

from __future__ import annotations

from meshwright.model.types import Model
from meshwright.simulate.budget import check_work
from meshwright.simulate.engine import Progress, SimOptions, run
from meshwright.simulate.results import SimResult, summarize
from meshwright.simulate.scenario import LoadedScenario, Scenario, load_scenario, parse_scenario


def simulate(
    model: Model,
    scenario: Scenario | None = None,
    options: SimOptions | None = None,
    progress: Progress | None = None,
) -> SimResult:
    """Run the model under ``scenario`` (no faults by default); same seed, same result.

    Raises UsageError, before any work, when the run is estimated to be a runaway (see
    :mod:`meshwright.simulate.budget`)."""
    scenario = scenario or Scenario(name="steady")
    options = options or SimOptions()
    check_work(model, scenario, options.duration)
    rec = run(model, scenario, options, progress)
    return summarize(model, scenario, rec, options.seed)


__all__ = [
    "LoadedScenario",
    "Scenario",
    "SimOptions",
    "SimResult",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
