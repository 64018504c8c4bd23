"""Cost per service, per context, per month, and at the cheapest replica counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.analysis.capacity import capacity
from meshwright.analysis.cost import GIB, REDUNDANCY_SLO, Prices, cost
from meshwright.check.operations.MW601 import SingleReplicaHighSlo
from meshwright.model import load_model, load_text

SMALL = Path(__file__).with_name("small.yaml")
PRICES = Prices(cpu_per_core_hour=0.04, memory_per_gib_hour=0.01, hours_per_month=730)


def test_declared_and_autoscaled_replicas_times_requests_times_prices() -> None:
    result = cost(load_model(SMALL).model, PRICES)
    per_replica = (0.5 * 0.04 + 0.5 * 0.01) * 730  # 500m, 512Mi
    frontend, checkout = result.services["frontend"], result.services["checkout"]
    assert frontend.replicas == 2 and frontend.replicas_basis == "declared"
    assert frontend.monthly == pytest.approx(2 * per_replica)
    assert checkout.replicas == pytest.approx(7.5)  # autoscale 3..12
    assert checkout.monthly == pytest.approx(7.5 * per_replica)
    assert checkout.memory == 512 * 1024**2 == GIB // 2
    assert result.services["payment"].missing == ["cpu", "memory"]
    assert result.contexts["ordering"] == pytest.approx(9.5 * per_replica)
    assert result.total_monthly == pytest.approx(9.5 * per_replica)


def test_cheapest_counts_still_meet_the_slos() -> None:
    result = cost(load_model(SMALL).model, PRICES)
    checkout = result.services["checkout"]
    # 50 req/s × 80 ms needs 4 of 32 slots (1 replica), but 50 req/s × 20 ms own work is
    # 1 busy core: 500m × 70 % per replica → ⌈1 / 0.35⌉ = 3
    assert checkout.cheapest_replicas == 3 and checkout.cheapest_basis == "cpu"
    frontend = result.services["frontend"]  # SLO 99.9 %: 2 for redundancy
    assert frontend.cheapest_replicas == 2 and frontend.cheapest_basis == "redundancy"
    assert checkout.cheapest_monthly is not None and checkout.cheapest_monthly < checkout.monthly
    assert result.cheapest_total_monthly is not None
    assert result.cheapest_total_monthly <= result.total_monthly


ONE = """
meshwright: 1
system: t
services:
  api:
    runtime: {replicas: 4, concurrency: %(conc)d %(cpu)s}
    apis: [{name: A, port: 80, operations: {
      Get: {service_time: {mean: 5ms, distribution: deterministic}},
      Put: {service_time: {mean: 25ms, distribution: deterministic}}}}]
    %(slo)s
entrypoints:
  - {operation: api.Get, rate: 600/s}
  - {operation: api.Put, rate: 40/s}
"""


def _cheapest(conc: int = 64, cpu: str = "", slo: str = "") -> tuple[int | None, str]:
    model = load_text(ONE % {"conc": conc, "cpu": cpu, "slo": slo}, "one.yaml").model
    svc = cost(model).services["api"]
    return svc.cheapest_replicas, svc.cheapest_basis


def test_cheapest_is_the_largest_of_latency_redundancy_and_cpu() -> None:
    # own work: 600 × 5 ms + 40 × 25 ms = 4 busy cores
    assert _cheapest() == (1, "latency")  # no cpu request, no SLO: queueing only
    assert _cheapest(cpu=", cpu: 1") == (4, "cpu")  # 4 cores at 100 %
    assert _cheapest(cpu=", cpu: 1, autoscale: {min: 2, max: 8, cpu_target: 50}") == (8, "cpu")
    assert _cheapest(cpu=", cpu: 4") == (1, "latency")
    assert _cheapest(cpu=", cpu: 4", slo="slo: {availability: 99.9}") == (2, "redundancy")
    assert _cheapest(slo="slo: {availability: 99.5}") == (1, "latency")
    assert _cheapest(conc=1, cpu=", cpu: 2", slo="slo: {availability: 99.99}") == (5, "latency")


def test_cpu_demand_uses_the_capacity_arrival_rates() -> None:
    model = load_text(ONE % {"conc": 64, "cpu": ", cpu: 1", "slo": ""}, "one.yaml").model
    assert capacity(model)["api"].cpu_demand == pytest.approx(600 * 0.005 + 40 * 0.025)


def test_mw601_and_the_cheapest_count_share_the_redundancy_threshold() -> None:
    assert SingleReplicaHighSlo.options["replica_slo"] == REDUNDANCY_SLO
