"""The compiled engine agrees with the Python engine on the plain models it accepts."""

from __future__ import annotations

import json

import pytest

from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.kernel import unsupported
from meshwright.simulate.scenario import Scenario, parse_scenario

from .models import three_tier

STEADY = Scenario(name="steady")


def both(duration: float = 200, seed: int = 5) -> tuple[dict, dict]:  # type: ignore[type-arg]
    m = three_tier(rate=400)
    py = simulate(m, STEADY, SimOptions(duration=duration, seed=seed, engine="python"))
    comp = simulate(m, STEADY, SimOptions(duration=duration, seed=seed, engine="compiled"))
    return py.totals, comp.totals


def test_compiled_engine_matches_the_python_engine() -> None:
    py, comp = both()
    for name in ("web", "api", "db"):
        a, b = py["services"][name], comp["services"][name]
        assert b["requests"] == pytest.approx(a["requests"], rel=0.02)
        assert b["utilisation"] == pytest.approx(a["utilisation"], rel=0.05)
        assert b["p50"] == pytest.approx(a["p50"], rel=0.05)
        assert b["success"] == pytest.approx(a["success"], abs=0.002)
    # db's queueing delay: 400/s on 2 × 4 servers of 10 ms
    assert comp["services"]["db"]["mean_wait"] == pytest.approx(py["services"]["db"]["mean_wait"], rel=0.2)


def test_compiled_engine_same_seed_same_result() -> None:
    m = three_tier()
    runs = [simulate(m, STEADY, SimOptions(duration=30, seed=s, engine="compiled")).to_json()
            for s in (3, 3, 4)]
    assert json.dumps(runs[0]) == json.dumps(runs[1])
    assert json.dumps(runs[0]) != json.dumps(runs[2])


def test_policies_and_faults_need_the_python_engine() -> None:
    assert unsupported(three_tier(), STEADY) is None
    assert "policy" in (unsupported(three_tier(", timeout: 1s"), STEADY) or "")
    chaos = parse_scenario("events:\n  - {at: 1s, action: crash, service: db}\n").scenario
    assert "faults" in (unsupported(three_tier(), chaos) or "")
    with pytest.raises(ValueError, match="compiled engine cannot run"):
        simulate(three_tier(), chaos, SimOptions(duration=5, engine="compiled"))


def test_compiled_engine_grows_its_job_table_under_overload() -> None:
    # db serves 800/s at most; at 1,200/s thousands of requests pile up, far beyond the
    # kernel's initial table of 1,024 jobs, so the table must grow (several times) mid-run.
    m = three_tier(rate=1200)
    py = simulate(m, STEADY, SimOptions(duration=10, seed=2, engine="python")).totals
    comp = simulate(m, STEADY, SimOptions(duration=10, seed=2, engine="compiled")).totals
    for name in ("web", "db"):
        assert comp["services"][name]["requests"] == pytest.approx(py["services"][name]["requests"], rel=0.03)
    assert comp["services"]["db"]["utilisation"] > 0.9
