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

import networkx as nx

from meshwright.graph import Edge, call_groups, calls_from, operation_names
from meshwright.memo import memoised as memoised  # re-exported: analyses memoise through here
from meshwright.model.types import Call, Model


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
    all_calls = {op: calls_from(model, op) for op in operation_names(model)}
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    order: list[str] = []
    kept: dict[str, list[Edge]] = {op: [] for op in all_calls}
    cut: list[Edge] = []
    for start in sorted(all_calls):
        if start in state:
            continue
        state[start] = 1
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            op, i = stack[-1]
            out = all_calls[op]
            if i == len(out):
                stack.pop()
                state[op] = 2
                order.append(op)
                continue
            stack[-1] = (op, i + 1)
            edge = out[i]
            seen = state.get(edge.callee)
            if seen == 1:
                cut.append(edge)
                continue
            kept[op].append(edge)
            if seen is None:
                state[edge.callee] = 1
                stack.append((edge.callee, 0))
    components = _components(all_calls)
    return CallDag(
        order=tuple(order),
        calls={op: tuple(es) for op, es in kept.items()},
        groups={op: tuple(tuple(g) for g in call_groups(es)) for op, es in all_calls.items()},
        cut=tuple(cut),
        called=frozenset(e.callee for es in kept.values() for e in es),
        declared={op: tuple(es) for op, es in all_calls.items()},
        components=components,
        component={op: i for i, members in enumerate(components) for op in members},
    )


def _components(all_calls: Mapping[str, list[Edge]]) -> tuple[tuple[str, ...], ...]:
    """Strongly connected components, callees first, each in model order."""
    g: nx.DiGraph = nx.DiGraph()
    g.add_nodes_from(all_calls)
    g.add_edges_from((e.caller, e.callee) for es in all_calls.values() for e in es)
    dag = nx.condensation(g)
    rank = {op: i for i, op in enumerate(all_calls)}
    return tuple(
        tuple(sorted(dag.nodes[c]["members"], key=rank.__getitem__))
        for c in reversed(list(nx.topological_sort(dag)))
    )


def total_attempts(call: Call) -> int:
    """Tries of the callee per call: application attempts × mesh-proxy attempts."""
    mesh = call.mesh_retries.attempts if call.mesh_retries else 1
    return call.attempts * mesh


def entry_rates(model: Model) -> dict[str, float]:
    """External request rate (req/s) arriving at each entrypoint operation."""
    rates: dict[str, float] = {}
    for ep in model.entrypoints:
        rates[ep.operation] = rates.get(ep.operation, 0.0) + ep.rate
    return rates


def by_service(model: Model, per_operation: Mapping[str, float]) -> dict[str, float]:
    """Sum per-operation values into per-service values (every service present)."""
    out = dict.fromkeys(model.services, 0.0)
    for op, v in per_operation.items():
        out[op.split(".", 1)[0]] += v
    return out
