"""Analysis against simulation on generated models: chains, fan-outs and parallel groups,
round robin and least requests, utilisation 0.1–0.85, exponential, lognormal and
deterministic service times. The analysis' mean, p50 and p99 entrypoint latency must be
within 10 % of a fixed-seed simulation's.

The simulated run is long enough for its own p99 to be steady: 60,000 entrypoint requests
up to utilisation 0.7, 240,000 above (at 0.85 the p99 of 60,000 requests varies by ±12 %
between seeds). Deterministic leaves behind a sequential fan-out (the second leaf is fed by
the first one's departures) and in a parallel group (the same arrivals, comonotone waits)
are in the domain since the analysis models them (``queueing.arrival_variability``, the
latency Monte Carlo's coupled parallel calls), and so is least requests over deterministic
service since it is modelled as join the shortest queue (``analysis.jsq``, was the pooled
M/D/c: p99 −14 %), and round robin over deterministic service at light load since its
wait is the exact E_k/D/c one (was the E_k/M/c P(wait) with the Allen–Cunneen factor: p99
+13 % at 0.31 over 3 replicas). Still outside, and documented in docs/commands/analyze.md
("Analysis against simulation"): utilisation above 0.85."""

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
"""Entrypoint requests simulated per example up to utilisation 0.7 (a p99 within a few
percent)."""
BUSY_REQUESTS = 240_000
"""Entrypoint requests simulated per example above utilisation 0.7."""


@st.composite
def systems(draw: st.DrawFn, jsq_deterministic: bool = False) -> dict[str, Any]:
    """``jsq_deterministic``: least requests over deterministic service only (a test of its
    own, so the first test's derandomized examples stay what they were)."""
    shape = draw(st.sampled_from(["chain", "fan-out", "parallel"]))
    if jsq_deterministic:
        lb, kind = "least_requests", "deterministic"
    else:
        lb = draw(st.sampled_from(["round_robin", "least_requests"]))
        kinds = ["exponential", "lognormal"]
        if lb == "round_robin":
            kinds.append("deterministic")
        kind = draw(st.sampled_from(kinds))
    util = draw(st.floats(0.1, 0.85))
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
            "entrypoints": [{"operation": f"{below[0]}.Op", "rate": rate}], "utilisation": util}


def check(data: dict[str, Any], utilisation: float) -> None:
    model = Model.model_validate(data)
    ep = model.entrypoints[0]
    ours = latency_distributions(model, [ep.operation], 20_000, 0)[ep.operation]
    duration = (REQUESTS if utilisation <= 0.7 else BUSY_REQUESTS) / ep.rate
    sim = simulate(model, None, SimOptions(duration=duration, seed=1, intrinsic_failures=False))
    e = sim.totals["entrypoints"][ep.operation]
    for key, value in (("mean_latency", ours.mean), ("p50", ours.p50), ("p99", ours.p99)):
        assert value == pytest.approx(e[key], rel=TOLERANCE), (key, value, e[key])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_analysis_latency_matches_the_simulation(data: dict[str, Any]) -> None:
    util = data.pop("utilisation")
    check(data, util)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(jsq_deterministic=True))
def test_least_requests_over_deterministic_service_matches_the_simulation(data: dict[str, Any]) -> None:
    util = data.pop("utilisation")
    check(data, util)


def leaf_chain(load_balancing: str, kind: str, util: float, replicas: int) -> dict[str, Any]:
    """mid0 (64 slots, 2 ms) → leaf0 (2 slots per replica, 10 ms) at ``util`` of the leaf."""
    def service(mean_ms: int, conc: int) -> dict[str, Any]:
        return {"availability": 100,
                "runtime": {"replicas": replicas, "concurrency": conc, "load_balancing": load_balancing},
                "apis": [{"name": "A", "port": 80, "operations": {
                    "Op": {"service_time": {"mean": f"{mean_ms}ms", "distribution": kind}}}}]}
    return {"meshwright": 1, "system": "diff",
            "services": {"leaf0": service(10, 2), "mid0": {**service(2, 64), "calls": [{"to": "leaf0.Op"}]}},
            "entrypoints": [{"operation": "mid0.Op", "rate": util * replicas * 2 / 0.010}]}


@pytest.mark.parametrize(
    ("kind", "util", "replicas"),
    [("deterministic", 0.3, 2), ("deterministic", 0.5, 3), ("deterministic", 0.7, 3),
     ("exponential", 0.3, 3), ("exponential", 0.7, 3)],
)
def test_least_requests_is_join_the_shortest_queue(kind: str, util: float, replicas: int) -> None:
    """Join the shortest queue (``analysis.jsq``) against the simulator's least-requests
    balancer. Measured (60,000 requests, seed 1; analysis vs simulation p99): deterministic
    0.3 × 2 replicas −4.1 % (pooled M/D/c: −12.5 %), 0.5 × 3 −2.8 % (pooled −13.9 %),
    0.7 × 3 +7.1 % (pooled −1.8 %); exponential 0.3 × 3 +2.6 %, 0.7 × 3 +2.1 % (pooled
    −3.0 %); every mean within 2.1 %."""
    check(leaf_chain("least_requests", kind, util, replicas), util)


@pytest.mark.parametrize(("util", "replicas"), [(0.31, 3), (0.24, 2), (0.7, 3)])
def test_round_robin_over_deterministic_service_at_light_load(util: float, replicas: int) -> None:
    """Round robin over replicas of 2 slots of deterministic service: the exact E_k/D/c wait
    (``queueing.erlang_k_deterministic_wait``). Measured (60,000 requests, seed 1; analysis
    vs simulation p99, the E_k/M/c P(wait) with the Allen–Cunneen factor it replaced in
    brackets): 0.31 × 3 replicas +0.6 % (+13.4 %), 0.24 × 2 +3.0 % (+7.8 %), 0.7 × 3
    +1.3 % (+4.1 %); means within 0.5 % (2.8 %)."""
    check(leaf_chain("round_robin", "deterministic", util, replicas), util)


def test_the_check_fails_when_the_gap_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the exact deterministic wait (the E_k/M/c P(wait) scaled by Allen–Cunneen,
    analysis p99 +13 % at 0.31 over 3 replicas × 2 slots) the same assertion fails."""
    from meshwright.analysis import queueing

    monkeypatch.setattr(queueing, "DETERMINISTIC_SCV", -1.0)
    with pytest.raises(AssertionError, match="p99"):
        check(leaf_chain("round_robin", "deterministic", 0.31, 3), 0.31)
