"""The exact E_k/D/c wait (``queueing.erlang_k_deterministic_wait``): closed forms (M/D/1,
D/D/c) and the lag-c Lindley recursion it solves, simulated directly with fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest

from meshwright.analysis.queueing import (
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
