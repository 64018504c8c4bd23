"""Availability composed over synchronous call trees.

Assumptions (standard series/parallel reliability algebra, e.g. Trivedi, *Probability and
Statistics with Reliability, Queuing and Computer Science Applications*, ch. 3):

- failures of services, and of successive tries of a call, are **independent**; real
  outages are often correlated, so retried availabilities are upper bounds;
- an operation succeeds when it is itself up and every synchronous call it makes succeeds
  (series system); a call made ``per_request = k = ⌊k⌋ + f`` times must succeed every
  time: a^⌊k⌋ × (1 − f + f·a);
- a call's tries, ``retry_on``, application × mesh nesting and deadlines follow
  ``meshwright.callpolicy`` (the one definition of what a call does): a callee's failures
  fail fast (kind ``error``), and a try times out with the probability that the callee's
  latency (Monte Carlo with every hop's queue wait, see ``latency``) exceeds the try's
  deadline; a retry budget
  grants the share of retries it allows at the call's steady rate (``request_rates``);
- a ``fallback`` to another operation is called when the call has finally failed:
  a + (1 − a) × f with f the target's *composed* availability (operations are composed
  in an order where fallback targets come first, ``callgraph.composition_order``); a
  ``cache`` or ``static`` fallback is served by the caller itself, so the call costs no
  availability (the degraded answer counts as an answer); a fallback closing a cycle
  uses its target's intrinsic availability (and MW215 reports it);
- a service whose queue is full (``runtime.queue_limit``) refuses a try: each try of a
  call fails with kind ``unavailable`` with the callee service's rejection probability
  (``queueing(model).services[s].p_reject``, at the arrival rates with retries), retried
  as ``retry_on`` says (``callpolicy.proxy_mix``); an operation's own composed
  availability includes its service's rejections (a request refused at the door fails);
- asynchronous work (topics) is not on the request path and is excluded;
- a call that closes a cycle uses its callee's intrinsic availability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from meshwright import callpolicy
from meshwright.analysis.callgraph import call_dag, composition_order, memoised, request_rates
from meshwright.callpolicy import Failure
from meshwright.graph import operation_names
from meshwright.model.types import Call, Model

MINUTES_PER_30_DAYS = 30 * 24 * 60.0


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
    """Availability of one repetition of a call whose callee is available with ``callee``
    (its failures fail fast), ``fallback`` being the composed availability of a fallback
    operation (see ``callpolicy.repetition_success``)."""
    return callpolicy.repetition_success(call, {Failure.error: 1.0 - callee}, fallback)


def _intrinsic(model: Model, operation: str) -> float:
    return model.services[operation.split(".", 1)[0]].availability / 100.0


def composed_availability(model: Model, queues: bool = True) -> dict[str, OperationAvailability]:
    """Composed availability of every operation, keyed ``service.operation``.

    ``queues=False``: without queue rejections — what the arrival rates read for topic
    traffic (``queueing.offered_rates``), since the rejections depend on those rates."""
    key = "composed_availability" if queues else "composed_availability:no-queues"
    return memoised(model, key, lambda: _composed(model, queues))


def _rejections(model: Model) -> dict[str, float]:
    from meshwright.analysis.queueing import queueing

    return {s: q.p_reject for s, q in queueing(model).services.items() if q.p_reject > 0.0}


def _memories(model: Model, rejected: Mapping[str, float]) -> dict[str, callpolicy.Memory]:
    """How a retry of a refusal depends on it, per refusing service (``queueing.refusal_memory``)."""
    if not rejected:
        return {}
    from meshwright.analysis.queueing import queueing, refusal_memory

    services = queueing(model).services
    out: dict[str, callpolicy.Memory] = {}
    for s in rejected:
        memory = refusal_memory(model.services[s], services[s])
        if memory is not None:
            out[s] = memory
    return out


def _composed(model: Model, queues: bool) -> dict[str, OperationAvailability]:
    if queues and not _rejections(model) and _same_try_samples(model):
        # no queue refuses and every try reads the same samples: the composition below
        # would repeat the one without queues step for step
        return dict(composed_availability(model, queues=False))
    dag = call_dag(model)
    composition = composition_order(model)
    cut = {id(e) for e in dag.cut}
    cut_fallback = {id(e) for e in composition.fallback_cut}
    exceeds = _timeout_probabilities(model, queues)
    rates = request_rates(model)
    rejected = _rejections(model) if queues else {}
    memories = _memories(model, rejected)

    def refused(op: str) -> float:
        return rejected.get(op.split(".", 1)[0], 0.0)

    composed: dict[str, float] = {}  # admitted requests (the caller's mix adds the refusals)
    out: dict[str, OperationAvailability] = {}
    for op in composition.order:
        intrinsic = _intrinsic(model, op)
        value = intrinsic
        worst: tuple[float, str] | None = None
        for e in dag.declared[op]:
            callee = _intrinsic(model, e.callee) if id(e) in cut else composed[e.callee]
            sem = callpolicy.semantics(e.call)
            fallback: float | None = None
            if sem.fallback is not None:
                fallback = (
                    _intrinsic(model, sem.fallback)
                    if id(e) in cut_fallback
                    else composed.get(sem.fallback, _intrinsic(model, sem.fallback))
                ) * (1.0 - refused(sem.fallback))
            mix = callpolicy.proxy_mix(e.call, 1.0 - callee, exceeds(e.callee), refused(e.callee))
            factor = callpolicy.call_success(e.call, mix, fallback, rates.get(op),
                                             memories.get(e.callee_service))
            value *= factor
            loss = 1.0 - factor
            if loss > 0 and (worst is None or loss > worst[0]):
                worst = (loss, e.callee)
        composed[op] = value
        slo = model.services[op.split(".", 1)[0]].slo
        out[op] = OperationAvailability(
            operation=op,
            intrinsic=intrinsic,
            composed=value * (1.0 - refused(op)),
            slo=slo.availability / 100.0 if slo and slo.availability is not None else None,
            costliest_dependency=worst[1] if worst else None,
            costliest_loss=worst[0] if worst else 0.0,
        )
    return {op: out[op] for op in operation_names(model)}


def _timed(model: Model) -> set[str]:
    """The callees of calls with a deadline (whose tries can time out)."""
    dag = call_dag(model)
    return {
        e.callee
        for es in dag.declared.values()
        for e in es
        if callpolicy.semantics(e.call).try_deadline is not None
    }


def _same_try_samples(model: Model) -> bool:
    """Whether the tries of every callee with a deadline read the very same latency
    samples with queues as without (``latency._Store`` shares a sample whose inputs agree,
    e.g. when no queue makes anyone wait)."""
    timed = _timed(model)
    if not timed:
        return True
    from meshwright.analysis.latency import try_samples

    with_queues = try_samples(model, timed, queues=True)
    without = try_samples(model, timed, queues=False)
    return all(with_queues[op] is without[op] for op in timed)


def _timeout_probabilities(
    model: Model, queues: bool
) -> Callable[[str], Callable[[float], float] | None]:
    """For each callee: P(one try of it lasts longer than d), from the latency Monte
    Carlo (with every hop's queue wait when ``queues``), computed only for callees of
    calls with a deadline."""
    timed = _timed(model)
    if not timed:
        return lambda _op: None
    from meshwright.analysis.latency import try_samples

    samples = try_samples(model, timed, queues=queues)
    # samplers that agree on an operation share its sample array (``latency._Store``), so
    # both compositions (with and without queues) count each (array, deadline) once
    counted: dict[tuple[int, float], tuple[object, float]] = memoised(
        model, "timeout-exceedance", dict
    )

    def share(x: npt.NDArray[np.float32], d: float) -> float:
        hit = counted.get((id(x), d))
        if hit is not None and hit[0] is x:
            return hit[1]
        p = float(np.count_nonzero(x > d)) / len(x)
        counted[(id(x), d)] = (x, p)
        return p

    def exceeds(op: str) -> Callable[[float], float] | None:
        x = samples.get(op)
        if x is None:
            return None
        return partial(share, x)

    return exceeds
