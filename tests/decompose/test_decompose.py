"""Decomposition recovers clear contexts, honours constraints and is deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.decompose.monoliths import CONTEXTS, write_small_monolith

from meshwright.decompose import Constraints, decompose, read_inputs
from meshwright.decompose.cluster import METHODS, borda, choose
from meshwright.errors import UsageError


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_monolith(tmp_path_factory.mktemp("small"))


def _groups(partition: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for cls, svc in partition.items():
        by.setdefault(svc, set()).add(cls)
    return {frozenset(v) for v in by.values()}


@pytest.mark.parametrize("method", ["leiden", "spectral"])
def test_leiden_and_spectral_recover_the_three_contexts(small: Path, method: str) -> None:
    dec = decompose(read_inputs(small), methods=(method,))
    assert _groups(dec.partition) == {frozenset(v) for v in CONTEXTS.values()}


def test_hdbscan_never_mixes_two_contexts(small: Path) -> None:
    dec = decompose(read_inputs(small), methods=("hdbscan",))
    context_of = {cls: name for name, classes in CONTEXTS.items() for cls in classes}
    for group in _groups(dec.partition):
        assert len({context_of[c] for c in group}) == 1


def test_services_are_named_for_their_core_class(small: Path) -> None:
    dec = decompose(read_inputs(small))
    assert set(dec.services()) == {"order", "product", "account"}


def test_the_same_seed_gives_the_same_proposal(small: Path) -> None:
    first = decompose(read_inputs(small), methods=METHODS, seed=7)
    again = decompose(read_inputs(small), methods=METHODS, seed=7)
    assert first.partition == again.partition


def test_keep_together_and_pin(small: Path) -> None:
    cons = Constraints(together=[["Order", "Product"]], pins={"Account": "customers"})
    dec = decompose(read_inputs(small), cons)
    assert dec.partition["Order"] == dec.partition["Product"]
    assert dec.partition["Account"] == "customers"
    assert dec.partition["AccountDao"] == "customers"


def test_two_pinned_services_never_share_a_cluster(small: Path) -> None:
    cons = Constraints(pins={"OrderDao": "orders", "Order": "order-data"})
    dec = decompose(read_inputs(small), cons)
    assert dec.partition["OrderDao"] == "orders"
    assert dec.partition["Order"] == "order-data"


@pytest.mark.parametrize("k", [2, 3, 5])
def test_a_requested_number_of_services_is_met(small: Path, k: int) -> None:
    dec = decompose(read_inputs(small), Constraints(services=k))
    assert len(dec.services()) == k


def test_a_constraint_on_an_unknown_class_is_a_usage_error(small: Path) -> None:
    with pytest.raises(UsageError, match="did you mean Order"):
        decompose(read_inputs(small), Constraints(pins={"order": "x"}))


def test_choice_never_takes_a_degenerate_candidate(small: Path) -> None:
    dec = decompose(read_inputs(small), methods=METHODS)
    pool = dec.clustering.candidates
    assert len(pool) > 1
    chosen = choose(pool)
    assert chosen is not None and 1 < chosen.scores.K < len(dec.partition)
    ranks = borda(pool)
    assert ranks[pool.index(chosen)] == min(
        r for c, r in zip(pool, ranks, strict=True) if 1 < c.scores.K < len(dec.partition)
    )


def test_progress_counts_every_clustering_run(small: Path) -> None:
    from meshwright.decompose.cluster import RESOLUTIONS

    seen: list[tuple[str, int, int]] = []
    decompose(read_inputs(small), methods=METHODS, progress=lambda m, d, t: seen.append((m, d, t)))
    total = seen[-1][2]
    assert [d for _, d, _ in seen] == list(range(1, total + 1))
    assert [m for m, _, _ in seen].count("leiden") == len(RESOLUTIONS)
