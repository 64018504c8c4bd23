"""The call graph of a model, at operation and at service level.

Nodes are operations named ``service.operation``; an edge is one synchronous call with
its policy. Checks, analysis, the simulator and emitters all walk the graph through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from meshwright.model.source import PathKey
from meshwright.model.types import Call, Model


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


def edges(model: Model) -> list[Edge]:
    """Every call edge of the model."""
    return [e for op in operation_names(model) for e in calls_from(model, op)]


def operation_graph(model: Model) -> nx.MultiDiGraph:
    """Operations as nodes, one edge per call (``edge`` attribute holds the :class:`Edge`)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(operation_names(model))
    for e in edges(model):
        g.add_edge(e.caller, e.callee, edge=e)
    return g


def service_graph(model: Model) -> nx.DiGraph:
    """Services as nodes; an edge when any operation of one calls the other."""
    g = nx.DiGraph()
    g.add_nodes_from(model.services)
    for e in edges(model):
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
