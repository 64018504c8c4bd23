"""The plain-dict graph walks of ``meshwright.graph`` agree with networkx (which the
analyses used before; networkx stays the reference here)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshwright.graph import lexicographic_order, reaches, strongly_connected


def _names(n: int) -> list[str]:
    return [f"s{i}.op" for i in range(n)]


graphs = st.integers(min_value=1, max_value=14).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    )
)


def _succ(n: int, pairs: list[tuple[int, int]]) -> dict[str, list[str]]:
    names = _names(n)
    succ: dict[str, list[str]] = {v: [] for v in names}
    for a, b in pairs:
        succ[names[a]].append(names[b])  # duplicates kept: the walks must not count them twice
    return succ


def _nx(succ: dict[str, list[str]]) -> nx.DiGraph:
    g: nx.DiGraph = nx.DiGraph()
    g.add_nodes_from(succ)
    g.add_edges_from((v, w) for v, ws in succ.items() for w in ws)
    return g


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_components_are_networkx_components_callees_first(graph: tuple[int, list[tuple[int, int]]]) -> None:
    succ = _succ(*graph)
    comps = strongly_connected(succ)
    expected = nx.strongly_connected_components(_nx(succ))
    assert sorted(map(sorted, comps)) == sorted(sorted(c) for c in expected)
    position = {v: i for i, members in enumerate(comps) for v in members}
    for v, ws in succ.items():
        assert all(position[w] <= position[v] for w in ws)  # what a node reaches comes first


@settings(max_examples=300, deadline=None)
@given(graphs, st.randoms(use_true_random=False))
def test_lexicographic_order_is_networkx_order(graph: tuple[int, list[tuple[int, int]]], rnd) -> None:  # type: ignore[no-untyped-def]
    n, pairs = graph
    acyclic = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
    succ = _succ(n, acyclic)
    names = list(succ)
    rnd.shuffle(names)
    rank = {v: i for i, v in enumerate(names)}
    assert lexicographic_order(succ, rank) == list(
        nx.lexicographical_topological_sort(_nx(succ), key=rank.__getitem__)
    )


def test_lexicographic_order_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        lexicographic_order({"a": ["b"], "b": ["a"]}, {"a": 0, "b": 1})


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_reaches_is_has_path(graph: tuple[int, list[tuple[int, int]]]) -> None:
    succ = _succ(*graph)
    g = _nx(succ)
    for a in succ:
        for b in succ:
            assert reaches(succ, a, b) == nx.has_path(g, a, b), (a, b)
