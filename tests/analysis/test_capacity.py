"""Arrival rates through the graph and the queue of every service."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.analysis.capacity import arrival_rates, capacity, erlang_c
from meshwright.analysis.queueing import RECURSION_SERVERS, erlang_b, service_queue
from meshwright.model import load_model, load_text

SMALL = Path(__file__).with_name("small.yaml")

QUEUE = """
meshwright: 1
system: t
services:
  gw:
    runtime: {replicas: 1, concurrency: 100}
    apis: [{name: G, port: 80, operations: {In: {service_time: {mean: 0s, distribution: deterministic}}}}]
    calls: [{to: work.Do, per_request: 1.8}]
  work:
    runtime: {replicas: %d, concurrency: 1%s}
    apis: [{name: W, port: 80, operations: {Do: {service_time: {mean: 1s}}}}]
    slo: {latency: {p99: 2s}}
entrypoints: [{operation: gw.In, rate: 2/s}]
"""


def test_arrival_rates_follow_per_request_and_retries() -> None:
    model = load_model(SMALL).model
    rates = arrival_rates(model)
    assert rates["frontend"] == pytest.approx(50)
    assert rates["payment"] == pytest.approx(50)
    with_failures = arrival_rates(model, failure_rate=0.1)
    assert with_failures["checkout"] == pytest.approx(50 * 1.1)  # 2 attempts: 1 + p
    assert with_failures["payment"] == pytest.approx(50 * 1.1 * (1 + 0.1 + 0.01))


def test_round_robin_replicas_are_gi_m_1_queues_with_erlang_arrivals() -> None:
    """4 replicas × 1 slot, round robin of 3.6/s: each replica is E_4/M/1 (σ = 0.84334)."""
    work = capacity(load_text(QUEUE % (4, "")).model)["work"]
    assert work.arrival_rate == pytest.approx(3.6)
    assert work.servers == 4
    # every request comes from one of gw's 100 slots: the queue is truncated there
    assert work.queue_model == "GI/M/1 (Erlang-4 arrivals, round robin; ≤ 100 in flight from callers)"
    assert work.queue.p_wait == pytest.approx(0.84334, abs=1e-5)
    assert work.queue.wq == pytest.approx(5.38305, abs=1e-4)
    assert not work.overloaded
    # 1 s of room for waiting (2 s SLO − 1 s holding): p99 wait must fit
    assert work.wait_budget == pytest.approx(1.0)
    n = work.replicas_needed
    assert n is not None and n > 4

    def p99(replicas: int) -> float:
        return service_queue(3.6, 1.0, 1.0, replicas, 1, "round_robin", None).wq_p99

    assert p99(n) <= 1.0 < p99(n - 1)


def test_least_requests_is_join_the_shortest_queue() -> None:
    work = capacity(load_text(QUEUE % (4, ", load_balancing: least_requests")).model)["work"]
    assert work.queue_model == (
        "M/M/1 × 4 (least requests: join the shortest queue; ≤ 100 in flight from callers)")
    # the pool waits with Erlang C's probability (0.7878), then for a geometric number of
    # completions of its replica (ratio ρ⁴ = 0.6561): 0.7878 / (1 − 0.6561) = 2.291 s,
    # truncated at 100 requests in the service (the pool's M/M/4 waits 1.9694 s)
    assert work.queue.p_wait == pytest.approx(0.7878, abs=1e-3)
    assert work.queue.wq == pytest.approx(0.7878 / (1 - 0.9**4), abs=2e-3)
    n = work.replicas_needed
    assert n is not None

    def p99(replicas: int) -> float:
        return service_queue(3.6, 1.0, 1.0, replicas, 1, "least_requests", None).wq_p99

    assert p99(n) <= 1.0 < p99(n - 1)


def test_too_few_replicas_is_certain_overload() -> None:
    work = capacity(load_text(QUEUE % (3, "")).model)["work"]
    assert work.overloaded
    assert work.queue.utilisation == pytest.approx(1.2)


def test_small_model_capacity_uses_replicas_times_concurrency() -> None:
    caps = capacity(load_model(SMALL).model)
    assert caps["checkout"].servers == 3 * 32
    # own 5 ms + checkout's 20 ms + 50 ms payment + the fan-out's E[max(10 ms, …)] > its
    # largest mean, plus every callee's queueing
    assert 0.005 + 0.080 < caps["frontend"].holding_time < 0.005 + 0.080 + 0.010
    assert all(not c.overloaded for c in caps.values())


def test_erlang_b_closed_form_agrees_with_the_recursion() -> None:
    """Above RECURSION_SERVERS Erlang B is the Poisson ratio; both forms agree."""
    def recursion(a: float, c: int) -> float:
        b = 1.0
        for k in range(1, c + 1):
            b = a * b / (k + a * b)
        return b

    c = RECURSION_SERVERS + 1
    for offered in (0.5 * c, 0.9 * c, 0.995 * c):
        assert erlang_b(offered, c) == pytest.approx(recursion(offered, c), rel=1e-9)


def test_astronomical_rates_finish_and_need_no_finite_replicas() -> None:
    """per_request 1e4 (the bound) twice over at 1e7/s: 1e15 req/s must not hang the
    replica search."""
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Do: {}}}]
    calls: [{to: b.Do, per_request: 10000}]
  b:
    apis: [{name: B, port: 80, operations: {Do: {}}}]
    calls: [{to: c.Do, per_request: 10000}]
  c:
    apis: [{name: C, port: 80, operations: {Do: {}}}]
entrypoints: [{operation: a.Do, rate: 10000000/s}]
"""
    caps = capacity(load_text(text).model)
    assert caps["c"].arrival_rate == pytest.approx(1e15)
    assert caps["c"].overloaded and caps["c"].replicas_needed is None
    many = erlang_c(1e9, 1.0, 2_000_000_000)  # two billion servers, answered in O(1)
    assert many.stable and many.p_wait == pytest.approx(0.0, abs=1e-12)
