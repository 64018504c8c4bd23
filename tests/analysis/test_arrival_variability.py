"""Arrival variability between services (QNA linking equation, deterministic smoothing),
comonotone waits of parallel deterministic leaves, and inverse-CDF wait draws — against
exact forms."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from meshwright.analysis.latency import latency_distributions
from meshwright.analysis.queueing import (
    WaitDistribution,
    departure_scv,
    queueing,
    thinned_scv,
)
from meshwright.model import Model


def lindley_departures(rho: float, service: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Inter-departure times of a FIFO single-server queue with Poisson arrivals of rate
    ρ / E[S] (the Lindley recursion on departure epochs D_n = max(A_n, D_{n−1}) + S_n)."""
    arrivals = np.cumsum(rng.exponential(np.mean(service) / rho, len(service)))
    dep = np.empty_like(arrivals)
    last = 0.0
    for i, (a, s) in enumerate(zip(arrivals, service, strict=True)):
        last = max(a, last) + s
        dep[i] = last
    return np.diff(dep[len(dep) // 10 :])


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.85])
def test_m_d_1_departures_have_scv_one_minus_rho_squared(rho: float) -> None:
    """M/D/1: Var D = E[S²] + (1 − 2ρ²)/λ², so c_d² = 1 − ρ² exactly (the interval)."""
    assert departure_scv(rho, 1.0, 0.0, 1) == pytest.approx(1.0 - rho * rho, rel=1e-12)
    gaps = lindley_departures(rho, np.full(200_000, 1.0), np.random.default_rng(4))
    assert float(np.var(gaps) / np.mean(gaps) ** 2) == pytest.approx(1.0 - rho * rho, abs=0.02)


def test_departure_scv_exact_forms() -> None:
    # Burke: M/M/c departures are Poisson
    for m in (1, 2, 8):
        assert departure_scv(0.8, 1.0, 1.0, m) == pytest.approx(1.0)
    # M/G/1: ρ² c_s² + (1 − ρ²) c_a²
    assert departure_scv(0.5, 2.0, 3.0, 1) == pytest.approx(0.25 * 3.0 + 0.75 * 2.0)
    # an idle station passes its arrivals on; a saturated single server emits its services
    assert departure_scv(0.0, 0.4, 0.0, 1) == pytest.approx(0.4)
    assert departure_scv(1.0, 0.4, 0.1, 1) == pytest.approx(0.1)
    # splitting: a thinned stream tends to Poisson
    assert thinned_scv(0.2, 1.0) == pytest.approx(0.2)
    assert thinned_scv(0.2, 0.5) == pytest.approx(0.6)
    assert thinned_scv(0.2, 0.0) == pytest.approx(1.0)


def test_m_g_1_lognormal_departures_match_the_linking_equation() -> None:
    rho, rng = 0.7, np.random.default_rng(8)
    service = rng.lognormal(0.0, 0.8, 200_000)
    cs2 = math.expm1(0.8**2)
    gaps = lindley_departures(rho, service, rng)
    assert float(np.var(gaps) / np.mean(gaps) ** 2) == pytest.approx(
        departure_scv(rho, 1.0, cs2, 1), rel=0.05
    )


def leaves(shape: str, kind: str = "deterministic", means: tuple[int, int] = (10, 10),
           util: float = 0.8, lb: str = "round_robin", replicas: int = 1) -> Model:
    def svc(mean_ms: int, conc: int, calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "availability": 100,
            "runtime": {"replicas": replicas, "concurrency": conc, "load_balancing": lb},
            "apis": [{"name": "A", "port": 80, "operations": {
                "Op": {"service_time": {"mean": f"{mean_ms}ms", "distribution": kind}}}}],
        }
        if calls:
            out["calls"] = calls
        return out

    group = {"parallel": "fan"} if shape == "parallel" else {}
    calls = [{"to": f"leaf{i}.Op", **group} for i in range(2)]
    data = {"meshwright": 1, "system": "v",
            "services": {"leaf0": svc(means[0], 2), "leaf1": svc(means[1], 2), "mid": svc(2, 64, calls)},
            "entrypoints": [{"operation": "mid.Op", "rate": util * replicas * 2 / (max(means) / 1000)}]}
    return Model.model_validate(data)


@pytest.mark.parametrize(("lb", "replicas"), [("round_robin", 1), ("round_robin", 3), ("least_requests", 2)])
def test_a_deterministic_leaf_fed_by_an_equal_one_never_waits(lb: str, replicas: int) -> None:
    """At most (slots) requests leave a deterministic station per service time, so the
    second leaf of a sequential fan-out (same time, same slots) never finds them all busy."""
    q = queueing(leaves("fan-out", lb=lb, replicas=replicas)).services
    assert q["leaf0"].wait.p_wait > 0.1
    assert q["leaf1"].wait.p_wait == 0.0
    assert "smoothed by leaf0" in q["leaf1"].model


def test_a_slower_second_leaf_waits_less_than_with_poisson_arrivals() -> None:
    """D_B > D_A: not smoothed away, but its arrivals (A's departures, c² = 1 − ρ_A²/√2) are
    more regular than Poisson: the wait shrinks by the Allen–Cunneen factor."""
    m = leaves("fan-out", means=(8, 10))
    q = queueing(m).services
    leaf0, leaf1 = q["leaf0"], q["leaf1"]
    ca2 = departure_scv(leaf0.utilisation, 1.0, 0.0, 2)
    assert f"arrivals c² {ca2:.2f}" in leaf1.model
    # the same queue with Poisson arrivals: scale (1 + 0)/2 instead of (c² + 0)/2
    assert leaf1.wait.scale == pytest.approx(ca2 / 2.0, rel=1e-9)


def test_parallel_identical_deterministic_leaves_cost_one_leaf() -> None:
    """Identical leaves fed by the same arrivals wait identically: the group's slowest call
    is one call, so mid with the pair has the latency of mid with one of them."""
    m = leaves("parallel")
    lat = latency_distributions(m, ["mid.Op", "leaf0.Op"], 100_000, 0)
    pair, leaf = lat["mid.Op"], lat["leaf0.Op"]
    assert queueing(m).services["leaf0"].wait.p_wait > 0.3
    # mid's own 2 ms plus one leaf's time (its wait included); the exact wait quantile
    wait = queueing(m).services["leaf0"].wait
    assert pair.mean == pytest.approx(0.002 + leaf.mean, rel=0.02)
    assert pair.p99 == pytest.approx(0.012 + wait.quantile(0.99), rel=0.02)
    # a slightly faster second leaf is coupled too: never later than the first
    lat2 = latency_distributions(leaves("parallel", means=(10, 9)), ["mid.Op"], 100_000, 0)
    wait2 = queueing(leaves("parallel", means=(10, 9))).services["leaf0"].wait
    assert lat2["mid.Op"].p99 == pytest.approx(0.012 + wait2.quantile(0.99), rel=0.02)


@pytest.mark.parametrize("wait", [
    WaitDistribution(0.4, 50.0),
    WaitDistribution(0.4, 50.0, scale=0.5),
    WaitDistribution(0.3, 80.0, (0.15, 0.1, 0.05)),
])
def test_inverse_cdf_waits_have_the_distribution(wait: WaitDistribution) -> None:
    u = np.random.default_rng(2).random(200_000, dtype=np.float32)
    x = wait.from_uniform(u)
    assert float(np.mean(x > 0)) == pytest.approx(wait.p_wait, abs=0.005)
    assert float(x.mean()) == pytest.approx(wait.mean(), rel=0.02)
    for q in (0.8, 0.9, 0.99):
        assert float(np.quantile(x, q)) == pytest.approx(wait.quantile(q), rel=0.02, abs=1e-6)
    # comonotone: a larger draw never waits less
    order = np.argsort(u)
    assert bool(np.all(np.diff(x[order]) >= -1e-6))
