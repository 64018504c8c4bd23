"""Closed-form checks of every formula, each against a value computed by hand or by an
independent method."""

from __future__ import annotations

import math

import pytest
from scipy.special import logsumexp

from meshwright.analysis.availability import budget_minutes, call_availability, fallback_availability
from meshwright.analysis.capacity import erlang_b, erlang_c, expected_tries, replicas_needed
from meshwright.analysis.cost import GIB, Prices
from meshwright.analysis.distributions import Z99, lognormal_params, p99, quantile
from meshwright.analysis.latency import tail_at_scale
from meshwright.analysis.queueing import service_queue
from meshwright.model import ServiceTime
from meshwright.model.types import Call


def test_retry_availability_is_one_minus_joint_failure() -> None:
    def retried(a: float, attempts: int) -> float:
        c = Call.model_validate({"to": "b.Get", "retries": attempts})
        return call_availability(c, a)

    assert retried(0.99, 1) == pytest.approx(0.99)
    assert retried(0.99, 3) == pytest.approx(1 - 0.01**3)
    assert retried(0.9, 2) == pytest.approx(0.99)


def test_fallback_fails_only_when_both_fail() -> None:
    assert fallback_availability(0.9, 0.8) == pytest.approx(1 - 0.1 * 0.2)


def test_error_budget_of_three_nines_is_43_minutes_per_30_days() -> None:
    assert budget_minutes(0.999) == pytest.approx(43.2)


def test_erlang_c_textbook_value() -> None:
    q = erlang_c(3.6, 1.0, 4)
    assert q.utilisation == pytest.approx(0.9)
    assert q.p_wait == pytest.approx(0.7878, abs=1e-4)
    assert q.wq == pytest.approx(1.9694, abs=1e-4)
    # P(W > t) = C e^{-(cμ-λ)t} at the p99 wait equals 1 %
    assert q.p_wait * math.exp(-(4 - 3.6) * q.wq_p99) == pytest.approx(0.01)


def test_erlang_b_small_cases() -> None:
    assert erlang_b(2.0, 1) == pytest.approx(2 / 3)
    assert erlang_b(2.0, 2) == pytest.approx(0.4)


def _erlang_c_log_space(lam: float, mu: float, c: int) -> float:
    """Independent formula: C = (A^c/c! · c/(c−A)) / (Σ_{k<c} A^k/k! + A^c/c! · c/(c−A))."""
    a = lam / mu
    terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    last = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    return math.exp(last - logsumexp([*terms, last]))


@pytest.mark.parametrize(("lam", "c"), [(3.6, 4), (90.0, 100), (1900.0, 2000), (4950.0, 5000)])
def test_erlang_c_is_stable_for_thousands_of_servers(lam: float, c: int) -> None:
    q = erlang_c(lam, 1.0, c)
    assert math.isfinite(q.p_wait) and 0 < q.p_wait < 1
    assert q.p_wait == pytest.approx(_erlang_c_log_space(lam, 1.0, c), rel=1e-9)


def test_overload_is_flagged_with_infinite_wait() -> None:
    q = erlang_c(5.0, 1.0, 4)
    assert not q.stable and q.utilisation == pytest.approx(1.25)
    assert q.p_wait == 1.0 and math.isinf(q.wq)
    assert erlang_c(0.0, 1.0, 4).wq == 0.0


def test_replicas_needed_is_the_smallest_count_that_meets_the_wait_budget() -> None:
    # holding 1 s, 1 slot per replica, 3.6 req/s: 4 replicas are stable but wait 10.9 s at p99
    n = replicas_needed(3.6, 1.0, 1, 0.5)
    assert n is not None

    def p99(replicas: int) -> float:  # least requests over replicas of 1 slot
        return service_queue(3.6, 1.0, 1.0, replicas, 1, "least_requests", None).wq_p99

    assert p99(n) <= 0.5 < p99(n - 1)
    assert replicas_needed(3.6, 1.0, 1, None) == 4
    assert replicas_needed(3.6, 1.0, 1, -0.1) is None


def test_expected_tries_geometric_sum() -> None:
    assert expected_tries(3, 0.0) == 1.0
    assert expected_tries(3, 0.5) == pytest.approx(1 + 0.5 + 0.25)
    assert expected_tries(3, 1.0) == 3.0


def test_tail_at_scale_hundred_fanout() -> None:
    assert tail_at_scale(0.01, 1) == pytest.approx(0.01)
    assert tail_at_scale(0.01, 100) == pytest.approx(0.634, abs=1e-3)


def test_lognormal_fit_recovers_mean_and_p99() -> None:
    mu, sigma = lognormal_params(0.020, 0.120)
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(0.020)
    assert math.exp(mu + Z99 * sigma) == pytest.approx(0.120)
    assert quantile(ServiceTime(mean=0.02, p99=0.12), 0.99) == pytest.approx(0.12)


def test_lognormal_fit_clamps_when_p99_is_too_far_from_the_mean() -> None:
    mu, sigma = lognormal_params(0.001, 1.0)
    assert sigma == pytest.approx(Z99)
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(0.001)


def test_p99_per_distribution_kind() -> None:
    assert p99(ServiceTime(mean=0.01, distribution="exponential")) == pytest.approx(0.01 * math.log(100))
    assert p99(ServiceTime(mean=0.01, distribution="deterministic")) == 0.01
    assert p99(ServiceTime(mean=0.01, p99=0.05)) == 0.05


def test_monthly_price() -> None:
    prices = Prices(cpu_per_core_hour=0.04, memory_per_gib_hour=0.005, hours_per_month=730)
    assert prices.monthly(0.5, 2 * GIB, 3) == pytest.approx(3 * (0.5 * 0.04 + 2 * 0.005) * 730)
