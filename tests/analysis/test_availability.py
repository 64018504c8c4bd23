"""Composed availability on small models, against hand-computed products."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from meshwright.analysis.availability import composed_availability
from meshwright.analysis.latency import try_samples
from meshwright.model import load_model, load_text

SMALL = Path(__file__).with_name("small.yaml")


def retry_availability(a: float, attempts: int) -> float:
    """The closed form for independent fail-fast tries: 1 − (1 − a)^attempts."""
    return 1.0 - (1.0 - a) ** attempts


def test_every_operation_is_composed_over_its_synchronous_tree() -> None:
    result = composed_availability(load_model(SMALL).model)
    assert set(result) == {
        "frontend.PlaceOrder", "checkout.PlaceOrder", "payment.Charge",
        "inventory.Reserve", "shipping.Quote",
    }
    checkout = 0.9995 * retry_availability(0.999, 3) * 0.999 * 0.995
    assert result["shipping.Quote"].composed == pytest.approx(0.995)
    assert result["checkout.PlaceOrder"].composed == pytest.approx(checkout)
    # frontend's tries of checkout also time out when checkout takes over 450 ms
    x = try_samples(load_model(SMALL).model, ["checkout.PlaceOrder"])["checkout.PlaceOrder"]
    slow = float((x > 0.45).mean())
    assert 0 < slow < 0.01
    one_try = (1 - slow) * checkout
    assert result["frontend.PlaceOrder"].composed == pytest.approx(
        0.9999 * retry_availability(one_try, 2), rel=1e-7
    )


def test_slo_comparison_budget_and_costliest_dependency() -> None:
    checkout = composed_availability(load_model(SMALL).model)["checkout.PlaceOrder"]
    assert checkout.slo == pytest.approx(0.999)
    assert checkout.meets_slo is False
    assert checkout.error_budget_minutes == pytest.approx(43.2)
    assert checkout.downtime_minutes > 43.2
    assert checkout.costliest_dependency == "shipping.Quote"
    assert checkout.costliest_loss == pytest.approx(0.005)
    assert composed_availability(load_model(SMALL).model)["payment.Charge"].slo is None


MODEL = """
meshwright: 1
system: t
services:
  a:
    availability: 99.9
    apis: [{name: A, port: 80, operations: {Get: {}}}]
    calls:
      - {to: b.Get, per_request: 2}
      - {to: c.Get, fallback: cache}
      - {to: d.Get, fallback: e.Get}
  b:
    availability: 99
    apis: [{name: B, port: 80, operations: {Get: {}}}]
  c:
    availability: 90
    apis: [{name: C, port: 80, operations: {Get: {}}}]
  d:
    availability: 90
    apis: [{name: D, port: 80, operations: {Get: {}}}]
  e:
    availability: 80
    apis: [{name: E, port: 80, operations: {Get: {}}}]
"""


def test_per_request_multiplicity_and_fallbacks() -> None:
    a = composed_availability(load_text(MODEL).model)["a.Get"]
    # b twice in series; c behind a cache fallback costs nothing; d or e
    assert a.composed == pytest.approx(0.999 * 0.99**2 * 1.0 * (1 - 0.1 * 0.2))
    assert a.costliest_dependency == "d.Get"


def test_async_edges_are_excluded() -> None:
    text = """
    meshwright: 1
    system: t
    topics: {ev: {}}
    services:
      a:
        availability: 99.9
        publishes: [ev]
        apis: [{name: A, port: 80, operations: {Get: {}}}]
      b:
        availability: 50
        consumes: [ev]
        apis: [{name: B, port: 80, operations: {Handle: {}}}]
    """
    a = composed_availability(load_text(textwrap.dedent(text)).model)["a.Get"]
    assert a.composed == pytest.approx(0.999)
    assert a.costliest_dependency is None


def test_cycles_are_cut_not_looped() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    availability: 99
    apis: [{name: A, port: 80, operations: {Get: {}}}]
    calls: [{to: b.Get}]
  b:
    availability: 98
    apis: [{name: B, port: 80, operations: {Get: {}}}]
    calls: [{to: a.Get}]
"""
    result = composed_availability(load_text(text).model)
    # a → b → (a cut: intrinsic 0.99)
    assert result["a.Get"].composed == pytest.approx(0.99 * 0.98 * 0.99)


@pytest.mark.parametrize(("path", "shared"), [
    (Path(__file__).parents[2] / "examples" / "shop", True),  # no queue makes a try wait
    (SMALL, False),  # queue waits: the samples with queues differ
])
def test_the_composition_with_queues_reuses_the_one_without_only_when_identical(
    path: Path, shared: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meshwright.analysis import availability

    model = load_model(path).model
    assert availability._same_try_samples(model) is shared
    reused = composed_availability(model)
    monkeypatch.setattr(availability, "_same_try_samples", lambda _model: False)
    computed = composed_availability(load_model(path).model)  # a new model: nothing memoised
    assert reused == computed
