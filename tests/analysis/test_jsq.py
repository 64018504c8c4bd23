"""Least requests as join the shortest queue (``analysis.jsq``) against the exact CTMC,
and the Gamma-shaped conditional wait (``queueing.wait_shape``)."""

from __future__ import annotations

import numpy as np
import pytest

from meshwright.analysis.jsq import jsq_from_pool
from meshwright.analysis.queueing import WaitDistribution, erlang_c, pooled_queue, service_queue, wait_shape

from .jsq_oracle import exact_jsq


@pytest.mark.parametrize(
    ("replicas", "c", "rho", "top"),
    [(2, 1, 0.3, 30), (2, 1, 0.7, 60), (3, 2, 0.5, 25), (3, 2, 0.7, 40), (2, 2, 0.9, 90)],
)
def test_join_the_shortest_queue_against_the_exact_chain(replicas: int, c: int, rho: float, top: int) -> None:
    lam = rho * replicas * c
    p_wait, wq = exact_jsq(lam, 1.0, replicas, c, top)
    ours = service_queue(lam, 1.0, 1.0, replicas, c, "least_requests", None)
    pooled = erlang_c(lam, 1.0, replicas * c).wq
    # measured: mean wait +1.3 % (2 × 2 at 0.9) to +15.4 % (3 × 2 at 0.5), P(wait) up to
    # 16 % high (the balanced state never has a queue beside an idle slot); the pooled
    # M/M/(Kc) queue was 4–33 % short
    assert wq <= ours.wq <= 1.16 * wq, (ours.wq, wq)
    assert p_wait <= ours.p_wait <= 1.17 * p_wait
    assert abs(ours.wq - wq) < abs(pooled - wq)


def test_one_replica_is_the_pool_and_heavy_traffic_approaches_it() -> None:
    pool = pooled_queue(3.0, 1.0, 4, None)
    assert jsq_from_pool(pool, 1.0, 1, 4) == pool
    # ρ → 1: the replica's rate cμ(1 − ρ^K) → the pool's Kcμ(1 − ρ)
    heavy = pooled_queue(0.999 * 6, 1.0, 6, None)
    jsq = jsq_from_pool(heavy, 1.0, 3, 2)
    assert jsq.wait.rate == pytest.approx(heavy.wait.rate, rel=2e-3)
    assert jsq.wait.p_wait == heavy.wait.p_wait


def test_a_bounded_pool_is_regrouped_per_replica() -> None:
    pool = pooled_queue(5.0, 1.0, 6, 6)  # 3 replicas × 2 slots, 2 queue places each
    jsq = jsq_from_pool(pool, 1.0, 3, 2)
    assert jsq.p_reject == pool.p_reject
    assert len(jsq.wait.ahead) == 2 and sum(jsq.wait.ahead) == pytest.approx(pool.wait.p_wait)
    assert jsq.wait.ahead[0] == pytest.approx(sum(pool.wait.ahead[:3]))
    assert jsq.wait.rate == 2.0


def test_deterministic_holding_shortens_the_wait_tail_lognormal_lengthens_it() -> None:
    assert wait_shape(0.5, 2, 1.0) == 1.0
    assert wait_shape(0.5, 2, 0.0) > 1.0 > wait_shape(0.5, 2, 3.0)
    assert wait_shape(1.0, 2, 0.0) == 1.0  # heavy traffic: exponential again


def test_a_gamma_shaped_wait_is_one_distribution() -> None:
    w = WaitDistribution(0.3, 50.0, (), 0.5, 2.5)
    assert w.mean() == pytest.approx(0.3 * 0.5 / 50.0)
    q = w.quantile(0.99)
    assert w.survival(q) == pytest.approx(0.01, rel=1e-6)
    draws = w.sample(np.random.default_rng(1), 200_000)
    assert float(draws.mean()) == pytest.approx(w.mean(), rel=0.02)
    assert float(np.quantile(draws, 0.99)) == pytest.approx(q, rel=0.03)
    u = np.random.default_rng(2).random(200_000).astype(np.float32)
    inv = w.from_uniform(u)
    assert float(np.quantile(inv, 0.99)) == pytest.approx(q, rel=0.01)
    second = float((draws.astype(np.float64) ** 2).mean())
    assert second == pytest.approx(w.second_moment(), rel=0.05)
