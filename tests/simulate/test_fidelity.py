"""The simulator against queueing and reliability theory, and the retry storm it exists
to show."""

from __future__ import annotations

import math
from typing import Literal

import pytest
from scipy import stats

from meshwright.analysis.availability import composed_availability
from meshwright.analysis.capacity import erlang_c
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.scenario import Scenario, parse_scenario

from .models import mmc, model

BATCHES = 50
CONFIDENCE = 0.999


def batch_means_interval(means: list[float]) -> tuple[float, float]:
    """Mean and half-width of the CONFIDENCE interval from batch means (Student t)."""
    n = len(means)
    mean = sum(means) / n
    sd = math.sqrt(sum((m - mean) ** 2 for m in means) / (n - 1))
    return mean, stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)


@pytest.mark.parametrize(
    ("lam", "mean", "servers", "duration", "engine"),
    [
        (80.0, 0.010, 1, 2000.0, "python"),
        (90.0, 0.040, 4, 5000.0, "python"),
        (80.0, 0.010, 1, 5000.0, "compiled"),
        (90.0, 0.040, 4, 20000.0, "compiled"),
    ],
    ids=["M/M/1 rho=0.8", "M/M/4 rho=0.9", "M/M/1 rho=0.8 compiled", "M/M/4 rho=0.9 compiled"],
)
def test_mean_wait_matches_erlang_c(
    lam: float, mean: float, servers: int, duration: float, engine: Literal["python", "compiled"]
) -> None:
    # one batch per time bucket; the first batch is the warm-up and is dropped
    r = simulate(
        mmc(lam, mean, servers),
        Scenario(name="steady"),
        SimOptions(duration=duration, seed=3, bucket=duration / (BATCHES + 1), engine=engine),
    )
    waits = [w for w in r.services["q"]["mean_wait"][1:] if w is not None]
    assert len(waits) == BATCHES
    observed, half = batch_means_interval(waits)
    expected = erlang_c(lam, 1 / mean, servers).wq
    assert abs(observed - expected) <= half, (observed, expected, half)
    # the interval is narrow enough for the comparison to mean something
    assert half < 0.15 * expected


def test_utilisation_matches_offered_load() -> None:
    r = simulate(mmc(90.0, 0.040, 4), None, SimOptions(duration=500, seed=5))
    assert r.totals["services"]["q"]["utilisation"] == pytest.approx(0.9, abs=0.02)


CHAIN = """
    meshwright: 1
    system: chain
    services:
      a:
        availability: 99
        runtime: {concurrency: 100}
        apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]
        calls: [{to: b.Op}]
      b:
        availability: 98
        runtime: {concurrency: 100}
        apis: [{name: B, port: 80, operations: {Op: {service_time: 1ms}}}]
        calls: [{to: c.Op%s}]
      c:
        availability: 95
        runtime: {concurrency: 100}
        apis: [{name: C, port: 80, operations: {Op: {service_time: 1ms}}}]
    entrypoints:
      - {operation: a.Op, rate: 500/s}
    """


@pytest.mark.parametrize("policy", ["", ", retries: 3"], ids=["no retries", "3 tries"])
def test_chain_availability_matches_the_analysis(policy: str) -> None:
    m = model(CHAIN % policy)
    r = simulate(m, None, SimOptions(duration=60, seed=11))
    t = r.totals["entrypoints"]["a.Op"]
    n = (t["ok"] or 0) + (t["errors"] or 0)
    expected = composed_availability(m)["a.Op"].composed
    sigma = math.sqrt(expected * (1 - expected) / n)
    assert t["success"] == pytest.approx(expected, abs=4 * sigma)


STORM = """
    meshwright: 1
    system: storm
    services:
      web:
        availability: 100
        runtime: {replicas: 1, concurrency: 2000}
        apis: [{name: W, port: 80, operations: {Home: {service_time: 1ms}}}]
        calls:
          - {to: api.Get%s}
      api:
        availability: 100
        runtime: {replicas: 1, concurrency: 2}
        apis: [{name: A, port: 80, operations: {Get: {service_time: 20ms}}}]
    entrypoints:
      - {operation: web.Home, rate: 60/s}
    """
TRIGGER = "name: blip\nevents:\n  - {at: 20s, for: 5s, action: spike, multiplier: 2}\n"


def storm(policy: str) -> str:
    r = simulate(model(STORM % policy), parse_scenario(TRIGGER).scenario,
                 SimOptions(duration=100, seed=2))
    return r.verdict.recovery.status


def test_aggressive_retries_turn_a_short_spike_into_a_metastable_failure() -> None:
    # api serves 100/s; a 5 s spike to 120/s queues work past the 300 ms try timeout,
    # every try times out, four tries per request keep api at 240/s for good
    assert storm(", retries: {attempts: 4, per_try_timeout: 300ms}") == "metastable"


def test_without_retries_the_same_spike_is_recovered() -> None:
    assert storm(", timeout: 300ms") == "recovered"


def test_a_retry_budget_recovers_from_the_same_spike() -> None:
    budget = ", retries: {attempts: 4, per_try_timeout: 300ms, budget: {ratio: 10, min_per_second: 1}}"
    assert storm(budget) == "recovered"


def test_lognormal_service_time_keeps_the_declared_mean_and_p99() -> None:
    m = model("""
        meshwright: 1
        system: ln
        services:
          a:
            availability: 100
            runtime: {concurrency: 1000}
            apis: [{name: A, port: 80, operations: {Op: {service_time: {mean: 10ms, p99: 60ms}}}}]
        entrypoints:
          - {operation: a.Op, rate: 1000/s}
        """)
    t = simulate(m, None, SimOptions(duration=60, seed=9)).totals["services"]["a"]
    assert t["mean_latency"] == pytest.approx(0.010, rel=0.03)
    assert t["p99"] == pytest.approx(0.060, rel=0.05)
