"""Cost per service, per context, per month, and at the cheapest replica counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.analysis.cost import GIB, Prices, cost
from meshwright.model import load_model

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
    assert checkout.cheapest_replicas == 1  # 50 req/s × 80 ms needs 4 of 32 slots
    assert checkout.cheapest_monthly is not None and checkout.cheapest_monthly < checkout.monthly
    assert result.cheapest_total_monthly is not None
    assert result.cheapest_total_monthly <= result.total_monthly
