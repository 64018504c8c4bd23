"""Retry amplification: how many times one request may hit a service when every layer
retries (the product of attempts along a path), and the load of a retry storm.

Worst-case amplification multiplies the tries of every call on a path (application
retries × mesh retries): three layers of 3 tries make 27 calls to the bottom service
(Google SRE book, ch. 22 "Addressing Cascading Failures"; AWS Builders' Library, "Timeouts,
retries, and backoff with jitter"). The maximum over paths is found by dynamic
programming over the call DAG, never by enumerating paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshwright.analysis.callgraph import call_dag, composition_order, entry_rates, memoised
from meshwright.callpolicy import Failure, expected_tries, max_tries, semantics
from meshwright.graph import Edge
from meshwright.model.types import Call, Model


@dataclass(frozen=True)
class AmplifiedPath:
    """The path of largest retry amplification from one start operation."""

    path: list[str]
    """Operations ``service.op`` from the start (an entrypoint or an uncalled operation)."""
    factor: float
    """Product of the tries of every call on the path."""
    entrypoint: bool = False
    """Whether the path starts at an entrypoint operation."""


def max_amplification(model: Model) -> dict[str, tuple[float, Edge | None]]:
    """For every operation: the largest product of tries along any path below it, and the
    first call of that path (None for a leaf)."""
    dag = call_dag(model)
    best: dict[str, tuple[float, Edge | None]] = {}
    for op in dag.order:
        factor, via = 1.0, None
        for e in dag.calls[op]:
            f = max_tries(e.call) * best[e.callee][0]
            if f > factor:
                factor, via = f, e
        best[op] = (factor, via)
    return best


def path_amplification(model: Model) -> list[AmplifiedPath]:
    """The most amplified path from each entrypoint and each uncalled operation, largest
    factor first."""
    dag = call_dag(model)
    best = max_amplification(model)
    entries = list(dict.fromkeys(ep.operation for ep in model.entrypoints))
    starts = entries + [op for op in dag.roots if op not in entries]
    out = []
    for start in starts:
        path = [start]
        via = best[start][1]
        while via is not None:
            path.append(via.callee)
            via = best[via.callee][1]
        out.append(AmplifiedPath(path=path, factor=best[start][0], entrypoint=start in entries))
    out.sort(key=lambda p: (-p.factor, -len(p.path)))
    return out


def failing_operations(model: Model, failed_service: str) -> set[str]:
    """Operations that fail when ``failed_service`` is completely down: its own, and every
    caller of a failing operation that has no fallback (or whose fallback fails too)."""
    dag = call_dag(model)
    walk = _failure_walk(model)
    # Only an operation that reaches the failed service through kept calls can fail: walk
    # those, in composition order (fallback targets first), as the whole order would.
    todo = list(walk.service_ops.get(failed_service, ()))
    reach = set(todo)
    while todo:
        for caller in walk.callers[todo.pop()]:
            if caller not in reach:
                reach.add(caller)
                todo.append(caller)
    failing: set[str] = set()
    for op in sorted(reach, key=walk.position.__getitem__):
        if op.split(".", 1)[0] == failed_service:
            failing.add(op)
            continue
        for e in dag.calls[op]:
            if e.callee not in failing:
                continue
            sem = semantics(e.call)
            if not sem.has_fallback or (sem.fallback is not None and sem.fallback in failing):
                failing.add(op)
                break
    return failing


@dataclass(frozen=True)
class _FailureWalk:
    position: dict[str, int]
    """Index of each operation in the composition order."""
    callers: dict[str, list[str]]
    """Operations calling each operation through kept calls."""
    service_ops: dict[str, list[str]]
    """Operations of each service."""


def _failure_walk(model: Model) -> _FailureWalk:
    def build() -> _FailureWalk:
        dag = call_dag(model)
        callers: dict[str, list[str]] = {op: [] for op in dag.order}
        service_ops: dict[str, list[str]] = {}
        for op in dag.order:
            service_ops.setdefault(op.split(".", 1)[0], []).append(op)
            for e in dag.calls[op]:
                callers[e.callee].append(op)
        position = {op: i for i, op in enumerate(composition_order(model).order)}
        return _FailureWalk(position, callers, service_ops)

    return memoised(model, "failure_walk", build)


def down_tries(call: Call) -> float:
    """Tries of a call to a service that is down (every try fails as ``unavailable``):
    all of them where both layers retry that kind, fewer where ``retry_on`` does not."""
    return expected_tries(call, {Failure.unavailable: 1.0})


@dataclass(frozen=True)
class _FlatGraph:
    """The call DAG as integer arrays, callers before callees, for fast repeated walks."""

    ops: list[str]
    service_of: list[str]
    calls: list[tuple[int, int, float, Call]]
    """(caller index, callee index, per_request, call), callers in topological order."""
    sources: list[float]
    down: dict[int, float] = field(default_factory=dict)
    """:func:`down_tries` of the calls (by index in ``calls``) a storm has asked for: a
    storm multiplies only the calls into failing operations, a few of the whole model."""

    def down_tries(self, i: int) -> float:
        tries = self.down.get(i)
        if tries is None:
            tries = self.down[i] = down_tries(self.calls[i][3])
        return tries


def _flat(model: Model) -> _FlatGraph:
    def build() -> _FlatGraph:
        dag = call_dag(model)
        ops = list(reversed(dag.order))
        index = {op: i for i, op in enumerate(ops)}
        calls = [
            (index[op], index[e.callee], e.call.per_request, e.call)
            for op in ops
            for e in dag.calls[op]
        ]
        base = entry_rates(model) or dict.fromkeys(dag.roots, 1.0)
        sources = [base.get(op, 0.0) for op in ops]
        return _FlatGraph(ops, [op.split(".", 1)[0] for op in ops], calls, sources)

    return memoised(model, "flat_graph", build)


def _service_rates(flat: _FlatGraph, weights: list[float]) -> dict[str, float]:
    rate = list(flat.sources)
    for (caller, callee, _, _), w in zip(flat.calls, weights, strict=True):
        if rate[caller]:
            rate[callee] += rate[caller] * w
    out: dict[str, float] = {}
    for svc, r in zip(flat.service_of, rate, strict=True):
        out[svc] = out.get(svc, 0.0) + r
    return out


def retry_storm(model: Model, failed_service: str) -> dict[str, float]:
    """Load factor on every service (storm rate / normal rate) when ``failed_service`` fails
    completely and every caller of a failing operation uses the tries its ``retry_on``
    allows for an unavailable callee (all of them by default).

    Base traffic is the entrypoints' (else 1 req/s at each uncalled operation). A failed
    service makes no calls itself; every other call is still made (an upper bound: real
    code may stop at the first failed call). Services without normal traffic report 1.0.
    """
    flat = _flat(model)
    failing = failing_operations(model, failed_service)
    normal = memoised(
        model, "normal_service_rates", lambda: _service_rates(flat, [c[2] for c in flat.calls])
    )
    weights = [
        0.0 if flat.service_of[caller] == failed_service
        else per_request * (flat.down_tries(i) if flat.ops[callee] in failing else 1)
        for i, (caller, callee, per_request, _) in enumerate(flat.calls)
    ]
    storm = _service_rates(flat, weights)
    return {
        s: (storm.get(s, 0.0) / normal[s] if normal.get(s, 0.0) > 0 else 1.0)
        for s in model.services
    }
