"""Timeout budgets: worst-case times, retry schedules, slack and deficits."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from meshwright.analysis.timeouts import call_budgets, worst_case_time
from meshwright.model import load_model, load_text

SMALL = Path(__file__).with_name("small.yaml")


def _budget(model_path: Path, caller: str, callee: str):  # type: ignore[no-untyped-def]
    budgets = call_budgets(load_model(model_path).model)
    return next(b for b in budgets if b.edge.caller == caller and b.edge.callee == callee)


def test_retry_schedule_longer_than_timeout_is_a_deficit() -> None:
    b = _budget(SMALL, "checkout.PlaceOrder", "payment.Charge")
    # 3 tries × 250 ms + backoffs 25 ms + 50 ms
    assert b.own_retry_time == pytest.approx(0.825)
    assert b.needs == pytest.approx(0.825)
    assert b.timeout == pytest.approx(0.8)
    assert b.slack == pytest.approx(-0.025)
    assert b.deficit
    assert b.callee_worst_case == pytest.approx(0.2)  # payment's declared p99
    assert b.per_try_slack == pytest.approx(0.05)


def test_worst_case_time_includes_downstream_budgets() -> None:
    model = load_model(SMALL).model
    payment_call = min(3 * 0.2 + 0.075, 0.8)  # every try at the callee's worst, capped
    fanout = max(0.01 * math.log(100), 0.008)  # parallel: exponential p99 vs deterministic
    assert worst_case_time(model, "checkout.PlaceOrder") == pytest.approx(0.12 + payment_call + fanout)
    b = _budget(SMALL, "frontend.PlaceOrder", "checkout.PlaceOrder")
    assert b.callee_worst_case == pytest.approx(0.12 + payment_call + fanout)
    assert b.per_try_slack is not None and b.per_try_slack < 0  # 450 ms per try cuts checkout off
    assert b.slack == pytest.approx(1.0 - 2 * 0.45)


def test_no_timeout_means_no_slack_and_mesh_retries_count() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {}}}]
    calls:
      - {to: b.Get}
      - {to: b.Get, timeout: 1s, mesh_retries: {attempts: 3, per_try_timeout: 200ms}}
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 100ms, distribution: deterministic}}}}]
"""
    plain, meshed = call_budgets(load_text(text).model)
    assert plain.slack is None and plain.timeout is None
    assert plain.needs == pytest.approx(0.1)
    assert meshed.mesh_retry_time == pytest.approx(3 * 0.1)
    assert meshed.slack == pytest.approx(1.0 - 0.3)


def test_a_timeout_written_as_exactly_its_needs_is_not_a_deficit() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {}}}]
    calls:
      - to: b.Get
        timeout: 422ms
        retries: {attempts: 2, per_try_timeout: 206ms, backoff: {base: 10ms, max: 50ms}}
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 12ms, p99: 78ms}}}}]
"""
    [b] = call_budgets(load_text(text).model)
    assert b.needs == pytest.approx(0.422)
    assert not b.deficit
