"""SM, ICP, IFN, NED and BCP on small partitions computed by hand."""

from __future__ import annotations

import math

import pytest

from meshwright.decompose.metrics import (
    business_context_purity,
    inter_partition_call_percentage,
    interface_number,
    non_extreme_distribution,
    parse_volumes,
    score,
    structural_modularity,
)

# A-B-C form partition 0, D-E partition 1; C calls D across; Root and self-calls are ignored.
VOLUMES = parse_volumes(
    {"A--B": 3, "B--A": 2, "B--C": 1, "C--D": 7, "D--E": 1, "Root--A": 50, "E--E": 4}
)
PARTITION = {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1}
USE_CASES = {"A": ["browse"], "B": ["browse", "buy"], "C": ["buy"], "D": ["buy"], "E": []}


def test_icp_weights_each_call_by_ln_v_plus_1() -> None:
    # calls: A→B 3, B→A 2, B→C 1, C→D 7 (crossing), D→E 1
    total = (math.log(3) + 1) + (math.log(2) + 1) + 1 + (math.log(7) + 1) + 1
    expected = (math.log(7) + 1) / total
    assert inter_partition_call_percentage(PARTITION, VOLUMES) == pytest.approx(expected)


def test_sm_is_mean_cohesion_minus_mean_coupling() -> None:
    # connected pairs: {A,B}, {B,C} inside 0; {D,E} inside 1; {C,D} across.
    cohesion = (2 / 3**2 + 1 / 2**2) / 2
    # ordered pairs (0,1) and (1,0), each σ=1 / (2·3·2); times 2/(K(K−1)) = 1
    coupling = 2 * (1 / (2 * 3 * 2))
    assert structural_modularity(PARTITION, VOLUMES) == pytest.approx(cohesion - coupling)


def test_sm_of_one_partition_is_its_cohesion() -> None:
    one = dict.fromkeys(PARTITION, 0)
    assert structural_modularity(one, VOLUMES) == pytest.approx(4 / 25)


def test_ifn_counts_split_pairs_per_partition() -> None:
    assert interface_number(PARTITION, VOLUMES) == pytest.approx(1 / 2)
    singletons = {c: i for i, c in enumerate(PARTITION)}
    assert interface_number(singletons, VOLUMES) == pytest.approx(4 / 5)


def test_ned_counts_classes_in_partitions_of_5_to_20() -> None:
    assert non_extreme_distribution(PARTITION) == 1.0  # partitions of 3 and 2
    five_and_one = {**{f"c{i}": 0 for i in range(5)}, "x": 1}
    assert non_extreme_distribution(five_and_one) == pytest.approx(1 - 5 / 6)
    big = {f"c{i}": 0 for i in range(21)}
    assert non_extreme_distribution(big) == 1.0


def test_bcp_is_the_mean_log_of_use_cases_per_partition_with_unknown() -> None:
    # partition 0: {browse, buy} → ln 2; partition 1: {buy, Unknown} → ln 2
    assert business_context_purity(PARTITION, USE_CASES) == pytest.approx(math.log(2))
    alone = {"A": 0, "E": 1}
    assert business_context_purity(alone, USE_CASES) == pytest.approx(0.0)


def test_classes_outside_the_partition_and_root_are_left_out() -> None:
    partial = {"A": 0, "B": 1, "Root": 0}
    s = score(partial, VOLUMES, USE_CASES)
    assert s.K == 2
    assert s.ICP == 1.0  # only A↔B remain, and they are split
    assert pytest.approx(1 / 2) == s.IFN


def test_malformed_volume_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="Caller--Callee"):
        parse_volumes({"A-B": 1})
