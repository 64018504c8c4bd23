"""The weighted class graph decomposition clusters.

An undirected edge joins two classes that call each other at run time or depend on each other
in source. Its weight is ``RUNTIME_WEIGHT × (ln v + 1)`` for ``v`` runtime calls in either
direction (the weighting ICP uses: a hot loop does not drown the structure) plus
``STATIC_WEIGHT × (ln s + 1)`` for ``s`` structural references. Use-case co-occurrence is not an
edge (it would join every class of a busy use case); it places classes that have no edge (see
:mod:`meshwright.decompose.cluster`). Classes that must stay together are contracted into one
node before clustering.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from meshwright.decompose.monolith import ENTRY, Monolith

RUNTIME_WEIGHT = 1.0
STATIC_WEIGHT = 0.5


@dataclass
class ClassGraph:
    """Nodes are groups of classes (one class each unless kept together); weights symmetric."""

    nodes: list[tuple[str, ...]]
    edges: dict[tuple[int, int], float]
    """``(i, j)`` with ``i < j`` → weight."""

    def degree(self) -> list[float]:
        deg = [0.0] * len(self.nodes)
        for (i, j), w in self.edges.items():
            deg[i] += w
            deg[j] += w
        return deg

    def node_of(self) -> dict[str, int]:
        return {cls: i for i, group in enumerate(self.nodes) for cls in group}


def pair_weights(mono: Monolith) -> dict[frozenset[str], float]:
    """Class pair → edge weight, ENTRY and self-relations left out."""
    runtime: dict[frozenset[str], float] = defaultdict(float)
    for (a, b), n in mono.calls.items():
        if a != b and ENTRY not in (a, b):
            runtime[frozenset((a, b))] += n
    static: dict[frozenset[str], float] = defaultdict(float)
    for (a, b), s in mono.static.items():
        if a != b and ENTRY not in (a, b) and a in mono.classes and b in mono.classes:
            static[frozenset((a, b))] += s
    out: dict[frozenset[str], float] = defaultdict(float)
    for pair, v in runtime.items():
        out[pair] += RUNTIME_WEIGHT * (math.log(v) + 1.0)
    for pair, s in static.items():
        out[pair] += STATIC_WEIGHT * (math.log(s) + 1.0)
    return dict(out)


def _groups(classes: list[str], together: Iterable[Iterable[str]]) -> list[tuple[str, ...]]:
    """Union of the keep-together groups, every other class alone; in class order."""
    parent = {c: c for c in classes}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for group in together:
        members = [c for c in group if c in parent]
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    by_root: dict[str, list[str]] = defaultdict(list)
    for c in classes:
        by_root[find(c)].append(c)
    return sorted((tuple(v) for v in by_root.values()), key=lambda g: g[0])


def build_graph(mono: Monolith, together: Iterable[Iterable[str]] = ()) -> ClassGraph:
    """The class graph of ``mono``, with each ``together`` group contracted into one node."""
    nodes = _groups(mono.class_names(), together)
    index = {cls: i for i, group in enumerate(nodes) for cls in group}
    edges: dict[tuple[int, int], float] = defaultdict(float)
    for pair, w in pair_weights(mono).items():
        a, b = sorted(pair)
        i, j = index.get(a), index.get(b)
        if i is None or j is None or i == j:
            continue
        edges[(min(i, j), max(i, j))] += w
    return ClassGraph(nodes=nodes, edges=dict(edges))
