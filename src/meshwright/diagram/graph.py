"""The one description of a diagram: nodes, edges and clusters, independent of any
rendering (DOT, Mermaid, PlantUML all read this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from meshwright.check.rule import Severity

NodeKind = Literal["service", "external", "datastore", "topic", "entrypoint", "operation"]
EdgeKind = Literal["sync", "async", "data", "entry"]
"""sync: a synchronous call (solid); async: through a topic (dashed); data: a service and
its datastore; entry: external traffic arriving at an entrypoint."""
ClusterKind = Literal["context", "broker", "service"]


@dataclass(frozen=True)
class Node:
    """One box of a diagram; ``id`` is unique within the diagram."""

    id: str
    label: str
    kind: NodeKind
    cluster: str | None = None
    """Id of the cluster drawn around the node (None: top level)."""
    severity: Severity | None = None
    """Worst finding on the element (colours the node); None: no finding."""
    tooltip: str = ""
    href: str | None = None
    """Link of the node (the report points services at their section)."""


@dataclass(frozen=True)
class Edge:
    """One arrow; ``label`` says its policy (timeout, tries) or topic."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class Cluster:
    """A box around nodes: a bounded context, the broker, or a service's operations."""

    id: str
    label: str
    kind: ClusterKind = "context"
    tooltip: str = ""


@dataclass(frozen=True)
class Diagram:
    """A whole diagram of one view of a model."""

    title: str
    view: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """What the diagram leaves out (shown under it by the report)."""

    def node_ids(self) -> set[str]:
        return {n.id for n in self.nodes}

    def short_ids(self) -> dict[str, str]:
        """``n1``, ``n2``, … by node order: ids every text format accepts."""
        return {n.id: f"n{i}" for i, n in enumerate(self.nodes, 1)}

    def grouped(self) -> tuple[list[tuple[int, Cluster, list[Node]]], list[Node]]:
        """The nodes in the order every text format writes them: each cluster that has
        nodes (with its index in :attr:`clusters`) and its nodes, then the nodes outside
        every cluster (none named, or one not in :attr:`clusters`)."""
        by_cluster: dict[str | None, list[Node]] = {}
        for n in self.nodes:
            by_cluster.setdefault(n.cluster, []).append(n)
        known = {c.id for c in self.clusters}
        inside = [(i, c, by_cluster[c.id]) for i, c in enumerate(self.clusters) if by_cluster.get(c.id)]
        outside = [
            n for cid, members in by_cluster.items() if cid is None or cid not in known for n in members
        ]
        return inside, outside
