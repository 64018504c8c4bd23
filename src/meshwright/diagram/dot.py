"""A :class:`Diagram` as Graphviz DOT text, and its layout by Graphviz's ``dot`` (SVG, PNG).

Styles: services are rounded boxes filled by their worst finding (error red, warning
amber, info blue), services outside a narrowed view dashed grey, datastores cylinders,
topics message shapes inside the broker, entrypoints ovals; synchronous calls solid,
asynchronous (topic) edges dashed, datastore edges brown without arrow head.
"""

from __future__ import annotations

import graphviz

from meshwright.check.rule import Severity
from meshwright.diagram.graph import Cluster, Diagram, Edge, Node
from meshwright.errors import MeshwrightError, UsageError

FONT = "DejaVu Sans"
FILL: dict[Severity | None, tuple[str, str]] = {
    Severity.error: ("#fde2e1", "#c0392b"),
    Severity.warning: ("#fff3cd", "#b7791f"),
    Severity.info: ("#e3f0ff", "#2b6cb0"),
    None: ("#ffffff", "#334155"),
}
"""(fill, border) of a node by its worst finding."""
SHAPES = {
    "service": 'shape=box, style="rounded,filled"',
    "operation": 'shape=box, style="rounded,filled"',
    "external": 'shape=box, style="rounded,dashed,filled", fontcolor="#64748b"',
    "datastore": 'shape=cylinder, style=filled',
    "topic": 'shape=cds, style=filled',
    "entrypoint": 'shape=oval, style=filled',
}
KIND_FILL = {"external": "#f8fafc", "datastore": "#f5efe6", "topic": "#f3e8ff", "entrypoint": "#e0e7ff"}
EDGES = {
    "sync": 'color="#334155"',
    "async": 'style=dashed, color="#7c3aed", fontcolor="#6d28d9"',
    "data": 'color="#a16207", arrowhead=none, fontcolor="#a16207"',
    "entry": 'color="#2563eb", penwidth=1.4, fontcolor="#1d4ed8"',
}
CLUSTERS = {
    "context": 'style="rounded,filled"; fillcolor="#f8fafc"; color="#94a3b8"',
    "broker": 'style="rounded,dashed"; color="#7c3aed"; fontcolor="#6d28d9"',
    "service": 'style="rounded,filled"; fillcolor="#f1f5f9"; color="#cbd5e1"',
}


def quote(text: str) -> str:
    """A DOT string literal; newlines become centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _node(n: Node) -> str:
    fill, border = FILL[n.severity]
    if n.severity is None:
        fill = KIND_FILL.get(n.kind, fill)
    attrs = [f"label={quote(n.label)}", SHAPES[n.kind], f'fillcolor="{fill}"', f'color="{border}"']
    if n.severity is not None:
        attrs.append("penwidth=1.6")
    if n.tooltip:
        attrs.append(f"tooltip={quote(n.tooltip)}")
    if n.href:
        attrs.append(f"URL={quote(n.href)}")
    return f"{quote(n.id)} [{', '.join(attrs)}];"


def _edge(e: Edge) -> str:
    attrs = [EDGES[e.kind]]
    if e.label:
        attrs.append(f"label={quote(e.label)}")
    if e.tooltip:
        attrs.append(f"tooltip={quote(e.tooltip)}")
    return f"{quote(e.source)} -> {quote(e.target)} [{', '.join(attrs)}];"


def _cluster(c: Cluster, members: list[Node], index: int) -> list[str]:
    lines = [f"  subgraph cluster_{index} {{",
             f"    label={quote(c.label)}; {CLUSTERS[c.kind]}; fontsize=12;"]
    if c.tooltip:
        lines.append(f"    tooltip={quote(c.tooltip)};")
    lines += [f"    {_node(n)}" for n in members]
    lines.append("  }")
    return lines


def to_dot(d: Diagram) -> str:
    """The DOT source of a diagram (deterministic: same diagram, same text)."""
    lines = [
        f"digraph {quote(d.title)} {{",
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=11, nodesep=0.25, ranksep=0.7, '
        f'newrank=true, label={quote(d.title)}, labelloc=t];',
        f'  node [fontname="{FONT}", fontsize=10, margin="0.12,0.05"];',
        f'  edge [fontname="{FONT}", fontsize=8, arrowsize=0.7];',
    ]
    inside, outside = d.grouped()
    for i, c, members in inside:
        lines += _cluster(c, members, i)
    lines += [f"  {_node(n)}" for n in outside]
    lines += [f"  {_edge(e)}" for e in d.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


class GraphvizMissing(UsageError):
    """Graphviz's ``dot`` is not on PATH."""


MISSING = (
    "Graphviz's `dot` is not installed, and svg and png diagrams need it for the layout: "
    "install Graphviz (Debian/Ubuntu `apt-get install graphviz`, macOS `brew install graphviz`), "
    "or write text that needs no layout: --format mermaid, plantuml or dot"
)


def layout(source: str, fmt: str) -> bytes:
    """``dot -T<fmt>`` of DOT text (``svg`` or ``png``)."""
    try:
        out: bytes = graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
        return out
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(MISSING) from None
    except graphviz.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip() if isinstance(exc.stderr, bytes) else ""
        raise MeshwrightError(f"Graphviz could not lay out the diagram: {detail}") from None
