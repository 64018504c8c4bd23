"""Cost: resource requests × replicas × prices, per service, per context, per month.

Monthly cost of a service = replicas × (cpu cores × CPU price + memory GiB × memory price)
× hours per month. Replicas are the declared count, or under autoscaling the average of
``min`` and ``max`` (a planning estimate: the real count follows the load). Requests that
are not declared cost nothing and are listed in ``missing``.

The *cheapest* replica count is the fewest replicas that satisfy every constraint (see
:func:`cheapest_replicas`): latency (queueing), redundancy (the availability SLO) and CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from meshwright.analysis.capacity import ServiceCapacity, capacity
from meshwright.model.types import Model, Service

GIB = 1024**3

REDUNDANCY_SLO = 99.9
"""Availability SLO (percent) from which one replica is not enough: a single replica is
down during every deploy, drain and crash. Shared by the cheapest replica count and the
check rule MW601 (its default ``replica_slo``)."""
REDUNDANT_REPLICAS = 2
"""Fewest replicas of a service whose availability SLO is at least :data:`REDUNDANCY_SLO`."""
FULL_CPU_TARGET = 100.0
"""CPU utilisation (percent) planned for a service without an autoscale ``cpu_target``."""
CPU_TOLERANCE = 1e-9
"""Replicas of rounding ignored when the CPU constraint is rounded up."""

Basis = Literal["latency", "redundancy", "cpu"]


@dataclass(frozen=True)
class Prices:
    """Prices of requested resources. Defaults: typical public-cloud on-demand list prices
    (general-purpose VMs, 2024) — pass your own for real numbers."""

    cpu_per_core_hour: float = 0.0316
    memory_per_gib_hour: float = 0.0042
    hours_per_month: float = 730.0

    def monthly(self, cpu: float, memory_bytes: int, replicas: float) -> float:
        """Monthly cost of ``replicas`` replicas requesting ``cpu`` cores and ``memory_bytes``."""
        hourly = cpu * self.cpu_per_core_hour + memory_bytes / GIB * self.memory_per_gib_hour
        return replicas * hourly * self.hours_per_month


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


def redundancy_floor(svc: Service) -> int:
    """Fewest replicas the availability SLO allows: :data:`REDUNDANT_REPLICAS` from an SLO
    of :data:`REDUNDANCY_SLO` %, else 1."""
    target = svc.slo.availability if svc.slo else None
    return REDUNDANT_REPLICAS if target is not None and target >= REDUNDANCY_SLO else 1


def cpu_floor(svc: Service, cpu_demand: float) -> int:
    """Fewest replicas with replicas × cpu request × cpu_target ≥ ``cpu_demand`` (busy cores,
    see ``capacity.own_work``); cpu_target is the autoscaler's, else 100 %. 0 without a
    cpu request (the constraint is skipped)."""
    cpu = svc.runtime.cpu
    if not cpu or cpu_demand <= 0.0:
        return 0
    scale = svc.runtime.autoscale
    target = (scale.cpu_target if scale is not None else FULL_CPU_TARGET) / 100.0
    return max(0, math.ceil(cpu_demand / (cpu * target) - CPU_TOLERANCE))


def cheapest_replicas(svc: Service, cap: ServiceCapacity) -> tuple[int | None, Basis]:
    """The smallest replica count meeting all of: latency (ρ < 1 and p99 wait within the
    latency SLO's room, ``capacity.replicas_needed``; at least 1), redundancy
    (:func:`redundancy_floor`) and CPU (:func:`cpu_floor`); with the constraint that sets
    it. None when no count meets the latency SLO."""
    if cap.replicas_needed is None:
        return None, "latency"
    floors: list[tuple[int, Basis]] = [
        (max(1, cap.replicas_needed), "latency"),
        (redundancy_floor(svc), "redundancy"),
        (cpu_floor(svc, cap.cpu_demand), "cpu"),
    ]
    best = max(n for n, _ in floors)
    return best, next(basis for n, basis in floors if n == best)


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
