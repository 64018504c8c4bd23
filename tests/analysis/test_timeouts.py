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


CYCLE_SERVICES = {
    "a": """
  a:
    apis: [{name: A, port: 80, operations: {Op: {service_time: {mean: 10ms, p99: 40ms}}}}]
    calls: [{to: b.Op, timeout: 300ms}, {to: c.Op, timeout: 100ms}]
""",
    "b": """
  b:
    apis: [{name: B, port: 80, operations: {Op: {service_time: {mean: 15ms, p99: 60ms}}}}]
    calls: [{to: a.Op, timeout: 200ms, retries: {attempts: 2, per_try_timeout: 90ms}}]
""",
    "c": """
  c:
    apis: [{name: C, port: 80, operations: {Op: {service_time: {mean: 5ms, p99: 20ms}}}}]
""",
}


def cycle_model(order: str):  # type: ignore[no-untyped-def]
    text = "meshwright: 1\nsystem: t\nservices:" + "".join(CYCLE_SERVICES[s] for s in order)
    return load_text(text + "entrypoints: [{operation: a.Op, rate: 10/s}]\n", "cycle.yaml").model


def test_a_call_inside_a_cycle_counts_the_callees_exit_time() -> None:
    budgets = {(b.edge.caller, b.edge.callee): b for b in call_budgets(cycle_model("abc"))}
    # a → b: b's own p99 only (its one call goes back into the cycle)
    assert budgets["a.Op", "b.Op"].callee_worst_case == pytest.approx(0.060)
    # b → a: a's own p99 + its call to c, which leaves the cycle (c's p99)
    assert budgets["b.Op", "a.Op"].callee_worst_case == pytest.approx(0.040 + 0.020)
    # a itself: 40 + (a → b, one try of 60) + (a → c, 20); b: 60 + 2 tries of 60
    assert worst_case_time(cycle_model("abc"), "a.Op") == pytest.approx(0.120)
    assert worst_case_time(cycle_model("abc"), "b.Op") == pytest.approx(0.180)


@pytest.mark.parametrize("order", ["bac", "cba", "acb"])
def test_reordering_services_gives_the_same_budgets(order: str) -> None:
    def numbers(model) -> dict[tuple[str, str], tuple[float, float | None]]:  # type: ignore[no-untyped-def]
        return {(b.edge.caller, b.edge.callee): (b.callee_worst_case, b.slack) for b in call_budgets(model)}

    assert numbers(cycle_model(order)) == numbers(cycle_model("abc"))
    for op in ("a.Op", "b.Op", "c.Op"):
        assert worst_case_time(cycle_model(order), op) == worst_case_time(cycle_model("abc"), op)
