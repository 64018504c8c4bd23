"""Latency: mean critical path, seeded Monte Carlo quantiles, truncation by timeouts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from meshwright.analysis.callgraph import call_dag
from meshwright.analysis.latency import critical_path_time, latency_distribution
from meshwright.model import load_model, load_text

SMALL = Path(__file__).with_name("small.yaml")

FIXED = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 10ms, distribution: deterministic}}}}]
    calls:
      - {to: b.Get, per_request: 2}
      - {to: c.Get, parallel: g}
      - {to: d.Get, parallel: g}
%s
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 5ms, distribution: deterministic}}}}]
  c:
    apis: [{name: C, port: 80, operations: {Get: {service_time: {mean: 30ms, distribution: deterministic}}}}]
  d:
    apis: [{name: D, port: 80, operations: {Get: {service_time: {mean: 20ms, distribution: deterministic}}}}]
  e:
    apis: [{name: E, port: 80, operations: {Get: {service_time: {mean: 2s, distribution: deterministic}}}}]
"""


def test_critical_path_sums_sequence_maxes_parallel_and_multiplies_per_request() -> None:
    model = load_text(FIXED % "").model
    assert critical_path_time(model, "a.Get") == pytest.approx(0.010 + 2 * 0.005 + max(0.030, 0.020))


def test_deterministic_tree_has_a_point_distribution() -> None:
    r = latency_distribution(load_text(FIXED % "").model, "a.Get", samples=1000, seed=1)
    for q in (r.p50, r.p95, r.p99, r.mean):
        assert q == pytest.approx(0.050)


def test_timeout_truncates_a_slow_call() -> None:
    model = load_text(FIXED % "      - {to: e.Get, timeout: 500ms}").model
    assert latency_distribution(model, "a.Get", samples=500).p99 == pytest.approx(0.050 + 0.5)


def test_per_try_timeouts_retry_until_attempts_run_out() -> None:
    call = "      - {to: e.Get, timeout: 5s, retries: {attempts: 3, per_try_timeout: 300ms}}"
    model = load_text(FIXED % call).model
    assert latency_distribution(model, "a.Get", samples=500).p50 == pytest.approx(0.050 + 3 * 0.3)


def test_exponential_quantiles_match_closed_form() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 100ms, distribution: exponential}}}}]
"""
    r = latency_distribution(load_text(text).model, "a.Get", samples=200_000, seed=3)
    assert r.p50 == pytest.approx(0.1 * math.log(2), rel=0.02)
    assert r.p99 == pytest.approx(0.1 * math.log(100), rel=0.03)
    assert r.mean == pytest.approx(0.1, rel=0.02)


def test_sum_of_two_independent_calls_has_the_right_spread() -> None:
    # b called twice per request: the two draws must be independent (variance adds)
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 0s, distribution: deterministic}}}}]
    calls: [{to: b.Get, per_request: 2}]
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 100ms, distribution: exponential}}}}]
"""
    r = latency_distribution(load_text(text).model, "a.Get", samples=100_000, seed=5)
    # Erlang(2, 10/s): median solves 1 − e^{−x}(1 + x) = 1/2 at x = 1.6783
    assert r.p50 == pytest.approx(0.16783, rel=0.03)


def test_same_seed_same_numbers_and_slo_on_small_model() -> None:
    model = load_model(SMALL).model
    r1 = latency_distribution(model, "frontend.PlaceOrder", samples=5000, seed=7)
    r2 = latency_distribution(model, "frontend.PlaceOrder", samples=5000, seed=7)
    assert r1 == r2
    assert r1.p50 <= r1.p95 <= r1.p99
    assert r1.slo_p99 == pytest.approx(0.8) and r1.meets_slo
    assert r1.fan_out == pytest.approx(4.0)  # checkout + payment + inventory + shipping


def test_every_declared_latency_objective_is_compared() -> None:
    model = load_text(FIXED % "    slo: {latency: {p50: 40ms, p99: 1s}}").model
    r = latency_distribution(model, "a.Get", samples=500)
    assert r.slo_p50 == pytest.approx(0.040) and r.slo_p99 == pytest.approx(1.0)
    assert r.meets_slo is False  # p50 is 50 ms


def test_operation_samples_are_stored_once_and_shifted_like_the_pools() -> None:
    """Memory at 10,000 services: each operation's sample is kept once (n values, not the
    pools' x ‖ x), and a call site's cyclic shift of it equals the view of a doubled copy."""
    import numpy as np

    from meshwright.analysis import latency

    shop = Path(__file__).resolve().parents[2] / "examples" / "shop"
    model = load_model(shop).model
    sampler = latency._Sampler(model, 1000, 0, waits={})
    ops = [f"{s}.{o}" for s, svc in model.services.items() for _, o, _ in svc.operations()]
    sampler.run(ops)
    assert sampler.samples and all(len(x) == 1000 for x in sampler.samples.values())
    x = next(iter(sampler.samples.values()))
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    assert np.array_equal(latency._shifted(x, a), latency._draw(np.concatenate([x, x]), b))


@pytest.mark.parametrize("example", ["shop", "online-boutique"])
def test_samplers_sharing_a_store_compute_what_each_computes_alone(example: str) -> None:
    """Samples are shared between the no-queue, failure-rate-0 and analysis-rate samplers
    by key (``_Sampler._key``): each sampler's samples equal those of the same sampler
    run alone on a fresh copy of the model, bit for bit."""
    import numpy as np

    from meshwright.analysis.capacity import capacity
    from meshwright.analysis.latency import _Sampler, try_samples

    root = Path(__file__).resolve().parents[2] / "examples" / example
    shared = load_model(root).model
    ops = list(call_dag(shared).declared)
    try_samples(shared, ops, 2_000, queues=False)
    try_samples(shared, ops, 2_000)
    waits = {s: c.queue.wait for s, c in capacity(shared, failure_rate=0.01).items()}
    together = _Sampler(shared, 2_000, 0, waits)
    stored = len(together.store.arrays)
    together.run(ops)
    computed = len(together.store.arrays) - stored
    assert computed < len(ops)  # some (in shop: all) samples come from the earlier samplers

    alone_model = load_model(root).model
    alone_waits = {s: c.queue.wait for s, c in capacity(alone_model, failure_rate=0.01).items()}
    alone = _Sampler(alone_model, 2_000, 0, alone_waits)
    alone.run(ops)
    for op in ops:
        assert np.array_equal(together.samples[op], alone.samples[op]), op
