"""The closed-form E_k/M/c solvers of ``analysis.queueing`` (Takács without a queue limit,
the GTH level reduction with one) against the generator-matrix solver they replaced
(tests/analysis/qbd_oracle.py) and against Erlang C, on a grid of (k, c, ρ, limit)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.analysis.qbd_oracle import _erlang_k_generator, _solve, oracle_round_robin_queue

from meshwright.analysis.queueing import (
    erlang_c,
    erlang_k_bounded_arrivals,
    erlang_k_root,
    erlang_k_wait_probability,
    round_robin_queue,
)

RELATIVE = 1e-9
FLOOR = 1e-14
"""The oracle's linear solves are accurate to ~1e-16 of the largest probability, so tiny
probabilities are compared absolutely."""


def close(x: float, y: float) -> bool:
    return abs(x - y) <= RELATIVE * max(abs(x), abs(y)) + FLOOR


@pytest.mark.parametrize("k", [2, 3, 5, 8, 20])
@pytest.mark.parametrize("c", [1, 2, 4, 7, 16, 32, 64])
def test_unbounded_matches_the_generator_solver(k: int, c: int) -> None:
    for rho in (0.05, 0.3, 0.7, 0.9, 0.99):
        new = round_robin_queue(k * c * rho, 2.0, k, c, None).wait
        old = oracle_round_robin_queue(k * c * rho, 2.0, k, c, None).wait
        assert close(new.p_wait, old.p_wait), (k, c, rho, new.p_wait, old.p_wait)
        if old.p_wait > 0.0:
            assert new.rate == pytest.approx(old.rate, rel=RELATIVE)


@pytest.mark.parametrize(("c", "rho"), [(1, 0.5), (4, 0.3), (16, 0.9), (64, 0.99), (64, 0.01), (32, 0.05)])
def test_takacs_with_poisson_arrivals_is_erlang_c(c: int, rho: float) -> None:
    sigma = erlang_k_root(1, c, rho)
    assert sigma == pytest.approx(rho, rel=1e-12)
    assert erlang_k_wait_probability(1, c, rho, sigma) == pytest.approx(
        erlang_c(c * rho, 1.0, c).p_wait, rel=1e-12)


def oracle_arrivals(k: int, c: int, rho: float, limit: int) -> np.ndarray:
    levels = c + limit + 1
    gen = _erlang_k_generator(k, c, 1.0, k * c * rho, levels, bounded=True)
    pi = _solve(gen.matrix(), np.ones(levels * k))
    found = np.clip(k * pi[k - 1 :: k], 0.0, None)
    return found / found.sum()


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 20])
@pytest.mark.parametrize("c", [1, 2, 4, 7, 16, 32])
def test_bounded_matches_the_generator_solver(k: int, c: int) -> None:
    for rho, limit in itertools.product((0.05, 0.3, 0.7, 0.95, 1.0, 1.3, 3.0), (0, 1, 3, 10, 40)):
        old = oracle_arrivals(k, c, rho, limit)
        new = np.array(erlang_k_bounded_arrivals(k, c, rho, limit))
        assert new.shape == old.shape
        bad = np.abs(new - old) > RELATIVE * np.maximum(new, old) + FLOOR
        assert not bad.any(), (k, c, rho, limit, np.flatnonzero(bad))
        sol_new = round_robin_queue(k * c * rho, 1.0, k, c, limit)
        sol_old = oracle_round_robin_queue(k * c * rho, 1.0, k, c, limit)
        assert close(sol_new.p_reject, sol_old.p_reject)
        assert close(sol_new.wait.p_wait, sol_old.wait.p_wait)
        assert close(sol_new.wait.mean(), sol_old.wait.mean())


def test_long_bounded_queues_are_solved_in_linear_work() -> None:
    """A heavily loaded replica with 5,000 places (the generator had 100,000 states)."""
    found = erlang_k_bounded_arrivals(20, 32, 1.02, 5_000)
    assert len(found) == 32 + 5_001
    assert sum(found) == pytest.approx(1.0, rel=1e-12)
    assert found[-1] > found[32]  # overloaded: the mass sits at the limit
