"""Service-time distributions: fitting, quantiles and vectorised sampling.

An operation's ``service_time`` gives a mean and optionally a p99; its ``kind`` is
exponential, lognormal (fitted from mean and p99) or deterministic.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from meshwright.model.types import ServiceTime

Z99 = 2.3263478740408408
"""Standard normal quantile at 0.99."""

_MAX_SIGMA = Z99
"""Largest σ the fit can return: mean and p99 further apart than exp(Z99²/2) ≈ 15× have
no lognormal solution, so the heaviest tail that keeps the mean is used."""


def lognormal_params(mean: float, p99: float) -> tuple[float, float]:
    """(μ, σ) of the lognormal with this mean and p99.

    mean = exp(μ + σ²/2) and p99 = exp(μ + 2.3263σ) give σ²/2 − 2.3263σ + ln(p99/mean) = 0;
    the smaller root is taken (standard moment/quantile matching, e.g. Law, *Simulation
    Modeling and Analysis*, §6.2). When p99/mean > exp(2.3263²/2) ≈ 14.96 there is no
    solution and σ = 2.3263 is used.
    """
    if mean <= 0:
        return (-math.inf, 0.0)
    gap = math.log(max(p99, mean) / mean)
    disc = Z99 * Z99 - 2.0 * gap
    sigma = _MAX_SIGMA if disc <= 0 else Z99 - math.sqrt(disc)
    return (math.log(mean) - sigma * sigma / 2.0, sigma)


def quantile(st: ServiceTime, q: float) -> float:
    """The q-quantile (0 < q < 1) of a service time."""
    kind = st.kind
    if kind == "deterministic" or st.mean == 0:
        return st.mean
    if kind == "exponential":
        return -st.mean * math.log1p(-q)
    mu, sigma = lognormal_params(st.mean, st.p99 if st.p99 is not None else st.mean)
    return math.exp(mu + sigma * NormalDist().inv_cdf(q))


def p99(st: ServiceTime) -> float:
    """The p99 of a service time: the declared one for lognormal, else from the kind."""
    if st.kind == "lognormal" and st.p99 is not None:
        return st.p99
    return quantile(st, 0.99)


def from_standard(
    st: ServiceTime, normal: npt.NDArray[np.floating[Any]], exponential: npt.NDArray[np.floating[Any]]
) -> npt.NDArray[np.floating[Any]]:
    """Service-time draws made from standard draws (same dtype): exponential = mean × E,
    lognormal = exp(μ + σZ), deterministic = mean."""
    kind = st.kind
    if kind == "deterministic" or st.mean == 0:
        return np.full_like(normal, st.mean)
    if kind == "exponential":
        return exponential * st.mean
    mu, sigma = lognormal_params(st.mean, st.p99 if st.p99 is not None else st.mean)
    out = normal * sigma
    out += mu
    result: npt.NDArray[np.floating[Any]] = np.exp(out, out=out)
    return result


def sample(st: ServiceTime, rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    """``n`` independent draws of a service time (seconds)."""
    return from_standard(st, rng.standard_normal(n), rng.standard_exponential(n)).astype(np.float64)
