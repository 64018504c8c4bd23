"""Decomposition quality metrics exactly as the Mono2Micro paper (Kalia et al., FSE 2021) uses them.

Inputs are a partition (``{class: partition id}``), the runtime call volumes
(``{(caller, callee): calls}``) and the business use cases of each class. Calls that involve the
pseudo-class ``Root``, self-calls and calls with a class outside the partition are left out; a
class pair *is connected* when either direction has a volume.

- **SM** (structural modularity, higher is better): mean intra-partition cohesion
  ``μ_k / N_k²`` minus ``2 / (K(K−1))`` times the sum over ordered partition pairs of the coupling
  ``σ_ij / (2 N_i N_j)``; 0 coupling term when K = 1.
- **ICP** (inter-partition call percentage, lower): ``Σ_crossing (ln v + 1) / Σ_all (ln v + 1)``.
- **IFN** (interface number, lower): connected class pairs split across partitions, divided by K.
- **NED** (non-extreme distribution, lower): ``1 − classes in partitions of 5..20 classes / classes``.
- **BCP** (business context purity, lower): mean over partitions of ``ln |use cases of its
  classes|``, a class without use cases counting as the use case ``Unknown``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

ROOT = "Root"
UNKNOWN_USE_CASE = "Unknown"
NED_MIN, NED_MAX = 5, 20
"""Partition sizes NED calls non-extreme (inclusive)."""

METRIC_NAMES = ("SM", "ICP", "IFN", "NED", "BCP")
HIGHER_IS_BETTER = {"SM": True, "ICP": False, "IFN": False, "NED": False, "BCP": False}


@dataclass(frozen=True)
class Scores:
    """The five metrics of one partition, plus its number of partitions."""

    SM: float
    ICP: float
    IFN: float
    NED: float
    BCP: float
    K: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def parse_volumes(raw: Mapping[str, int | float]) -> dict[tuple[str, str], float]:
    """``{"A--B": v}`` (runtime_call_volume.json) as ``{(A, B): v}``."""
    out: dict[tuple[str, str], float] = {}
    for key, value in raw.items():
        caller, sep, callee = key.partition("--")
        if not sep or not caller or not callee:
            raise ValueError(f"call volume key {key!r} is not of the form 'Caller--Callee'")
        out[(caller, callee)] = out.get((caller, callee), 0.0) + float(value)
    return out


def _calls(
    partition: Mapping[str, object], volumes: Mapping[tuple[str, str], float]
) -> list[tuple[str, str, float]]:
    return [
        (a, b, v)
        for (a, b), v in volumes.items()
        if a != b and ROOT not in (a, b) and a in partition and b in partition and v > 0
    ]


def _connected_pairs(calls: Iterable[tuple[str, str, float]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, b, _ in calls}


def _members(partition: Mapping[str, object]) -> dict[object, list[str]]:
    groups: dict[object, list[str]] = defaultdict(list)
    for cls, part in partition.items():
        if cls != ROOT:
            groups[part].append(cls)
    return dict(groups)


def _pair_counts(
    partition: Mapping[str, object], volumes: Mapping[tuple[str, str], float]
) -> tuple[dict[object, int], dict[tuple[object, object], int]]:
    """Connected pairs inside each partition (μ_k), and between each ordered pair (σ_ij)."""
    inside: dict[object, int] = defaultdict(int)
    between: dict[tuple[object, object], int] = defaultdict(int)
    for pair in _connected_pairs(_calls(partition, volumes)):
        a, b = sorted(pair)
        pa, pb = partition[a], partition[b]
        if pa == pb:
            inside[pa] += 1
        else:
            between[(pa, pb)] += 1
            between[(pb, pa)] += 1
    return inside, between


def structural_modularity(
    partition: Mapping[str, object], volumes: Mapping[tuple[str, str], float]
) -> float:
    """SM: mean cohesion μ_k/N_k² minus 2/(K(K−1)) × Σ_{i≠j ordered} σ_ij/(2 N_i N_j)."""
    groups = _members(partition)
    if not groups:
        return 0.0
    size = {k: len(v) for k, v in groups.items()}
    inside, between = _pair_counts(partition, volumes)
    k = len(groups)
    cohesion = sum(inside[p] / size[p] ** 2 for p in groups) / k
    if k == 1:
        return cohesion
    coupling = sum(s / (2 * size[i] * size[j]) for (i, j), s in between.items())
    return cohesion - 2.0 / (k * (k - 1)) * coupling


def inter_partition_call_percentage(
    partition: Mapping[str, object], volumes: Mapping[tuple[str, str], float]
) -> float:
    """ICP: the share of (ln v + 1)-weighted calls that cross partitions."""
    total = crossing = 0.0
    for a, b, v in _calls(partition, volumes):
        weight = math.log(v) + 1.0
        total += weight
        if partition[a] != partition[b]:
            crossing += weight
    return crossing / total if total else 0.0


def interface_number(
    partition: Mapping[str, object], volumes: Mapping[tuple[str, str], float]
) -> float:
    """IFN: connected class pairs split across partitions, per partition."""
    groups = _members(partition)
    if not groups:
        return 0.0
    _, between = _pair_counts(partition, volumes)
    return sum(between.values()) / 2 / len(groups)


def non_extreme_distribution(partition: Mapping[str, object]) -> float:
    """NED: 1 − the share of classes in partitions of NED_MIN..NED_MAX classes."""
    groups = _members(partition)
    total = sum(len(v) for v in groups.values())
    if not total:
        return 0.0
    fine = sum(len(v) for v in groups.values() if NED_MIN <= len(v) <= NED_MAX)
    return 1.0 - fine / total


def business_context_purity(
    partition: Mapping[str, object], use_cases: Mapping[str, Iterable[str]]
) -> float:
    """BCP: mean over partitions of ln(number of distinct use cases its classes take part in)."""
    groups = _members(partition)
    if not groups:
        return 0.0
    total = 0.0
    for classes in groups.values():
        seen: set[str] = set()
        for cls in classes:
            cases = list(use_cases.get(cls, ()))
            seen.update(cases if cases else (UNKNOWN_USE_CASE,))
        total += math.log(len(seen))
    return total / len(groups)


def score(
    partition: Mapping[str, object],
    volumes: Mapping[tuple[str, str], float],
    use_cases: Mapping[str, Iterable[str]],
) -> Scores:
    """All five metrics of ``partition``."""
    return Scores(
        SM=structural_modularity(partition, volumes),
        ICP=inter_partition_call_percentage(partition, volumes),
        IFN=interface_number(partition, volumes),
        NED=non_extreme_distribution(partition),
        BCP=business_context_purity(partition, use_cases),
        K=len(_members(partition)),
    )


def better(metric: str, ours: float, theirs: float) -> bool:
    """Whether ``ours`` is strictly better than ``theirs`` on ``metric``."""
    return ours > theirs if HIGHER_IS_BETTER[metric] else ours < theirs
