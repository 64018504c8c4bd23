"""Discrete-event simulation of a model under traffic, faults and resilience policies.

    simulate(model, scenario, SimOptions(duration=600, seed=1)) -> SimResult
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from meshwright.lazy import lazy_names

if TYPE_CHECKING:  # the engine loads numpy: imported on first use
    from meshwright.model.types import Model
    from meshwright.simulate.engine import Progress, SimOptions
    from meshwright.simulate.results import SimResult
    from meshwright.simulate.scenario import LoadedScenario, Scenario, load_scenario, parse_scenario

_HOME = {
    "LoadedScenario": "meshwright.simulate.scenario",
    "Scenario": "meshwright.simulate.scenario",
    "load_scenario": "meshwright.simulate.scenario",
    "parse_scenario": "meshwright.simulate.scenario",
    "SimOptions": "meshwright.simulate.engine",
    "SimResult": "meshwright.simulate.results",
}


__getattr__ = lazy_names(__name__, _HOME)


def simulate(
    model: Model,
    scenario: Scenario | None = None,
    options: SimOptions | None = None,
    progress: Progress | None = None,
) -> SimResult:
    """Run the model under ``scenario`` (no faults by default); same seed, same result.

    Raises UsageError, before any work, when the run is estimated to be a runaway (see
    :mod:`meshwright.simulate.budget`)."""
    from meshwright.simulate.budget import MAX_EVENTS, MAX_EVENTS_COMPILED, check_work
    from meshwright.simulate.engine import SimOptions, choose_engine, run
    from meshwright.simulate.results import summarize
    from meshwright.simulate.scenario import Scenario

    scenario = scenario or Scenario(name="steady")
    options = options or SimOptions()
    budget = MAX_EVENTS_COMPILED if choose_engine(options)[0] == "compiled" else MAX_EVENTS
    check_work(model, scenario, options.duration, budget)
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
