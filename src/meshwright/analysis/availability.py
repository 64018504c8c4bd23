"""Availability composed over synchronous call trees.

Assumptions (standard series/parallel reliability algebra, e.g. Trivedi, *Probability and
Statistics with Reliability, Queuing and Computer Science Applications*, ch. 3):

- failures of services, and of successive tries of a call, are **independent**; real
  outages are often correlated, so retried availabilities are upper bounds;
- an operation succeeds when it is itself up and every synchronous call it makes succeeds
  (series system); a call made ``per_request = k`` times must succeed k times (a^k);
- a call with ``retries`` / ``mesh_retries`` succeeds if any of its tries does
  (:func:`retry_availability`);
- a ``fallback`` to another operation succeeds when either succeeds (parallel system); a
  ``cache`` or ``static`` fallback is served by the caller itself, so the call costs no
  availability (the degraded answer counts as an answer);
- asynchronous work (topics) is not on the request path and is excluded;
- a call that closes a cycle uses its callee's intrinsic availability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from meshwright.analysis.callgraph import call_dag, total_attempts
from meshwright.graph import Edge, operation_names
from meshwright.model.types import Call, Model

MINUTES_PER_30_DAYS = 30 * 24 * 60.0


def retry_availability(a: float, attempts: int) -> float:
    """Success probability of a call with ``attempts`` independent tries: 1 − (1 − a)^attempts."""
    return 1.0 - (1.0 - a) ** attempts


def fallback_availability(primary: float, fallback: float) -> float:
    """A call with a fallback fails only when both fail: 1 − (1 − p)(1 − f)."""
    return 1.0 - (1.0 - primary) * (1.0 - fallback)


def budget_minutes(fraction: float, window_minutes: float = MINUTES_PER_30_DAYS) -> float:
    """Minutes of unavailability per window allowed by (or implied by) an availability."""
    return (1.0 - fraction) * window_minutes


@dataclass(frozen=True)
class OperationAvailability:
    """Availability of one operation, as fractions in 0..1."""

    operation: str
    intrinsic: float
    composed: float
    slo: float | None
    costliest_dependency: str | None
    """The direct callee whose call loses the most availability (None without losses)."""
    costliest_loss: float = 0.0
    """Availability (fraction) that the costliest call takes away."""

    json_extra: ClassVar[tuple[str, ...]] = (
        "meets_slo",
        "downtime_minutes",
        "error_budget_minutes",
    )

    @property
    def meets_slo(self) -> bool | None:
        """Whether the composed availability reaches the SLO (None without an SLO)."""
        return None if self.slo is None else self.composed >= self.slo

    @property
    def downtime_minutes(self) -> float:
        """Expected minutes of unavailability per 30 days."""
        return budget_minutes(self.composed)

    @property
    def error_budget_minutes(self) -> float | None:
        """Minutes of unavailability per 30 days that the SLO allows."""
        return None if self.slo is None else budget_minutes(self.slo)


def call_availability(call: Call, callee: float, fallback: float | None = None) -> float:
    """Availability of one repetition of a call, given its callee's availability and, for a
    fallback to another operation, that operation's (None: cache/static, answered locally)."""
    a = retry_availability(callee, total_attempts(call))
    if not call.has_fallback:
        return a
    if fallback is None:
        return 1.0
    return fallback_availability(a, fallback)


def _intrinsic(model: Model, operation: str) -> float:
    return model.services[operation.split(".", 1)[0]].availability / 100.0


def composed_availability(model: Model) -> dict[str, OperationAvailability]:
    """Composed availability of every operation, keyed ``service.operation``."""
    dag = call_dag(model)
    cut_by_op: dict[str, list[Edge]] = {}
    for e in dag.cut:
        cut_by_op.setdefault(e.caller, []).append(e)
    composed: dict[str, float] = {}
    out: dict[str, OperationAvailability] = {}
    for op in dag.order:
        intrinsic = _intrinsic(model, op)
        value = intrinsic
        worst: tuple[float, str] | None = None
        calls = [(e, False) for e in dag.calls[op]] + [(e, True) for e in cut_by_op.get(op, ())]
        for e, in_cycle in calls:
            callee = _intrinsic(model, e.callee) if in_cycle else composed[e.callee]
            target = e.call.fallback or ""
            fallback = composed.get(target, _intrinsic(model, target)) if "." in target else None
            factor = call_availability(e.call, callee, fallback) ** e.call.per_request
            value *= factor
            loss = 1.0 - factor
            if loss > 0 and (worst is None or loss > worst[0]):
                worst = (loss, e.callee)
        composed[op] = value
        slo = model.services[op.split(".", 1)[0]].slo
        out[op] = OperationAvailability(
            operation=op,
            intrinsic=intrinsic,
            composed=value,
            slo=slo.availability / 100.0 if slo and slo.availability is not None else None,
            costliest_dependency=worst[1] if worst else None,
            costliest_loss=worst[0] if worst else 0.0,
        )
    return {op: out[op] for op in operation_names(model)}
