"""The exact E_k/D/c wait (``queueing.erlang_k_deterministic_wait``): closed forms (M/D/1,
D/D/c) and the lag-c Lindley recursion it solves, simulated directly with fixed seeds; the
capped queue (``queueing.deterministic_capped_queue``) against a direct FIFO simulation."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from meshwright.analysis.queueing import (
    deterministic_capped_queue,
    erlang_k_deterministic_wait,
    erlang_k_root,
    erlang_k_wait_probability,
    service_queue,
)


def lindley_lag_c(k: int, c: int, rho: float, n: int, seed: int) -> np.ndarray:
    """Waits of the FIFO E_k/D/c queue (service 1): W_n = max(0, W_{n−c} + 1 − T_n) with
    T_n the sum of the c inter-arrival times since customer n − c — each of the c
    interleaved subsequences an ordinary Lindley recursion, W = S − min(0, min S) over the
    random walk S of its increments 1 − T."""
    rng = np.random.default_rng(seed)
    lam = rho * c  # per replica, service time 1
    gaps = rng.gamma(k, 1.0 / (k * lam), size=(n, c)).sum(axis=1)  # disjoint blocks of c
    walk = np.cumsum(1.0 - gaps)
    waits = walk - np.minimum(0.0, np.minimum.accumulate(walk))
    return waits[n // 10 :]


def test_m_d_1_closed_form() -> None:
    for rho in (0.1, 0.5, 0.9):
        p, mean, second = erlang_k_deterministic_wait(1, 1, rho)
        assert p == pytest.approx(rho, rel=1e-12)
        assert mean == pytest.approx(rho / (2 * (1 - rho)), rel=1e-12)
        # E[W²] = 2 E[W]² + λ E[S³] / (3(1 − ρ))
        assert second == pytest.approx(2 * mean**2 + rho / (3 * (1 - rho)), rel=1e-12)


def test_regular_arrivals_never_wait() -> None:
    # Erlang-k arrivals tend to D/D/c: P(wait) → 0 below saturation
    p, mean, _ = erlang_k_deterministic_wait(1_000, 2, 0.5)
    assert p < 1e-12 and mean < 1e-12


@pytest.mark.parametrize(
    ("k", "c", "rho"),
    [(3, 2, 0.31), (2, 2, 0.24), (1, 2, 0.7), (3, 2, 0.7), (2, 3, 0.9), (4, 1, 0.5)],
)
def test_matches_the_lag_c_lindley_recursion(k: int, c: int, rho: float) -> None:
    p, mean, second = erlang_k_deterministic_wait(k, c, rho)
    w = lindley_lag_c(k, c, rho, 1_000_000 // c, seed=3)
    # an E_k/M/c model's P(wait) is far off at light load (3.3× at 0.31 over 3 × 2)
    assert float((w > 0).mean()) == pytest.approx(p, rel=0.04)
    assert float(w.mean()) == pytest.approx(mean, rel=0.05)
    assert float((w * w).mean()) == pytest.approx(second, rel=0.08)


def test_round_robin_over_deterministic_service_uses_it() -> None:
    # 3 replicas × 2 slots of 10 ms at utilisation 0.31: 186 req/s
    q = service_queue(186.0, 0.010, 0.0, 3, 2, "round_robin", None)
    p, mean, _ = erlang_k_deterministic_wait(3, 2, 0.31)
    assert q.p_wait == pytest.approx(p) and q.wq == pytest.approx(mean * 0.010)
    assert q.model == "GI/D/2 (exact E_k/D/c wait; Erlang-3 arrivals, round robin)"
    exponential = erlang_k_wait_probability(3, 2, 0.31, erlang_k_root(3, 2, 0.31))
    assert exponential > 3 * p  # the P(wait) the Allen–Cunneen path kept


def capped_fifo(k: int, c: int, rho: float, limit: int, n: int, seed: int) -> tuple[float, np.ndarray]:
    """The FIFO E_k/D/c queue (service 1) with ``limit`` waiting places, simulated
    directly: the share of arrivals rejected and the admitted ones' waits."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.gamma(k, 1.0 / (k * rho * c), n)).tolist()
    inside: deque[float] = deque()  # departure times, in order (deterministic FIFO)
    waits, rejected = [], 0
    for t in arrivals:
        while inside and inside[0] <= t:
            inside.popleft()
        if len(inside) >= c + limit:
            rejected += 1
            continue
        start = t if len(inside) < c else max(t, inside[len(inside) - c])
        waits.append(start - t)
        inside.append(start + 1.0)
    return rejected / n, np.asarray(waits)


@pytest.mark.parametrize(
    ("k", "c", "rho", "limit"),
    [(1, 2, 0.8, 4), (1, 1, 0.9, 3), (3, 2, 0.8, 4), (2, 2, 0.9, 3), (1, 2, 0.95, 6), (1, 3, 0.7, 2)],
)
def test_capped_deterministic_queue_matches_a_direct_simulation(
    k: int, c: int, rho: float, limit: int
) -> None:
    # Tijms' relation is exact for M/D/1/K; for c > 1 and Erlang arrivals an approximation
    sol = deterministic_capped_queue(rho * c * k, 1.0, k, c, limit)
    assert sol is not None
    rejected, w = capped_fifo(k, c, rho, limit, 300_000, seed=5)
    assert sol.p_reject == pytest.approx(rejected, rel=0.12, abs=5e-4)
    assert sol.wait.mean() == pytest.approx(float(w.mean()), rel=0.05)
    assert sol.wait.quantile(0.99) == pytest.approx(float(np.quantile(w, 0.99)), rel=0.06)
    # bounded: an admitted request waits at most ⌈limit / c⌉ service times (within the scale)
    assert sol.wait.survival(1.02 * sol.wait.scale * -(-limit // c)) < 1e-9


def test_capped_exponential_queue_is_unchanged() -> None:
    q = service_queue(160.0, 0.010, 1.0, 1, 2, "round_robin", 4)
    assert q.model == "M/M/2 (one replica; queue limit 4)"
    rho, big_k = 0.8, 6  # M/M/2/6: p_K = p_0 (2ρ)²/2 · ρ^(K−2)
    terms = [1.0, 2 * rho] + [2 * rho**2 * rho ** (j - 2) for j in range(2, big_k + 1)]
    assert q.p_reject == pytest.approx(terms[-1] / sum(terms), rel=1e-9)


def test_a_capped_deterministic_queue_near_saturation_keeps_the_exponential_chain() -> None:
    # ρ 0.9995 (the chain would need ~10⁵ levels), and overload: the E_k/M/c chain
    for lam in (199.9, 300.0):
        q = service_queue(lam, 0.010, 0.0, 1, 2, "round_robin", 4)
        assert q.model == "M/G/2 (one replica; Allen–Cunneen; queue limit 4)"
        assert q.stable and 0.0 < q.p_reject < 1.0
    assert deterministic_capped_queue(199.9, 0.010, 1, 2, 4) is None
