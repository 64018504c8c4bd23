"""Per entrypoint: the call tree with each call's policy and timeout budget and each
operation's composed availability, read from the analysis (nothing is recomputed).

An operation reached twice within one tree is expanded the first time only; later
occurrences link to it, so a tree's size is bounded by its operations and calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshwright.analysis.callgraph import call_dag
from meshwright.analysis.latency import LatencyResult
from meshwright.analysis.result import AnalysisResult
from meshwright.analysis.timeouts import CallBudget
from meshwright.diagram.views import call_summary
from meshwright.graph import Edge
from meshwright.model.source import PathKey
from meshwright.model.types import Model
from meshwright.model.units import format_rate


@dataclass
class TreeNode:
    """One operation in a call tree, reached through ``via`` (None at the root)."""

    operation: str
    anchor: str
    availability: float | None
    via: Edge | None = None
    policy: str = ""
    budget: CallBudget | None = None
    cut: bool = False
    """The call closes a cycle (cut for the analysis)."""
    seen: str | None = None
    """Anchor of the earlier expansion when the operation was already expanded."""
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class EntryTree:
    """An entrypoint with its numbers and its call tree."""

    anchor: str
    name: str
    operation: str
    rate: str
    availability: float | None
    slo: float | None
    meets_slo: bool | None
    latency: LatencyResult | None
    root: TreeNode
    operations: int


def anchor_id(text: str) -> str:
    """An HTML id from free text: letters, digits, '-', '_' and '.' kept, others as '-'."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


def entry_trees(model: Model, result: AnalysisResult) -> list[EntryTree]:
    """One tree per entrypoint (per analysed root operation without entrypoints)."""
    dag = call_dag(model)
    cut = {id(e) for e in dag.cut}
    budgets: dict[tuple[str, PathKey], CallBudget] = {(b.edge.caller, b.edge.path): b for b in result.budgets}
    entries = [(ep.label, ep.operation, format_rate(ep.rate)) for ep in model.entrypoints] or [
        (op, op, "—") for op in result.entrypoints
    ]
    out = []
    for i, (name, op, rate) in enumerate(entries):
        prefix = f"ep{i}"
        expanded: dict[str, str] = {}

        def make(operation: str, via: Edge | None, prefix: str = prefix) -> TreeNode:
            avail = result.availability.get(operation)
            return TreeNode(
                operation=operation,
                anchor=anchor_id(f"{prefix}-{operation}"),
                availability=avail.composed if avail else None,
                via=via,
                policy=call_summary(via).split(": ", 1)[1] if via else "",
                budget=budgets.get((via.caller, via.path)) if via else None,
                cut=via is not None and id(via) in cut,
            )

        root = make(op, None)
        stack = [root]  # depth first, in declaration order: the first occurrence is expanded
        while stack:
            node = stack.pop()
            if node.operation in expanded:
                node.seen = expanded[node.operation]
                continue
            expanded[node.operation] = node.anchor
            if node.cut:
                continue
            node.children = [make(e.callee, e) for e in dag.declared[node.operation]]
            stack.extend(reversed(node.children))
        avail = result.availability.get(op)
        out.append(EntryTree(
            anchor=f"entry-{i}", name=name, operation=op, rate=rate,
            availability=avail.composed if avail else None, slo=avail.slo if avail else None,
            meets_slo=avail.meets_slo if avail else None, latency=result.latency.get(op),
            root=root, operations=len(expanded),
        ))
    return out
