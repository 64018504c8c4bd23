"""A :class:`Diagram` as a Mermaid flowchart (renders in GitHub and GitLab markdown)."""

from __future__ import annotations

from meshwright.check.rule import Severity
from meshwright.diagram.graph import Diagram, Node

SHAPE = {
    "service": ('["', '"]'),
    "operation": ('["', '"]'),
    "external": ('["', '"]'),
    "datastore": ('[("', '")]'),
    "topic": ('>"', '"]'),
    "entrypoint": ('(["', '"])'),
}
ARROW = {"sync": "-->", "async": "-.->", "data": "---", "entry": "==>"}
CLASSES = (
    "classDef error fill:#fde2e1,stroke:#c0392b,stroke-width:2px",
    "classDef warning fill:#fff3cd,stroke:#b7791f,stroke-width:2px",
    "classDef info fill:#e3f0ff,stroke:#2b6cb0",
    "classDef external fill:#f8fafc,stroke:#94a3b8,stroke-dasharray:4 3,color:#64748b",
)


def text(label: str) -> str:
    """Label text safe inside Mermaid's quotes: quotes as entities, newlines as <br>."""
    return label.replace('"', "#quot;").replace("\n", "<br>")


def to_mermaid(d: Diagram) -> str:
    """Mermaid ``flowchart LR`` text of a diagram; ids are n1, n2, … in node order."""
    ids = d.short_ids()
    lines = [f"%% {d.title}", "flowchart LR"]

    def node(n: Node, indent: str) -> str:
        left, right = SHAPE[n.kind]
        return f"{indent}{ids[n.id]}{left}{text(n.label)}{right}"

    inside, outside = d.grouped()
    for i, c, members in inside:
        lines.append(f'  subgraph g{i + 1}["{text(c.label)}"]')
        lines += [node(n, "    ") for n in members]
        lines.append("  end")
    lines += [node(n, "  ") for n in outside]
    for e in d.edges:
        label = f"|{text(e.label)}|" if e.label else ""
        lines.append(f"  {ids[e.source]} {ARROW[e.kind]}{label} {ids[e.target]}")
    lines += [f"  {c}" for c in CLASSES]
    for sev in Severity:
        marked = [ids[n.id] for n in d.nodes if n.severity is sev]
        if marked:
            lines.append(f"  class {','.join(marked)} {sev.value}")
    external = [ids[n.id] for n in d.nodes if n.kind == "external"]
    if external:
        lines.append(f"  class {','.join(external)} external")
    return "\n".join(lines) + "\n"
