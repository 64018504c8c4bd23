"""Diagrams of a model: one graph description per view (context map, C4-style containers,
call trees), rendered to DOT and laid out by Graphviz (SVG, PNG), or written as Mermaid
and PlantUML text.

    diagram = context_view(model, findings)          # a Diagram: nodes, edges, clusters
    svg = render(diagram, "svg")                     # bytes, laid out by `dot`
"""

from __future__ import annotations

from meshwright.diagram.graph import Cluster, Diagram, Edge, Node
from meshwright.diagram.render import FORMATS, render
from meshwright.diagram.views import VIEWS, calls_view, container_view, context_view

__all__ = [
    "FORMATS",
    "VIEWS",
    "Cluster",
    "Diagram",
    "Edge",
    "Node",
    "calls_view",
    "container_view",
    "context_view",
    "render",
]
