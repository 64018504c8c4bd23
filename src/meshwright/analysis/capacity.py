"""Capacity: arrival rates through the call graph and topics, each service's queue (see
``analysis.queueing`` for the models), and the one recommended replica count per service.

A request holds its concurrency slot for its operation's holding time (own work plus
synchronous downstream calls, their queueing included); a service's holding time is the
rate-weighted mixture over its operations. :func:`recommended_replicas` decides the
replica count that the capacity table shows and the cost table prices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from meshwright.analysis import queueing as q
from meshwright.analysis.callgraph import by_service
from meshwright.analysis.queueing import (
    ErlangC,
    QueueState,
    erlang_b,
    erlang_c,
    expected_tries,
    queue_of,
    service_holding,
    wait_quantile,
)
from meshwright.analysis.utilisation import cpu_demand, cpu_floor
from meshwright.model.types import Model, Service

__all__ = [
    "MAX_REPLICAS", "REDUNDANCY_SLO", "REDUNDANT_REPLICAS", "Basis", "ErlangC", "ServiceCapacity",
    "arrival_rates", "capacity", "erlang_b", "erlang_c", "expected_tries", "operation_rates",
    "recommended_replicas", "redundancy_floor", "replicas_needed", "wait_quantile",
]

MAX_REPLICAS = 100_000
REDUNDANCY_SLO = 99.9
"""Availability SLO (percent) from which one replica is not enough: a single replica is
down during every deploy, drain and crash. Shared by the recommended replica count and the
check rule MW601 (its default ``replica_slo``)."""
REDUNDANT_REPLICAS = 2
"""Fewest replicas of a service whose availability SLO is at least :data:`REDUNDANCY_SLO`."""

Basis = Literal["latency", "redundancy", "cpu"]


def operation_rates(model: Model, failure_rate: float = 0.0) -> dict[str, float]:
    """Requests per second at every operation, retries, fallbacks and rejections included
    (the queueing fixed point; see ``queueing.offered_rates``)."""
    return dict(q.queueing(model, failure_rate).operation_rates)


def arrival_rates(model: Model, failure_rate: float = 0.0) -> dict[str, float]:
    """Requests per second arriving at every service (see :func:`operation_rates`)."""
    return by_service(model, operation_rates(model, failure_rate))


@dataclass(frozen=True)
class ServiceCapacity:
    """Queueing view of one service at its current replica count."""

    service: str
    arrival_rate: float
    replicas: int
    servers: int
    holding_time: float
    """Mean time a request holds a concurrency slot (seconds), downstream queueing included."""
    queue: QueueState
    replicas_needed: int | None
    """Fewest replicas whose queue is stable with the p99 wait within the latency SLO's room
    (None when even an empty queue misses the SLO, or more than MAX_REPLICAS are needed)."""
    wait_budget: float | None = None
    """slo.latency.p99 − the longest mean holding time of the service's operations."""
    cpu_demand: float = 0.0
    """Busy cores of own work (``analysis.utilisation``)."""
    recommended: int | None = None
    """The replica count to run: :func:`recommended_replicas` (None: no count meets the
    latency SLO)."""
    recommended_basis: Basis = "latency"
    """The constraint that sets ``recommended``."""

    json_extra: ClassVar[tuple[str, ...]] = ("overloaded", "unstable", "queue_model")

    @property
    def overloaded(self) -> bool:
        """Utilisation ≥ 1: more work arrives than the replicas can do — certain overload
        (unbounded queues grow without end, bounded ones reject the excess)."""
        return self.queue.utilisation >= 1.0

    @property
    def unstable(self) -> bool:
        """No steady state: the queue (or one it waits on) grows without bound."""
        return not self.queue.stable

    @property
    def queue_model(self) -> str:
        return self.queue.model


def _meets(svc: Service, lam: float, holding: float, scv: float, n: int, budget: float | None) -> bool:
    state = queue_of(svc, lam, holding, scv, n)
    return state.stable and state.p_reject <= 0.0 and (budget is None or state.wq_p99 <= budget)


def replicas_needed(
    lam: float, holding_time: float, concurrency: int, wait_budget: float | None,
    svc: Service | None = None, scv: float = 1.0,
) -> int | None:
    """Fewest replicas whose queue is stable, rejects nothing and (if a budget is given)
    keeps the p99 wait within the budget; None when none up to :data:`MAX_REPLICAS` does.
    Without ``svc`` the replicas of ``concurrency`` slots are balanced by least requests
    (join the shortest queue, :mod:`meshwright.analysis.jsq`)."""
    if wait_budget is not None and wait_budget < 0:
        return None
    if lam <= 0.0 or holding_time <= 0.0:
        return 0 if lam <= 0.0 else 1
    if not math.isfinite(holding_time):
        return None
    base = svc or Service.model_validate(
        {"runtime": {"concurrency": concurrency, "load_balancing": "least_requests"}}
    )

    def meets(n: int) -> bool:
        return _meets(base, lam, holding_time, scv, n, wait_budget)

    lo = max(1, math.floor(lam * holding_time / concurrency) + 1)  # smallest count with ρ < 1
    if lo > MAX_REPLICAS:
        return None
    if meets(lo):
        return lo
    hi = lo * 2
    while not meets(hi):
        if hi >= MAX_REPLICAS:
            return None
        lo, hi = hi, min(hi * 2, MAX_REPLICAS)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


def redundancy_floor(svc: Service) -> int:
    """Fewest replicas the availability SLO allows: :data:`REDUNDANT_REPLICAS` from an SLO
    of :data:`REDUNDANCY_SLO` %, else 1."""
    target = svc.slo.availability if svc.slo else None
    return REDUNDANT_REPLICAS if target is not None and target >= REDUNDANCY_SLO else 1


def recommended_replicas(svc: Service, latency_needed: int | None, demand: float) -> tuple[int | None, Basis]:
    """**The** replica count meshwright recommends: the smallest meeting all of latency
    (stable queue, no rejections, p99 wait within the latency SLO's room: ``latency_needed``,
    at least 1), redundancy (:func:`redundancy_floor`) and CPU (``utilisation.cpu_floor``
    at the autoscaler's target); with the constraint that sets it (on a tie the first of
    latency, redundancy, cpu). None when no count meets the latency SLO."""
    if latency_needed is None:
        return None, "latency"
    floors: list[tuple[int, Basis]] = [
        (max(1, latency_needed), "latency"),
        (redundancy_floor(svc), "redundancy"),
        (cpu_floor(svc, demand), "cpu"),
    ]
    best = max(n for n, _ in floors)
    return best, next(basis for n, basis in floors if n == best)


def capacity(model: Model, *, failure_rate: float = 0.0) -> dict[str, ServiceCapacity]:
    """The queue of every service at its declared replicas (entrypoint traffic plus retries
    at ``failure_rate``), and its recommended replica count."""
    solved = q.queueing(model, failure_rate)
    rates: Mapping[str, float] = solved.operation_rates
    out: dict[str, ServiceCapacity] = {}
    for name, svc in model.services.items():
        ops = [f"{name}.{o}" for _, o, _ in svc.operations()]
        lam, holding, scv = service_holding(model, rates, solved.holding, name)
        slo = svc.slo
        budget = None
        if slo and slo.latency and slo.latency.p99 is not None:
            busy = [o for o in ops if rates.get(o, 0.0) > 0] or ops
            budget = slo.latency.p99 - max((solved.holding[o][0] for o in busy), default=0.0)
        needed = replicas_needed(lam, holding, svc.runtime.concurrency, budget, svc, scv)
        demand = cpu_demand(model, rates, name)
        recommended, basis = recommended_replicas(svc, needed, demand)
        out[name] = ServiceCapacity(
            service=name,
            arrival_rate=lam,
            replicas=svc.runtime.replicas,
            servers=svc.runtime.replicas * svc.runtime.concurrency,
            holding_time=holding,
            queue=solved.services[name],
            replicas_needed=needed,
            wait_budget=budget,
            cpu_demand=demand,
            recommended=recommended,
            recommended_basis=basis,
        )
    return out
