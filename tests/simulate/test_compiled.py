"""The compiled engine against the Python engine: statistically over different seeds, same
seed same result, the engine choice and the fallback without the extension (exact
agreement on the same seed: test_exact.py)."""

from __future__ import annotations

import json

import pytest

from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.engine import run as engine_run
from meshwright.simulate.scenario import Scenario, parse_scenario

from .models import three_tier

STEADY = Scenario(name="steady")


def test_compiled_engine_same_seed_same_result() -> None:
    m = three_tier()
    runs = [simulate(m, STEADY, SimOptions(duration=30, seed=s, engine="compiled")).to_json()
            for s in (3, 3, 4)]
    assert json.dumps(runs[0]) == json.dumps(runs[1])
    assert json.dumps(runs[0]) != json.dumps(runs[2])


def test_policies_and_faults_run_on_the_compiled_engine() -> None:
    from meshwright.simulate.engine import choose_engine

    chaos = parse_scenario("events:\n  - {at: 1s, action: crash, service: db}\n").scenario
    r = simulate(three_tier(", timeout: 1s"), chaos, SimOptions(duration=5, engine="compiled"))
    assert r.totals["services"]["db"]["requests"] > 0
    assert choose_engine(SimOptions()) == ("compiled", "the compiled engine is built")


def test_compiled_engine_grows_its_job_table_under_overload() -> None:
    # db serves 800/s at most; at 1,200/s thousands of requests pile up, far beyond the
    # C core's initial table of 1,024 jobs, so the table must grow (several times) mid-run.
    m = three_tier(rate=1200)
    py = simulate(m, STEADY, SimOptions(duration=10, seed=2, engine="python")).totals
    comp = simulate(m, STEADY, SimOptions(duration=10, seed=2, engine="compiled")).totals
    for name in ("web", "db"):
        assert comp["services"][name]["requests"] == pytest.approx(py["services"][name]["requests"], rel=0.03)
    assert comp["services"]["db"]["utilisation"] > 0.9


FAN_OUT = """
meshwright: 1
system: fan
services:
  edge:
    availability: 99.5
    runtime: {replicas: 3, concurrency: 16}
    apis: [{name: E, port: 80, operations: {Page: {service_time: {mean: 3ms, p99: 20ms}}}}]
    calls:
      - {to: cat.List, per_request: 2}
      - {to: price.Quote}
  cat:
    availability: 99.9
    runtime: {replicas: 2, concurrency: 4}
    apis: [{name: C, port: 80, operations: {List: {service_time: {mean: 4ms, distribution: exponential}}}}]
  price:
    availability: 100
    runtime: {replicas: 1, concurrency: 2}
    apis: [{name: P, port: 80, operations: {Quote: {service_time: {mean: 6ms, distribution: deterministic}}}}]
entrypoints:
  - {operation: edge.Page, rate: 250/s}
"""


def test_fan_out_is_exact_and_differs_from_another_seed() -> None:
    # fan-out with per_request 2, three service-time kinds, several replicas, intrinsic
    # failures: the same recorder on both engines, another seed another one
    from .models import model as load
    from .test_exact import differences

    m = load(FAN_OUT)
    py = engine_run(m, STEADY, SimOptions(duration=30, seed=1, engine="python"))
    comp = engine_run(m, STEADY, SimOptions(duration=30, seed=1, engine="compiled"))
    other = engine_run(m, STEADY, SimOptions(duration=30, seed=2, engine="compiled"))
    assert differences(py, comp) == []
    assert differences(py, other) != []


def test_auto_picks_the_compiled_engine() -> None:
    from meshwright.simulate.engine import choose_engine

    assert choose_engine(SimOptions())[0] == "compiled"
    assert choose_engine(SimOptions(engine="python"))[0] == "python"


def test_without_the_extension_auto_runs_python_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from meshwright.simulate import compiled, engine

    monkeypatch.setattr(compiled, "_core", None)
    monkeypatch.setattr(compiled, "_missing", "No module named 'meshwright.simulate._simcore'")
    engine._warn_missing_core.cache_clear()
    for _ in range(2):
        r = simulate(three_tier(), STEADY, SimOptions(duration=5, seed=1))
        assert r.totals["services"]["db"]["requests"] > 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "using the slower Python engine" in err[0]
    with pytest.raises(ValueError, match="compiled engine is not built"):
        simulate(three_tier(), STEADY, SimOptions(duration=5, engine="compiled"))
