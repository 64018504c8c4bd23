"""Timeout and retry budgets: how long each call may legitimately take, and whether the
caller's timeout leaves room for it.

Worst case of an operation = p99 of its own service time + for each execution group the
longest call (parallel calls overlap), a call repeated ``per_request = k`` times counting
⌈k⌉ times in sequence. Worst case of a call (``callpolicy.worst_case``) = every try
(application tries × mesh tries) runs to its per-try bound, plus the longest backoffs,
capped by the call's timeout. This
is the budget analysis of the "timeouts must shrink down the call chain" rule (Nygard,
*Release It!*, 2nd ed., ch. 5 "Timeouts"; Google SRE book, ch. 22).

Cycles: a call inside a cycle (caller and callee in one strongly connected component)
counts the callee's *exit time*: its own p99 plus its calls that leave the cycle, not its
calls back into the cycle. Every call of a cycle is treated alike, so the numbers depend
neither on the order of the model nor on where a walk enters the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from meshwright import callpolicy
from meshwright.analysis import distributions
from meshwright.analysis.callgraph import call_dag, memoised
from meshwright.graph import Edge
from meshwright.model.types import Model

TOLERANCE = 1e-9
"""Seconds of rounding ignored when comparing durations."""


@dataclass(frozen=True)
class CallBudget:
    """The time budget of one call (seconds)."""

    edge: Edge
    timeout: float | None
    own_retry_time: float
    """attempts × per-try timeout (else the timeout, else the callee's worst case) + the
    longest backoffs: what the call's own retry schedule needs."""
    callee_worst_case: float
    """The longest one try of the callee may legitimately take (its own downstream
    timeouts and retries included)."""
    slack: float | None
    """timeout − needs; negative is a deficit; None without a timeout."""
    needs: float = 0.0
    """What the call needs to finish its retry schedule at worst: attempts × per-try bound +
    backoffs, the per-try bound being the per-try timeout, else one (mesh-retried) worst-case
    callee try. Without retries this is the callee's worst case."""
    per_try_timeout: float | None = None
    per_try_slack: float | None = None
    """per-try timeout − callee_worst_case: negative means a slow but legitimate callee
    answer is cut off and retried (None without a per-try timeout)."""
    mesh_retry_time: float | None = None
    """mesh attempts × mesh per-try timeout (else the callee's worst case) + backoffs."""
    worst_case: float = 0.0
    """The longest the caller can wait on this call, all tries and caps included."""

    json_extra: ClassVar[tuple[str, ...]] = ("deficit",)

    @property
    def deficit(self) -> bool:
        """True when the timeout is shorter than what the call needs (by more than 1 ns, so
        a timeout written as exactly the sum of its parts is not a deficit)."""
        return self.slack is not None and self.slack < -TOLERANCE


own_retry_time = callpolicy.app_schedule
"""attempts × per-try bound + worst-case backoff (see ``callpolicy.app_schedule``)."""
call_needs = callpolicy.call_needs
call_worst_case = callpolicy.worst_case


def _own_p99(model: Model, operation: str) -> float:
    op = model.operation(operation)
    return distributions.p99(op.service_time) if op is not None else 0.0


def worst_case_times(model: Model) -> dict[str, float]:
    """Worst-case time of every operation (seconds); memoised per model."""
    return _times(model)[0]


def callee_worst_case(model: Model, edge: Edge) -> float:
    """The longest one try of ``edge``'s callee may take: its worst case, or inside a
    cycle its exit time (own p99 + calls leaving the cycle)."""
    worst, exit_time, _ = _times(model)
    return (exit_time if call_dag(model).in_cycle(edge) else worst)[edge.callee]


def _times(model: Model) -> tuple[dict[str, float], dict[str, float], dict[int, float]]:
    """(worst case, exit time) of every operation and the worst case of every call (by
    ``id`` of its edge, with its :func:`callee_worst_case`), memoised per model."""
    return memoised(model, "worst_case_times", lambda: _worst_case_times(model))


def _worst_case_times(model: Model) -> tuple[dict[str, float], dict[str, float], dict[int, float]]:
    dag = call_dag(model)
    worst: dict[str, float] = {}
    exit_time: dict[str, float] = {}
    call_worst: dict[int, float] = {}

    def total(op: str, inside: dict[str, float] | None) -> float:
        """Own p99 + per group its longest call; calls inside the cycle count the callee's
        ``inside`` time, or nothing when ``inside`` is None."""
        t = _own_p99(model, op)
        for group in dag.groups[op]:
            longest = 0.0
            for e in group:
                if not dag.in_cycle(e):
                    callee = worst[e.callee]
                elif inside is not None:
                    callee = inside[e.callee]
                else:
                    continue
                one = call_worst[id(e)] = call_worst_case(e.call, callee)
                reps = callpolicy.ceil_repetitions(e.call.per_request)
                longest = max(longest, reps * one)
            t += longest
        return t

    for members in dag.components:
        if len(members) == 1 and not any(
            e.callee == members[0] for group in dag.groups[members[0]] for e in group
        ):  # no call inside the component: its exit time is its worst case
            op = members[0]
            worst[op] = exit_time[op] = total(op, None)
            continue
        for op in members:
            exit_time[op] = total(op, None)
        for op in members:
            worst[op] = total(op, exit_time)
    return worst, exit_time, call_worst


def worst_case_time(model: Model, operation: str) -> float:
    """The longest operation ``service.op`` may legitimately take, downstream budgets included."""
    return worst_case_times(model)[operation]


def call_budgets(model: Model) -> list[CallBudget]:
    """The budget of every call (cycle-closing calls included), in model order."""
    dag = call_dag(model)
    worst, exit_time, call_worst = _times(model)
    out = []
    for e in (e for calls in dag.declared.values() for e in calls):
        call = e.call
        callee = (exit_time if dag.in_cycle(e) else worst)[e.callee]
        own = own_retry_time(call, callee)
        needs = call_needs(call, callee)
        per_try = callpolicy.semantics(call).app.per_try_timeout
        out.append(
            CallBudget(
                edge=e,
                timeout=call.timeout,
                own_retry_time=own,
                callee_worst_case=callee,
                slack=None if call.timeout is None else call.timeout - needs,
                needs=needs,
                per_try_timeout=per_try,
                per_try_slack=None if per_try is None else per_try - callee,
                mesh_retry_time=callpolicy.mesh_sequence_worst(call, callee),
                worst_case=call_worst[id(e)],
            )
        )
    return out
