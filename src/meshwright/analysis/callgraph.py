"""The operation call graph prepared for dynamic programming: a topological order with
cycles cut, plus the per-call quantities every analysis shares.

The cut is canonical: the depth-first walk starts from operations in name order (and
follows each operation's calls in declaration order), so the same calls are cut however
the services are ordered in the YAML. Strongly connected components (the cycles) are
listed too, for analyses that treat every call inside a cycle alike (see ``timeouts``).

Every analysis walks operations once in this order (callees before callers, or the
reverse), so nothing enumerates paths; cost is O(operations + calls).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from meshwright import callpolicy
from meshwright.graph import (
    Edge,
    call_groups,
    calls_by_operation,
    lexicographic_order,
    strongly_connected,
)
from meshwright.memo import memoised as memoised  # re-exported: analyses memoise through here
from meshwright.model.types import Model


@dataclass(frozen=True)
class CallDag:
    """The call graph of a model as a DAG: back edges of cycles are cut and listed."""

    order: tuple[str, ...]
    """Every operation, callees before their callers (reverse topological order)."""
    calls: Mapping[str, tuple[Edge, ...]]
    """Kept calls of each operation, in declaration order."""
    groups: Mapping[str, tuple[tuple[Edge, ...], ...]]
    """Every call of each operation in execution groups (see ``graph.call_groups``), cut
    ones included: walks treat a cut call's callee as a leaf (its own time only)."""
    cut: tuple[Edge, ...]
    """Calls removed to break cycles (each closes a cycle of synchronous calls)."""
    called: frozenset[str]
    """Operations that some kept call targets."""
    declared: Mapping[str, tuple[Edge, ...]]
    """Every call of each operation (cut ones included), in model order."""
    components: tuple[tuple[str, ...], ...] = ()
    """Strongly connected components of the call graph (each operation in exactly one),
    callees' components before their callers'."""
    component: Mapping[str, int] = field(default_factory=dict)
    """Index in ``components`` of each operation's component."""

    def in_cycle(self, edge: Edge) -> bool:
        """Whether a call lies on a cycle: its caller and callee are in one component."""
        return self.component[edge.caller] == self.component[edge.callee]

    @property
    def roots(self) -> list[str]:
        """Operations nobody calls, in model order."""
        return [op for op in self.declared if op not in self.called]


def call_dag(model: Model) -> CallDag:
    """The model's call DAG (memoised per model object)."""
    return memoised(model, "call_dag", lambda: _build(model))


def _build(model: Model) -> CallDag:
    all_calls = calls_by_operation(model)
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    order: list[str] = []
    kept: dict[str, list[Edge]] = {}
    cut: list[Edge] = []
    for start in sorted(all_calls):
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(all_calls[start]), kept.setdefault(start, []))]
        while stack:
            op, todo, keep = stack[-1]
            for edge in todo:
                callee = edge.callee
                seen = state.get(callee)
                if seen == 1:
                    cut.append(edge)
                    continue
                keep.append(edge)
                if seen is None:
                    state[callee] = 1
                    stack.append((callee, iter(all_calls[callee]), kept.setdefault(callee, [])))
                    break
            else:
                stack.pop()
                state[op] = 2
                order.append(op)
    declared = {op: tuple(es) for op, es in all_calls.items()}
    if cut:
        calls = {op: tuple(kept[op]) for op in all_calls}
        components = _components(all_calls)
    else:  # no call closes a cycle: every component is one operation, in DFS post-order
        calls = declared
        components = tuple((op,) for op in order)
    return CallDag(
        order=tuple(order),
        calls=calls,
        groups={op: tuple(tuple(g) for g in call_groups(es)) for op, es in all_calls.items()},
        cut=tuple(cut),
        called=frozenset(e.callee for es in calls.values() for e in es),
        declared=declared,
        components=components,
        component={op: i for i, members in enumerate(components) for op in members},
    )


def _components(all_calls: Mapping[str, list[Edge]]) -> tuple[tuple[str, ...], ...]:
    """Strongly connected components, callees first, each in model order."""
    rank = {op: i for i, op in enumerate(all_calls)}
    succ = {op: [e.callee for e in es] for op, es in all_calls.items()}
    return tuple(
        (members[0],) if len(members) == 1 else tuple(sorted(members, key=rank.__getitem__))
        for members in strongly_connected(succ)
    )


@dataclass(frozen=True)
class Composition:
    """An order for composing operations over calls *and* fallbacks (availability,
    latency with fallbacks): every kept callee and every fallback target comes before the
    operations that use it."""

    order: tuple[str, ...]
    fallback_cut: tuple[Edge, ...]
    """Calls whose operation fallback closes a cycle (the target reaches the caller again
    through calls or fallbacks); composition uses the target's intrinsic values."""


def composition_order(model: Model) -> Composition:
    """The composition order (memoised per model): the call DAG's kept edges plus every
    operation fallback, with the fallbacks inside a strongly connected component cut (the
    kept calls alone are acyclic, so cutting those fallbacks leaves a DAG)."""
    return memoised(model, "composition_order", lambda: _compose(model))


def _compose(model: Model) -> Composition:
    dag = call_dag(model)
    succ: dict[str, set[str]] = {op: set() for op in dag.order}  # callee/target -> users
    fallbacks: list[tuple[Edge, str]] = []
    for op in dag.order:
        for e in dag.calls[op]:
            succ[e.callee].add(op)
        for e in dag.declared[op]:
            target = callpolicy.semantics(e.call).fallback
            if target is not None and target in succ:
                fallbacks.append((e, target))
                succ[target].add(op)
    rank = {op: i for i, op in enumerate(dag.order)}
    if not fallbacks:  # the kept calls alone: dag.order is already the smallest-rank order
        return Composition(order=dag.order, fallback_cut=())
    try:  # no fallback closes a cycle (the common case): nothing to cut
        return Composition(order=tuple(lexicographic_order(succ, rank)), fallback_cut=())
    except ValueError:
        pass
    comp = {op: i for i, members in enumerate(strongly_connected(succ)) for op in members}
    cut = tuple(e for e, target in fallbacks if comp[target] == comp[e.caller])
    for e, target in fallbacks:
        if comp[target] == comp[e.caller] and not any(
            c.callee == target for c in dag.calls[e.caller]
        ):
            succ[target].discard(e.caller)
    return Composition(order=tuple(lexicographic_order(succ, rank)), fallback_cut=cut)


total_attempts = callpolicy.max_tries
"""Most tries of the callee per call (``callpolicy.max_tries``)."""


def entry_rates(model: Model) -> dict[str, float]:
    """External request rate (req/s) arriving at each entrypoint operation."""
    rates: dict[str, float] = {}
    for ep in model.entrypoints:
        rates[ep.operation] = rates.get(ep.operation, 0.0) + ep.rate
    return rates


def request_rates(model: Model) -> dict[str, float]:
    """Requests per second of every operation from the entrypoints, × ``per_request``
    down the kept calls, without retries or fallbacks (memoised): the steady rate the
    retry budgets of ``callpolicy`` are measured against."""

    def compute() -> dict[str, float]:
        dag = call_dag(model)
        rates = dict.fromkeys(dag.order, 0.0)
        for op, r in entry_rates(model).items():
            if op in rates:
                rates[op] += r
        for op in reversed(dag.order):
            for e in dag.calls[op]:
                rates[e.callee] += rates[op] * e.call.per_request
        return rates

    return memoised(model, "request_rates", compute)


def by_service(model: Model, per_operation: Mapping[str, float]) -> dict[str, float]:
    """Sum per-operation values into per-service values (every service present)."""
    out = dict.fromkeys(model.services, 0.0)
    for op, v in per_operation.items():
        out[op.split(".", 1)[0]] += v
    return out
