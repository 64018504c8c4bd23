"""Queueing models against closed forms, and the analysis against the simulator on the
reference models of issue 17."""

from __future__ import annotations

import math
import textwrap

import pytest

from meshwright.analysis.capacity import capacity
from meshwright.analysis.latency import latency_distributions
from meshwright.analysis.queueing import (
    erlang_c,
    erlang_k_root,
    pooled_queue,
    power_of_two_queue,
    round_robin_queue,
    service_queue,
)
from meshwright.model import load_text
from meshwright.model.types import Model
from meshwright.simulate import SimOptions, simulate


def load(text: str) -> Model:
    return load_text(textwrap.dedent(text).lstrip("\n"), "t.yaml").model


def test_round_robin_of_four_replicas_is_gi_m_1_with_erlang_4_arrivals() -> None:
    # σ = (4/(4 + (1 − σ)/0.9))^4; W = σ / (μ(1 − σ)); latency = 1 s + W
    sigma = erlang_k_root(4, 1, 0.9)
    assert sigma == pytest.approx((4 / (4 + (1 - sigma) / 0.9)) ** 4, abs=1e-14)
    assert sigma == pytest.approx(0.843335, abs=1e-6)
    q = service_queue(3.6, 1.0, 1.0, 4, 1, "round_robin", None)
    assert q.p_wait == pytest.approx(sigma, abs=1e-9)  # GI/M/1: P(wait) = σ
    assert 1.0 + q.wq == pytest.approx(6.383, abs=1e-3)
    # p99 of the wait: σ e^(−μ(1−σ)t) = 0.01
    assert q.wq_p99 == pytest.approx(math.log(sigma / 0.01) / (1 - sigma), rel=1e-9)


@pytest.mark.parametrize(("lam", "c"), [(0.5, 1), (3.0, 4), (15.0, 16), (90.0, 100)])
def test_one_replica_and_least_requests_are_erlang_c(lam: float, c: int) -> None:
    expected = erlang_c(lam, 1.0, c)
    for sol in (round_robin_queue(lam, 1.0, 1, c, None), pooled_queue(lam, 1.0, c, None)):
        assert sol.wait.p_wait == pytest.approx(expected.p_wait, rel=1e-9)
        assert sol.wait.mean() == pytest.approx(expected.wq, rel=1e-9)


@pytest.mark.parametrize(("k", "c", "rho"), [(2, 3, 0.8), (3, 2, 0.6), (5, 4, 0.9)])
def test_gi_m_c_with_erlang_arrivals_matches_the_long_finite_queue(k: int, c: int, rho: float) -> None:
    """The matrix-geometric tail and a finite E_k/M/c/K chain (solved directly) agree."""
    lam = k * c * rho
    free = round_robin_queue(lam, 1.0, k, c, None)
    sigma = erlang_k_root(k, c, rho)
    assert free.wait.rate == pytest.approx(c * (1 - sigma), rel=1e-12)
    limit = int(math.log(1e-13) / math.log(sigma)) + 1
    # just below the shortcut that treats such a queue as unbounded
    long = round_robin_queue(lam, 1.0, k, c, limit // 2 + 40)
    assert long.wait.p_wait == pytest.approx(free.wait.p_wait, rel=1e-5)
    assert long.wait.mean() == pytest.approx(free.wait.mean(), rel=1e-4)


def test_bounded_queue_rejections_are_m_m_1_k() -> None:
    rho, limit = 0.9, 3  # K = 1 in service + 3 waiting
    big_k = 1 + limit
    expected = (1 - rho) * rho**big_k / (1 - rho ** (big_k + 1))
    assert round_robin_queue(rho, 1.0, 1, 1, limit).p_reject == pytest.approx(expected, rel=1e-9)
    assert pooled_queue(rho, 1.0, 1, limit).p_reject == pytest.approx(expected, rel=1e-9)
    # overload with a limit: a finite wait and a known rejection share, never unstable
    over = service_queue(2.0, 1.0, 1.0, 1, 1, "round_robin", 2)
    assert over.stable and over.p_reject == pytest.approx((1 - 2.0) * 2.0**3 / (1 - 2.0**4))


def test_power_of_two_is_mitzenmachers_supermarket_model() -> None:
    # mean response time (service 1) Σ_{i≥1} λ^(2^i − 2)
    for lam in (0.5, 0.9, 0.99):
        t = sum(lam ** (2**i - 2) for i in range(1, 60))
        sol = power_of_two_queue(lam * 100, 1.0, 100, 1, None)
        assert 1 + sol.wait.mean() == pytest.approx(t, rel=1e-6)


def test_m_d_1_is_pollaczek_khinchine() -> None:
    # Pollaczek–Khinchine: Wq(M/D/1) = ρ / (2μ(1 − ρ)), half the M/M/1 wait; P(wait) = ρ
    q = service_queue(0.8, 1.0, 0.0, 1, 1, "round_robin", None)
    assert q.wq == pytest.approx(0.8 / (2 * 0.2), rel=1e-9)
    assert q.p_wait == pytest.approx(0.8, rel=1e-12)
    assert q.model == "M/D/1 (exact wait; one replica)"
    # Allen–Cunneen for the other non-exponential holding times: M/G/1 exact in the mean
    g = service_queue(0.8, 1.0, 0.5, 1, 1, "round_robin", None)
    assert g.wq == pytest.approx(0.8 * 1.5 / (2 * 0.2), rel=1e-9)
    assert g.model == "M/G/1 (one replica; Allen–Cunneen)"


def test_saturation_is_unstable_with_the_load_that_breaks_it() -> None:
    q = service_queue(4.0, 1.0, 1.0, 4, 1, "round_robin", None)
    assert not q.stable and math.isinf(q.wq) and q.breaking_rate == pytest.approx(4.0)
    m = load(REFERENCE.replace("rate: 3.6", "rate: 4.2"))
    cap = capacity(m)["q"]
    assert cap.unstable and cap.queue.breaking_rate == pytest.approx(4.0)
    lat = latency_distributions(m, ["q.Op"], 1000)["q.Op"]
    assert math.isinf(lat.mean) and math.isinf(lat.p99)  # never a number


REFERENCE = """
meshwright: 1
system: rr
services:
  q:
    availability: 100
    runtime: {replicas: 4, concurrency: 1}
    apis: [{name: Q, port: 80, operations: {Op: {service_time: {mean: 1s, distribution: exponential}}}}]
entrypoints: [{operation: q.Op, rate: 3.6}]
"""


def test_reference_round_robin_latency_includes_the_wait_and_matches_the_simulator() -> None:
    m = load(REFERENCE)
    a = latency_distributions(m, ["q.Op"], 20_000, 0)["q.Op"]
    assert a.mean == pytest.approx(6.383, rel=0.02)  # not 1 s: the replicas queue
    assert capacity(m)["q"].queue_model == "GI/M/1 (Erlang-4 arrivals, round robin)"
    # ρ = 0.9: the simulated p99 is noisy at 40,000 s (±10 % across seeds); 400,000 s on the
    # C core (the same run as the Python engine, tests/simulate/test_exact.py) settles it
    r = simulate(m, None, SimOptions(duration=400_000, seed=5))
    e = r.totals["entrypoints"]["q.Op"]
    assert e["mean_latency"] == pytest.approx(a.mean, rel=0.10)
    assert e["p99"] == pytest.approx(a.p99, rel=0.10)


CHAIN = """
meshwright: 1
system: three
services:
  web:
    availability: 100
    runtime: {replicas: 2, concurrency: 50}
    apis: [{name: W, port: 80, operations: {Home: {service_time: 2ms}}}]
    calls: [{to: api.Get}]
  api:
    availability: 100
    runtime: {replicas: 2, concurrency: 8}
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 5ms, p99: 30ms}}}}]
    calls: [{to: db.Query}]
  db:
    availability: 100
    runtime: {replicas: 2, concurrency: 4}
    apis: [{name: D, port: 80, operations: {Query: {service_time: 10ms}}}]
entrypoints: [{operation: web.Home, rate: 640}]
"""


def test_loaded_three_tier_chain_agrees_with_the_simulator() -> None:
    m = load(CHAIN)
    caps = capacity(m)
    assert 0.75 <= caps["api"].queue.utilisation <= 0.85
    assert 0.75 <= caps["db"].queue.utilisation <= 0.85
    a = latency_distributions(m, ["web.Home"], 20_000, 0)["web.Home"]
    r = simulate(m, None, SimOptions(duration=60, seed=1, intrinsic_failures=False, engine="python"))
    e = r.totals["entrypoints"]["web.Home"]
    for key, ours in (("mean_latency", a.mean), ("p50", a.p50), ("p99", a.p99)):
        assert ours == pytest.approx(e[key], rel=0.10), key
    # without the queues the p99 is far lower (the 63 ms against 202 ms)
    no_wait = latency_distributions(m, ["web.Home"], 20_000, 0, waits={})["web.Home"]
    assert no_wait.p99 < 0.8 * e["p99"]


def test_a_bounded_round_robin_queue_of_many_replicas_stays_small() -> None:
    """10,000 replicas × 10,000 slots with a queue limit: the level reduction keeps k × k
    blocks, so past BOUNDED_CHAIN_PHASES replicas it is solved with that many arrival phases
    (a MemoryError before): more replicas than that solve the capped chain."""
    from meshwright.analysis.queueing import BOUNDED_CHAIN_PHASES, round_robin_queue

    many = round_robin_queue(99e6, 1.0, 10_000, 10_000, 10).wait
    assert 0.0 <= many.p_wait <= 1.0
    k = BOUNDED_CHAIN_PHASES
    exact = round_robin_queue(0.99 * 4 * k, 1.0, k, 4, 3).wait
    capped = round_robin_queue(0.99 * 4 * 2 * k, 1.0, 2 * k, 4, 3).wait
    assert capped.p_wait == pytest.approx(exact.p_wait, rel=1e-9)  # the same chain
