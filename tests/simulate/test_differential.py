"""Analysis against simulation on generated models: chains, fan-outs and parallel groups,
round robin and least requests, utilisation 0.1–0.7, exponential and lognormal service
times everywhere, deterministic ones in round-robin chains. The analysis' mean, p50 and p99
entrypoint latency must be within 10 % of a fixed-seed simulation's.

The domain is narrowed where a difference is known and documented in
docs/commands/analyze.md ("Analysis against simulation"): above utilisation 0.7 the
simulator's own p99 of 60,000 requests varies by up to ±12 % between seeds (and lognormal
service at 0.85 is ~10 % low in the analysis); deterministic leaves behind a sequential
fan-out or a parallel group, and least requests with deterministic service, differ by
more than 10 % (the analysis treats the second leaf's arrivals as Poisson and parallel
siblings' waits as independent)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshwright.analysis.latency import latency_distributions
from meshwright.model import Model
from meshwright.simulate import SimOptions, simulate

TOLERANCE = 0.10
REQUESTS = 60_000
"""Entrypoint requests simulated per example (enough for a p99 within a few percent)."""


@st.composite
def systems(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.sampled_from(["chain", "fan-out", "parallel"]))
    lb = draw(st.sampled_from(["round_robin", "least_requests"]))
    kinds = ["exponential", "lognormal"]
    if shape == "chain" and lb == "round_robin":
        kinds.append("deterministic")
    kind = draw(st.sampled_from(kinds))
    util = draw(st.floats(0.1, 0.7))
    replicas = draw(st.integers(1, 3))
    callees = draw(st.integers(1, 2)) if shape != "chain" else 1
    depth = draw(st.integers(1, 2)) if shape == "chain" else 1

    def service(mean_ms: int, calls: list[dict[str, Any]], conc: int) -> dict[str, Any]:
        st_: dict[str, Any] = {"mean": f"{mean_ms}ms", "distribution": kind}
        if kind == "lognormal":
            st_["p99"] = f"{mean_ms * 4}ms"
        svc: dict[str, Any] = {
            "availability": 100,
            "runtime": {"replicas": replicas, "concurrency": conc, "load_balancing": lb},
            "apis": [{"name": "A", "port": 80, "operations": {"Op": {"service_time": st_}}}],
        }
        if calls:
            svc["calls"] = calls
        return svc

    services: dict[str, Any] = {}
    leaves = [f"leaf{i}" for i in range(callees)]
    for name in leaves:
        services[name] = service(10, [], 2)
    below = leaves
    for level in range(depth):
        name = f"mid{level}"
        group = {"parallel": "fan"} if shape == "parallel" else {}
        services[name] = service(2, [{"to": f"{c}.Op", **group} for c in below], 64)
        below = [name]
    # the leaves are the bottleneck: λ × 10 ms = util × replicas × 2 slots
    rate = util * replicas * 2 / 0.010
    return {"meshwright": 1, "system": "diff", "services": services,
            "entrypoints": [{"operation": f"{below[0]}.Op", "rate": rate}]}


def check(data: dict[str, Any]) -> None:
    model = Model.model_validate(data)
    ep = model.entrypoints[0]
    ours = latency_distributions(model, [ep.operation], 20_000, 0)[ep.operation]
    duration = REQUESTS / ep.rate
    sim = simulate(model, None, SimOptions(duration=duration, seed=1, intrinsic_failures=False,
                                           engine="python"))
    e = sim.totals["entrypoints"][ep.operation]
    for key, value in (("mean_latency", ours.mean), ("p50", ours.p50), ("p99", ours.p99)):
        assert value == pytest.approx(e[key], rel=TOLERANCE), (key, value, e[key])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_analysis_latency_matches_the_simulation(data: dict[str, Any]) -> None:
    check(data)


def test_the_check_fails_when_the_gap_comes_back() -> None:
    """A documented out-of-domain case (parallel deterministic leaves at utilisation 0.7:
    analysis mean +19 %) is caught by the same assertion."""
    data = {
        "meshwright": 1, "system": "diff",
        "services": {
            **{f"leaf{i}": {"availability": 100,
                            "runtime": {"replicas": 1, "concurrency": 2, "load_balancing": "round_robin"},
                            "apis": [{"name": "A", "port": 80, "operations": {
                                "Op": {"service_time": {"mean": "10ms", "distribution": "deterministic"}}}}]}
               for i in range(2)},
            "mid0": {"availability": 100,
                     "runtime": {"replicas": 1, "concurrency": 64, "load_balancing": "round_robin"},
                     "apis": [{"name": "A", "port": 80, "operations": {
                         "Op": {"service_time": {"mean": "2ms", "distribution": "deterministic"}}}}],
                     "calls": [{"to": "leaf0.Op", "parallel": "fan"}, {"to": "leaf1.Op", "parallel": "fan"}]},
        },
        "entrypoints": [{"operation": "mid0.Op", "rate": 140.0}],
    }
    with pytest.raises(AssertionError):
        check(data)
