"""The call graph of a model, at operation and at service level.

Nodes are operations named ``service.operation``; an edge is one synchronous call with
its policy. Checks, analysis, the simulator and emitters all walk the graph through here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meshwright.memo import memoised
from meshwright.model.source import PathKey
from meshwright.model.types import Call, Model, Operation, Service

if TYPE_CHECKING:  # networkx takes ~0.2 s to import: loaded by the graph builders below
    import networkx as nx  # (the analyses walk plain dicts: see the helpers at the end)


@dataclass(frozen=True)
class Edge:
    """One call from operation ``caller`` to operation ``callee``."""

    caller: str
    callee: str
    call: Call
    path: PathKey
    """Where the call is written in the model (for locating findings)."""

    @property
    def caller_service(self) -> str:
        return self.caller.split(".", 1)[0]

    @property
    def callee_service(self) -> str:
        return self.callee.split(".", 1)[0]


def operation_names(model: Model) -> Iterator[str]:
    for sname, svc in model.services.items():
        for _, oname, _ in svc.operations():
            yield f"{sname}.{oname}"


def calls_from(model: Model, operation: str) -> list[Edge]:
    """The calls operation ``service.op`` makes, in declaration order."""
    sname, _, oname = operation.partition(".")
    svc = model.services[sname]
    for ai, api in enumerate(svc.apis):
        op = api.operations.get(oname)
        if op is None:
            continue
        if op.calls is not None:
            base: PathKey = ("services", sname, "apis", ai, "operations", oname, "calls")
            return [Edge(operation, c.to, c, (*base, i)) for i, c in enumerate(op.calls)]
        break
    return [
        Edge(operation, c.to, c, ("services", sname, "calls", i)) for i, c in enumerate(svc.calls)
    ]


def calls_by_operation(model: Model) -> dict[str, list[Edge]]:
    """:func:`calls_from` of every operation, in model order, built once per model: the
    same :class:`Edge` objects as :func:`edges` (do not modify the lists)."""
    return memoised(
        model, "calls_by_operation", lambda: {op: calls_from(model, op) for op in operation_names(model)}
    )


def edges(model: Model) -> list[Edge]:
    """Every call edge of the model (a new list; the edges are walked once per model)."""
    return list(_all_edges(model))


def _all_edges(model: Model) -> tuple[Edge, ...]:
    return memoised(
        model,
        "edges",
        lambda: tuple(e for es in calls_by_operation(model).values() for e in es),
    )


def incoming_edges(model: Model, service: str) -> list[Edge]:
    """The calls to operations of ``service``, in model order (indexed once per model)."""
    return list(_edges_by(model, "callee").get(service, ()))


def outgoing_edges(model: Model, service: str) -> list[Edge]:
    """The calls operations of ``service`` make, in model order (indexed once per model)."""
    return list(_edges_by(model, "caller").get(service, ()))


def _edges_by(model: Model, end: str) -> dict[str, list[Edge]]:
    def build() -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {}
        for e in _all_edges(model):
            out.setdefault(e.callee_service if end == "callee" else e.caller_service, []).append(e)
        return out

    return memoised(model, f"edges_by_{end}", build)


def operation_graph(model: Model) -> nx.MultiDiGraph:
    """Operations as nodes, one edge per call (``edge`` attribute holds the :class:`Edge`)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from(operation_names(model))
    for e in edges(model):
        g.add_edge(e.caller, e.callee, edge=e)
    return g


def service_graph(model: Model, edge_list: list[Edge] | None = None) -> nx.DiGraph:
    """Services as nodes; an edge when any operation of one calls the other (over
    ``edge_list`` when given, e.g. only the permitted calls; else every call)."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(model.services)
    for e in edges(model) if edge_list is None else edge_list:
        if g.has_edge(e.caller_service, e.callee_service):
            g[e.caller_service][e.callee_service]["edges"].append(e)
        else:
            g.add_edge(e.caller_service, e.callee_service, edges=[e])
    return g


def call_groups(edge_list: list[Edge]) -> list[list[Edge]]:
    """Calls in execution order: consecutive calls that share a ``parallel`` name form one
    group that runs concurrently; every other call is a group of its own."""
    groups: list[list[Edge]] = []
    for e in edge_list:
        p = e.call.parallel
        if p is not None and groups and groups[-1][0].call.parallel == p:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


# ---------------------------------------------------------------------- topics
#
# Asynchronous edges: an operation publishes a topic when it succeeds; every consumer
# (each `consumes` entry) is handed every message of the topic. The simulator and the
# analysis both read these rules from here.


def published_topics(model: Model, operation: str) -> list[str]:
    """Topics operation ``service.op`` publishes on each success, in declaration order:
    its own ``publishes`` when any operation of the service lists some; otherwise the
    service-level ``publishes`` for every operation that is not ``idempotent`` (reads)."""
    sname, _, oname = operation.partition(".")
    svc = model.services[sname]
    op = svc.operation(oname)
    if op is None:
        return []
    return _published(svc, op, _operations_publish(svc))


def _operations_publish(svc: Service) -> bool:
    """Whether any operation of ``svc`` lists its own ``publishes``."""
    return any(o.publishes for _, _, o in svc.operations())


def _published(svc: Service, op: Operation, operations_publish: bool) -> list[str]:
    if operations_publish:
        return list(op.publishes)
    return [] if op.idempotent else list(svc.publishes)


def publishers(model: Model, topic: str) -> list[str]:
    """Operations ``service.op`` that publish ``topic`` (see :func:`published_topics`), in
    model order; an operation listing the topic twice appears twice (publishes twice)."""
    return publishers_by_topic(model).get(topic, [])


def publishers_by_topic(model: Model) -> dict[str, list[str]]:
    """:func:`publishers` of every topic at once, built in one walk (memoised per model)."""

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for sname, svc in model.services.items():
            own = _operations_publish(svc)
            if not own and not svc.publishes:
                continue
            for _, oname, _ in svc.operations():
                op = svc.operation(oname)  # the one published_topics reads
                assert op is not None
                for t in _published(svc, op, own):
                    out.setdefault(t, []).append(f"{sname}.{oname}")
        return out

    return memoised(model, "publishers_by_topic", build)


@dataclass(frozen=True)
class Consumer:
    """One ``consumes`` entry: a consumer group of a topic and the operation it runs."""

    service: str
    topic: str
    group: str
    """The consumer group (default: the service name)."""
    handler: str | None
    """The handling operation ``service.op``; None when the entry names no ``operation``."""
    dead_letter: str | None
    """Topic that takes the messages the handler fails on (None: redelivered)."""
    path: PathKey
    """Where the entry is written in the model."""


def consumers(model: Model) -> list[Consumer]:
    """Every ``consumes`` entry of the model, in model order (memoised per model)."""
    return memoised(model, "consumers", lambda: _consumers(model))


def _consumers(model: Model) -> list[Consumer]:
    out: list[Consumer] = []
    for sname, svc in model.services.items():
        for i, c in enumerate(svc.consumes):
            op = c.operation
            handler = None if op is None else (op if "." in op else f"{sname}.{op}")
            path: PathKey = ("services", sname, "consumes", i)
            out.append(Consumer(sname, c.topic, c.group or sname, handler, c.dead_letter, path))
    return out


def consumer_handlers(model: Model, topic: str) -> list[Consumer]:
    """The consumers of ``topic`` in model order. Each entry is handed every message of the
    topic: entries do not split a topic's messages, even when they share a group name."""
    return _consumers_by_topic(model).get(topic, [])


def _consumers_by_topic(model: Model) -> dict[str, list[Consumer]]:
    def build() -> dict[str, list[Consumer]]:
        out: dict[str, list[Consumer]] = {}
        for c in consumers(model):
            out.setdefault(c.topic, []).append(c)
        return out

    return memoised(model, "consumers_by_topic", build)


# ---------------------------------------------------------------------- plain-dict graphs
#
# The analyses walk graphs of tens of thousands of operations; building networkx graphs of
# them cost more than the walks (about 3 s at 10,000 services). These take a successor
# mapping (every node a key; successors of a node in any iterable, duplicates allowed).


def strongly_connected(succ: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of the graph ``succ``, each listed after every
    component it reaches (Tarjan's algorithm, iterative); nodes are visited in the
    mapping's order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(succ[root]))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    component: list[str] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    out.append(component)
    return out


def lexicographic_order(succ: Mapping[str, Iterable[str]], rank: Mapping[str, int]) -> list[str]:
    """A topological order of the acyclic graph ``succ`` (every node before its
    successors) that takes, of the nodes ready at each step, the one of smallest ``rank``
    (ranks distinct): ``networkx.lexicographical_topological_sort`` with ``key=rank``.
    Raises ValueError on a cycle."""
    targets = {v: ws if isinstance(ws, set | frozenset) else set(ws) for v, ws in succ.items()}
    indegree = dict.fromkeys(targets, 0)
    for ws in targets.values():
        for w in ws:
            indegree[w] += 1
    ready = [(rank[v], v) for v, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        v = heapq.heappop(ready)[1]
        order.append(v)
        for w in targets[v]:
            indegree[w] -= 1
            if indegree[w] == 0:
                heapq.heappush(ready, (rank[w], w))
    if len(order) != len(indegree):
        raise ValueError("the graph has a cycle: no topological order")
    return order


def reaches(succ: Mapping[str, Iterable[str]], source: str, target: str) -> bool:
    """Whether a path leads from ``source`` to ``target`` (``networkx.has_path``)."""
    if source == target:
        return True
    seen = {source}
    todo = [source]
    while todo:
        for w in succ[todo.pop()]:
            if w == target:
                return True
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return False
