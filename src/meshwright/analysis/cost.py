"""Cost: resource requests × replicas × prices, per service, per context, per month.

Monthly cost of a service = replicas × (cpu cores × CPU price + memory GiB × memory price)
× hours per month. Replicas are the declared count, or under autoscaling the average of
``min`` and ``max`` (a planning estimate: the real count follows the load). Requests that
are not declared cost nothing and are listed in ``missing``.

The *cheapest* replica count is the capacity analysis' recommended count (see
``capacity.recommended_replicas``): the fewest replicas that satisfy latency (queueing),
redundancy (the availability SLO) and CPU — the capacity and cost tables give one answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshwright.analysis.capacity import (
    REDUNDANCY_SLO,
    REDUNDANT_REPLICAS,
    Basis,
    ServiceCapacity,
    capacity,
    redundancy_floor,
)
from meshwright.analysis.prices import GIB, Prices
from meshwright.model.types import Model, Service

__all__ = [
    "GIB", "REDUNDANCY_SLO", "REDUNDANT_REPLICAS", "Basis", "CostResult", "Prices", "ServiceCost",
    "cheapest_replicas", "cost", "planned_replicas", "redundancy_floor",
]


@dataclass(frozen=True)
class ServiceCost:
    """Monthly cost of one service."""

    service: str
    context: str | None
    replicas: float
    replicas_basis: str
    """"declared" or "autoscale average" (mean of min and max)."""
    cpu: float
    memory: int
    monthly: float
    cheapest_replicas: int | None
    """Fewest replicas meeting latency, redundancy and CPU constraints, at least 1 (None: no
    count meets the latency SLO); see :func:`cheapest_replicas`."""
    cheapest_monthly: float | None
    cheapest_basis: Basis = "latency"
    """The constraint that sets the cheapest count (on a tie the first of latency,
    redundancy, cpu)."""
    missing: list[str] = field(default_factory=list)
    """Requests not declared (cpu, memory): their cost is unknown and counted as 0."""


@dataclass(frozen=True)
class CostResult:
    """Cost of the whole system per month."""

    prices: Prices
    services: dict[str, ServiceCost]
    contexts: dict[str, float]
    """Monthly cost per context ("(none)" for services without one)."""
    total_monthly: float
    cheapest_total_monthly: float | None
    """Total at the cheapest replica counts (None if some service cannot meet its SLO)."""


def planned_replicas(svc: Service) -> tuple[float, str]:
    """Replicas to pay for: declared, or the autoscaling average (min + max) / 2."""
    scale = svc.runtime.autoscale
    if scale is not None:
        return ((scale.min + scale.max) / 2.0, "autoscale average")
    return (float(svc.runtime.replicas), "declared")


def cheapest_replicas(svc: Service, cap: ServiceCapacity) -> tuple[int | None, Basis]:
    """The replica count to price: the capacity analysis' recommended count
    (``capacity.recommended_replicas``: latency, redundancy and CPU), so both tables give
    one answer."""
    del svc  # the count depends on the service only through its capacity
    return cap.recommended, cap.recommended_basis


def cost(
    model: Model, prices: Prices | None = None, *, capacities: dict[str, ServiceCapacity] | None = None
) -> CostResult:
    """Monthly cost per service and per context, and at the cheapest replica counts (see
    :func:`cheapest_replicas`)."""
    prices = prices or Prices()
    caps = capacities if capacities is not None else capacity(model)
    services: dict[str, ServiceCost] = {}
    contexts: dict[str, float] = {}
    cheapest_total: float | None = 0.0
    for name, svc in model.services.items():
        rt = svc.runtime
        cpu, memory = rt.cpu or 0.0, rt.memory or 0
        replicas, basis = planned_replicas(svc)
        monthly = prices.monthly(cpu, memory, replicas)
        cheapest, cheapest_basis = cheapest_replicas(svc, caps[name])
        cheapest_monthly = None if cheapest is None else prices.monthly(cpu, memory, cheapest)
        services[name] = ServiceCost(
            service=name,
            context=svc.context,
            replicas=replicas,
            replicas_basis=basis,
            cpu=cpu,
            memory=memory,
            monthly=monthly,
            cheapest_replicas=cheapest,
            cheapest_monthly=cheapest_monthly,
            cheapest_basis=cheapest_basis,
            missing=[k for k, v in (("cpu", rt.cpu), ("memory", rt.memory)) if v is None],
        )
        key = svc.context or "(none)"
        contexts[key] = contexts.get(key, 0.0) + monthly
        cheapest_total = (
            None if cheapest_total is None or cheapest_monthly is None else cheapest_total + cheapest_monthly
        )
    return CostResult(
        prices=prices,
        services=services,
        contexts=contexts,
        total_monthly=sum(s.monthly for s in services.values()),
        cheapest_total_monthly=cheapest_total,
    )
