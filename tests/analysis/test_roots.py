"""The SciPy-free numerics of ``analysis.roots`` compute SciPy's numbers bit for bit, so the
analysis' output does not change with the start-up it saves."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq as scipy_brentq
from scipy.special import gammaln as scipy_gammaln

from meshwright.analysis.roots import RootError, brentq, gammaln


def test_gammaln_equals_scipy_on_whole_numbers_and_reals() -> None:
    whole = np.arange(1.0, 200_001.0)
    rng = np.random.default_rng(3)
    real = np.concatenate([rng.uniform(1e-3, 20.0, 20_000), np.exp(rng.uniform(-5.0, 30.0, 20_000))])
    for x in (whole, real):
        assert np.array_equal(gammaln(x), scipy_gammaln(x))
    assert float(gammaln(7.0)) == float(scipy_gammaln(7.0)) == pytest.approx(math.log(720.0))


def test_gammaln_outside_its_domain_defers_to_scipy() -> None:
    x = np.array([-2.5, 0.0, math.inf])
    assert np.array_equal(gammaln(x), scipy_gammaln(x))


def test_brentq_equals_scipy_on_the_queueing_roots() -> None:
    rng = np.random.default_rng(5)
    for _ in range(500):
        k, rho, c0 = int(rng.integers(1, 12)), float(rng.uniform(0.01, 0.99)), float(rng.uniform(-3, 3))

        def root(s: float, k: int = k, rho: float = rho) -> float:
            return s - (k / (k + (1.0 - s) / rho)) ** k  # erlang_k_root's equation

        def wiggle(t: float, c0: float = c0) -> float:
            return math.tanh(t - c0) + 0.03 * math.sin(5.0 * t)

        def tail(t: float, k: int = k, rho: float = rho) -> float:
            return math.exp(-t * k) - 0.01 * rho

        cases = [(root, 0.0, 1.0 - rho * (1.0 - rho) / 2, 1e-15, 1e-15),
                 (wiggle, -10.0, 10.0, 1e-12, 4 * np.finfo(float).eps),
                 (tail, 0.0, 50.0, 1e-12, 4 * np.finfo(float).eps)]
        for f, a, b, xtol, rtol in cases:
            assert brentq(f, a, b, xtol=xtol, rtol=rtol) == scipy_brentq(f, a, b, xtol=xtol, rtol=rtol)


def test_brentq_rejects_a_bracket_without_a_sign_change() -> None:
    with pytest.raises(RootError, match="different signs"):
        brentq(lambda x: x * x + 1.0, -1.0, 1.0)
