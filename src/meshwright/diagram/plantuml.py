"""A :class:`Diagram` as PlantUML (a component diagram: packages for clusters)."""

from __future__ import annotations

from meshwright.check.rule import Severity
from meshwright.diagram.graph import Diagram, Node

ELEMENT = {
    "service": "rectangle",
    "operation": "rectangle",
    "external": "rectangle",
    "datastore": "database",
    "topic": "queue",
    "entrypoint": "actor",
}
ARROW = {"sync": "-->", "async": "..>", "data": "--", "entry": "==>"}
COLOUR = {Severity.error: "#FDE2E1;line:C0392B", Severity.warning: "#FFF3CD;line:B7791F",
          Severity.info: "#E3F0FF;line:2B6CB0"}


def text(label: str) -> str:
    """Label text inside PlantUML quotes: quotes replaced, newlines as \\n."""
    return label.replace('"', "'").replace("\n", "\\n")


def to_plantuml(d: Diagram) -> str:
    """``@startuml`` … ``@enduml`` text of a diagram; aliases are n1, n2, … in node order."""
    ids = d.short_ids()
    lines = ["@startuml", f"title {text(d.title)}", "left to right direction", "skinparam shadowing false"]

    def node(n: Node, indent: str) -> str:
        colour = " #F8FAFC;line.dashed" if n.kind == "external" else (
            f" {COLOUR[n.severity]}" if n.severity is not None else "")
        return f'{indent}{ELEMENT[n.kind]} "{text(n.label)}" as {ids[n.id]}{colour}'

    inside, outside = d.grouped()
    for _, c, members in inside:
        lines.append(f'package "{text(c.label)}" {{')
        lines += [node(n, "  ") for n in members]
        lines.append("}")
    lines += [node(n, "") for n in outside]
    for e in d.edges:
        label = f" : {text(e.label)}" if e.label else ""
        lines.append(f"{ids[e.source]} {ARROW[e.kind]} {ids[e.target]}{label}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
