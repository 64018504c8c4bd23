"""What rules see: the loaded model, the run's options, and shared derived views.

Derived views (edges, graphs, analysis results) are computed once per run, on first use,
so forty rules over a 1,000-service model walk the graph only a few times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import networkx as nx

from meshwright import graph
from meshwright.graph import Edge
from meshwright.model.loader import LoadedModel
from meshwright.model.source import PathKey
from meshwright.model.types import Call, Model, Operation, Service

if TYPE_CHECKING:  # the analyses are imported by the views that use them (SciPy is slow to load)
    from meshwright.analysis.amplification import AmplifiedPath
    from meshwright.analysis.availability import OperationAvailability
    from meshwright.analysis.capacity import ServiceCapacity
    from meshwright.analysis.timeouts import CallBudget


@dataclass
class RuleContext:
    """One check run over one model; rules read it and never change it."""

    loaded: LoadedModel
    options: dict[str, float] = field(default_factory=dict)

    @property
    def model(self) -> Model:
        return self.loaded.model

    @cached_property
    def edges(self) -> list[Edge]:
        """Every call edge (operation → operation)."""
        return graph.edges(self.model)

    @cached_property
    def edges_by_caller(self) -> dict[str, list[Edge]]:
        """Calls each operation makes, in declaration order."""
        out: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges:
            out[e.caller].append(e)
        return dict(out)

    @cached_property
    def service_graph(self) -> nx.DiGraph:
        return graph.service_graph(self.model)

    @cached_property
    def operation_graph(self) -> nx.MultiDiGraph:
        return graph.operation_graph(self.model)

    @cached_property
    def availability(self) -> dict[str, OperationAvailability]:
        """Composed availability of every operation (from the analysis package)."""
        from meshwright.analysis.availability import composed_availability

        return composed_availability(self.model)

    @cached_property
    def call_budgets(self) -> list[CallBudget]:
        """Timeout budget of every call (from the analysis package)."""
        from meshwright.analysis.timeouts import call_budgets

        return call_budgets(self.model)

    @cached_property
    def amplified_paths(self) -> list[AmplifiedPath]:
        """Most retry-amplified path from each start operation (from the analysis package)."""
        from meshwright.analysis.amplification import path_amplification

        return path_amplification(self.model)

    @cached_property
    def critical_paths(self) -> dict[str, float]:
        """Mean critical-path time of every operation, seconds (from the analysis package)."""
        from meshwright.analysis.latency import critical_path_times

        return critical_path_times(self.model)

    @cached_property
    def capacity(self) -> dict[str, ServiceCapacity]:
        """M/M/c queueing view of every service (from the analysis package)."""
        from meshwright.analysis.capacity import capacity

        return capacity(self.model)

    @cached_property
    def suppressions(self) -> list[tuple[PathKey, str, str]]:
        """Every ``suppress`` entry: (path of the entry, code, reason)."""
        return suppressions(self.model)

    @cached_property
    def producers(self) -> dict[str, set[str]]:
        """Topic → services that publish it (service level or from an operation)."""
        index = self.model.producers_by_topic()
        return {t: set(index.get(t, ())) for t in self.model.topics}

    @cached_property
    def consumers(self) -> dict[str, set[str]]:
        """Topic → services that consume it."""
        index = self.model.consumers_by_topic()
        return {t: set(index.get(t, ())) for t in self.model.topics}

    def operations(self) -> Iterator[tuple[str, str, Service, Operation, PathKey]]:
        """Every (service, operation name, service, operation, model path of the operation)."""
        for sname, svc in self.model.services.items():
            for ai, api in enumerate(svc.apis):
                for oname, op in api.operations.items():
                    yield sname, oname, svc, op, ("services", sname, "apis", ai, "operations", oname)

    def operation_path(self, ref: str) -> PathKey:
        """Model path of operation ``service.op`` (the service's path if it has no such op)."""
        sname, _, oname = ref.partition(".")
        svc = self.model.services.get(sname)
        if svc is not None:
            for ai, api in enumerate(svc.apis):
                if oname in api.operations:
                    return ("services", sname, "apis", ai, "operations", oname)
        return ("services", sname)


def suppressions(model: Model) -> list[tuple[PathKey, str, str]]:
    """Every ``suppress`` entry of the model as (path of the entry, code, reason)."""
    out: list[tuple[PathKey, str, str]] = []

    def add(path: PathKey, sup: dict[str, str]) -> None:
        out.extend(((*path, "suppress", code), code, reason) for code, reason in sup.items())

    add((), model.suppress)
    for sname, svc in model.services.items():
        base: PathKey = ("services", sname)
        add(base, svc.suppress)
        for i, call in enumerate(svc.calls):
            add((*base, "calls", i), call.suppress)
        for ai, api in enumerate(svc.apis):
            for oname, op in api.operations.items():
                opath: PathKey = (*base, "apis", ai, "operations", oname)
                add(opath, op.suppress)
                for i, call in enumerate(op.calls or []):
                    add((*opath, "calls", i), call.suppress)
        for dname, store in svc.datastores.items():
            add((*base, "datastores", dname), store.suppress)
        for i, consume in enumerate(svc.consumes):
            add((*base, "consumes", i), consume.suppress)
    for tname, topic in model.topics.items():
        add(("topics", tname), topic.suppress)
    for i, ep in enumerate(model.entrypoints):
        add(("entrypoints", i), ep.suppress)
    for name, saga in model.sagas.items():
        add(("sagas", name), saga.suppress)
    return out


def call_sites(model: Model) -> Iterator[tuple[str, PathKey, Call]]:
    """Every call as written, once: (calling service, model path of the call, call)."""
    for sname, svc in model.services.items():
        for i, call in enumerate(svc.calls):
            yield sname, ("services", sname, "calls", i), call
        for ai, api in enumerate(svc.apis):
            for oname, op in api.operations.items():
                for i, call in enumerate(op.calls or []):
                    yield sname, ("services", sname, "apis", ai, "operations", oname, "calls", i), call


def max_replicas(svc: Service) -> int:
    """The most replicas a service runs: its autoscale max, else its replicas."""
    return max(svc.runtime.replicas, svc.runtime.autoscale.max if svc.runtime.autoscale else 0)


def min_replicas(svc: Service) -> int:
    """The fewest replicas a service runs: its autoscale min, else its replicas."""
    return svc.runtime.autoscale.min if svc.runtime.autoscale else svc.runtime.replicas
