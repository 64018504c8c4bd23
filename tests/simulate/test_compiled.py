"""The compiled engine agrees with the Python engine on the plain models it accepts."""

from __future__ import annotations

import json

import pytest

from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.compiled import unsupported
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


def _stats(model: object, engine: str, seeds: range) -> dict[str, dict[str, float]]:
    """Each series' mean over seeds of requests, success, utilisation, mean wait, p50, p99."""
    keys = ("requests", "success", "utilisation", "mean_wait", "p50", "p99")
    acc: dict[str, dict[str, float]] = {}
    for seed in seeds:
        t = simulate(model, STEADY, SimOptions(duration=120, seed=seed, engine=engine)).totals  # type: ignore[arg-type]
        for kind in ("services", "entrypoints"):
            for name, row in t[kind].items():
                slot = acc.setdefault(f"{kind}/{name}", {})
                for k in keys:
                    if row.get(k) is not None:
                        slot[k] = slot.get(k, 0.0) + row[k] / len(seeds)
    return acc


def test_compiled_engine_agrees_with_the_python_engine_over_seeds() -> None:
    # fan-out with per_request 2, three service-time kinds, several replicas, intrinsic
    # failures: every statistic of the C core within tolerance of the Python oracle
    from .models import model as load

    m = load(FAN_OUT)
    py = _stats(m, "python", range(1, 4))
    comp = _stats(m, "compiled", range(11, 14))
    assert set(py) == set(comp)
    for series, row in py.items():
        c = comp[series]
        assert c["requests"] == pytest.approx(row["requests"], rel=0.02), series
        assert c["success"] == pytest.approx(row["success"], abs=0.0015), series
        assert c["p50"] == pytest.approx(row["p50"], rel=0.05), series
        assert c["p99"] == pytest.approx(row["p99"], rel=0.08), series
        if "utilisation" in row:
            assert c["utilisation"] == pytest.approx(row["utilisation"], rel=0.04), series
        if row.get("mean_wait", 0) > 2e-4:
            assert c["mean_wait"] == pytest.approx(row["mean_wait"], rel=0.15), series


def test_auto_picks_the_compiled_engine_for_plain_models() -> None:
    from meshwright.simulate.engine import uses_compiled

    assert uses_compiled(three_tier(), STEADY, SimOptions())
    assert not uses_compiled(three_tier(), STEADY, SimOptions(engine="python"))
    assert not uses_compiled(three_tier(", timeout: 1s"), STEADY, SimOptions())


def test_without_the_extension_auto_runs_python_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from meshwright.simulate import compiled, engine

    monkeypatch.setattr(compiled, "_core", None)
    monkeypatch.setattr(compiled, "_missing", "No module named 'meshwright.simulate._simcore'")
    monkeypatch.setattr(engine, "_warned", [])
    for _ in range(2):
        r = simulate(three_tier(), STEADY, SimOptions(duration=5, seed=1))
        assert r.totals["services"]["db"]["requests"] > 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "using the slower Python engine" in err[0]
    with pytest.raises(ValueError, match="compiled engine is not built"):
        simulate(three_tier(), STEADY, SimOptions(duration=5, engine="compiled"))
