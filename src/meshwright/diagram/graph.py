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
