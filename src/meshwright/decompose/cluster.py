"""Cluster the class graph into services, choosing the number of services by quality.

Three methods propose candidate partitions:

- ``leiden``: Leiden (leidenalg) maximising modularity with a resolution parameter, over the
  grid :data:`RESOLUTIONS`; each resolution gives one candidate;
- ``spectral``: spectral clustering of the weighted adjacency for K = 2 .. :data:`MAX_K_SHARE` × n;
- ``hdbscan``: HDBSCAN on a spectral embedding of the graph, for several minimum sizes.

Every candidate is scored on the five Mono2Micro metrics (SM, ICP, IFN, NED, BCP), computed from
the input itself (its call volumes and use cases); the chosen candidate has the best mean rank
over the five (a Borda count; ties go to higher modularity, then to fewer services). Degenerate
candidates (one service, or every class alone) are never chosen. One configuration for every
application: nothing here is tuned per input.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from meshwright.decompose.classgraph import ClassGraph
from meshwright.decompose.metrics import HIGHER_IS_BETTER, METRIC_NAMES, Scores, score
from meshwright.decompose.monolith import Monolith

METHODS = ("leiden", "spectral", "hdbscan")
DEFAULT_METHODS = ("leiden",)
RESOLUTIONS = tuple(round(0.1 * i, 1) for i in range(1, 21))
"""Leiden resolutions tried (0.1 .. 2.0)."""
LEIDEN_ITERATIONS = 4
"""Leiden passes per resolution (each pass refines the last; 2 is leidenalg's default)."""
MAX_K_SHARE = 0.5
"""Spectral clustering tries K up to this share of the classes."""
SPECTRAL_MAX_NODES = 2000
"""Spectral and HDBSCAN build a dense matrix; above this many nodes only Leiden runs."""
HDBSCAN_MIN_SIZES = (2, 3, 4, 5, 8)

Progress = Callable[[str, int, int], None]
"""Called with (method, runs done, runs in all) after each clustering run."""


@dataclass(frozen=True)
class Candidate:
    """One proposed partition of the graph's nodes."""

    method: str
    parameter: float
    membership: tuple[int, ...]
    scores: Scores
    modularity: float


@dataclass
class Clustering:
    """The chosen candidate and every candidate considered (for the report)."""

    chosen: Candidate
    candidates: list[Candidate] = field(default_factory=list)


def _normalise(membership: Sequence[int]) -> tuple[int, ...]:
    """Labels renumbered 0.. in order of first appearance (equal partitions compare equal)."""
    seen: dict[int, int] = {}
    return tuple(seen.setdefault(m, len(seen)) for m in membership)


def _dense(graph: ClassGraph) -> np.ndarray:
    n = len(graph.nodes)
    a = np.zeros((n, n))
    for (i, j), w in graph.edges.items():
        a[i, j] = a[j, i] = w
    return a


def _modularity(graph: ClassGraph, membership: Sequence[int]) -> float:
    total = sum(graph.edges.values())
    if total == 0:
        return 0.0
    inside: dict[int, float] = defaultdict(float)
    degree_sum: dict[int, float] = defaultdict(float)
    for (i, j), w in graph.edges.items():
        if membership[i] == membership[j]:
            inside[membership[i]] += w
        degree_sum[membership[i]] += w
        degree_sum[membership[j]] += w
    return sum(inside[c] / total - (degree_sum[c] / (2 * total)) ** 2 for c in degree_sum)


def runs(method: str, graph: ClassGraph) -> int:
    """How many clustering runs ``method`` makes on ``graph`` (for progress)."""
    n = len(graph.nodes)
    if method == "leiden":
        return len(RESOLUTIONS)
    if n > SPECTRAL_MAX_NODES:
        return 0
    if method == "spectral":
        return max(0, max(2, int(n * MAX_K_SHARE)) - 1) if n >= 3 else 0
    return sum(1 for size in HDBSCAN_MIN_SIZES if size < n) if n >= 4 else 0


def leiden(graph: ClassGraph, seed: int) -> Iterator[tuple[float, tuple[int, ...]]]:
    """One Leiden partition per resolution of :data:`RESOLUTIONS`."""
    import igraph as ig
    import leidenalg as la

    g = ig.Graph(n=len(graph.nodes), edges=list(graph.edges), directed=False)
    weights = list(graph.edges.values())
    for res in RESOLUTIONS:
        part = la.find_partition(
            g,
            la.RBConfigurationVertexPartition,
            weights=weights,
            resolution_parameter=res,
            seed=seed,
            n_iterations=LEIDEN_ITERATIONS,
        )
        yield res, _normalise(part.membership)


def spectral(graph: ClassGraph, seed: int) -> Iterator[tuple[float, tuple[int, ...]]]:
    """Spectral clustering of the adjacency for K = 2 .. MAX_K_SHARE × n."""
    from sklearn.cluster import SpectralClustering

    n = len(graph.nodes)
    if n < 3 or n > SPECTRAL_MAX_NODES:
        return
    affinity = _dense(graph) + 1e-6  # a tiny floor keeps isolated classes placeable
    np.fill_diagonal(affinity, 0.0)
    for k in range(2, max(2, int(n * MAX_K_SHARE)) + 1):
        model = SpectralClustering(
            n_clusters=k, affinity="precomputed", random_state=seed, assign_labels="cluster_qr"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = model.fit_predict(affinity)
        yield float(k), _normalise(labels.tolist())


def hdbscan(graph: ClassGraph, seed: int) -> Iterator[tuple[float, tuple[int, ...]]]:
    """HDBSCAN on a spectral embedding; noise classes join their most connected cluster."""
    from sklearn.cluster import HDBSCAN
    from sklearn.manifold import spectral_embedding

    n = len(graph.nodes)
    if n < 4 or n > SPECTRAL_MAX_NODES:
        return
    adjacency = _dense(graph) + 1e-6
    np.fill_diagonal(adjacency, 0.0)
    dims = max(2, min(16, n - 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedding = spectral_embedding(
            adjacency, n_components=dims, random_state=seed, drop_first=True
        )
    for size in HDBSCAN_MIN_SIZES:
        if size >= n:
            continue
        labels = HDBSCAN(min_cluster_size=size, min_samples=1, copy=True).fit_predict(embedding).tolist()
        dense = _dense(graph)
        next_label = max(labels) + 1
        for i, lab in enumerate(labels):
            if lab != -1:
                continue
            scores: dict[int, float] = defaultdict(float)
            for j, other in enumerate(labels):
                if other != -1:
                    scores[other] += dense[i, j]
            best = max(scores.items(), key=lambda kv: (kv[1], -kv[0]), default=(None, 0.0))
            if best[0] is not None and best[1] > 0:
                labels[i] = best[0]
            else:
                labels[i] = next_label
                next_label += 1
        yield float(size), _normalise(labels)


_PROPOSERS: dict[str, Callable[[ClassGraph, int], Iterator[tuple[float, tuple[int, ...]]]]] = {
    "leiden": leiden,
    "spectral": spectral,
    "hdbscan": hdbscan,
}


def class_partition(graph: ClassGraph, membership: Sequence[int]) -> dict[str, int]:
    """Node membership as ``{class: cluster}``."""
    return {cls: membership[i] for i, group in enumerate(graph.nodes) for cls in group}


def own_inputs(mono: Monolith) -> tuple[dict[tuple[str, str], float], dict[str, set[str]]]:
    """The call volumes and use cases of the input, as the metrics read them.

    Structural references count as calls where no runtime call was seen (source-only input)."""
    volumes = {key: float(n) for key, n in mono.calls.items()}
    for key, s in mono.static.items():
        volumes.setdefault(key, s)
    use_cases = {name: info.use_cases for name, info in mono.classes.items()}
    return volumes, use_cases


def degenerate(membership: Sequence[int]) -> bool:
    """One cluster, or every node alone."""
    k = len(set(membership))
    return k <= 1 or k == len(membership)


def borda(candidates: Sequence[Candidate]) -> list[float]:
    """Mean rank of each candidate over the five metrics (0 = best; ties share the mean rank)."""
    n = len(candidates)
    total = np.zeros(n)
    for metric in METRIC_NAMES:
        values = np.array([getattr(c.scores, metric) for c in candidates], dtype=float)
        if HIGHER_IS_BETTER[metric]:
            values = -values
        order = np.argsort(values, kind="stable")
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        for value in np.unique(values):  # ties share their mean rank
            same = values == value
            ranks[same] = ranks[same].mean()
        total += ranks
    return list(total / len(METRIC_NAMES))


def candidates(
    mono: Monolith,
    graph: ClassGraph,
    methods: Sequence[str] = DEFAULT_METHODS,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Candidate]:
    """Every distinct partition the methods propose, scored on the input's own data."""
    volumes, use_cases = own_inputs(mono)
    seen: set[tuple[int, ...]] = set()
    out: list[Candidate] = []
    total = sum(runs(m, graph) for m in methods)
    done = 0
    for method in methods:
        for parameter, membership in _PROPOSERS[method](graph, seed):
            done += 1
            if progress:
                progress(method, done, total)
            if membership in seen:
                continue
            seen.add(membership)
            partition = class_partition(graph, membership)
            out.append(
                Candidate(
                    method=method,
                    parameter=parameter,
                    membership=membership,
                    scores=score(partition, volumes, use_cases),
                    modularity=_modularity(graph, membership),
                )
            )
    return out


def choose(pool: Sequence[Candidate], services: int | None = None) -> Candidate | None:
    """The best candidate by mean rank (see module doc); with ``services``, only those of that K."""
    usable = [c for c in pool if not degenerate(c.membership)]
    if services is not None:
        usable = [c for c in pool if services == c.scores.K]
    if not usable:
        return None
    ranks = borda(usable)
    best = min(
        range(len(usable)),
        key=lambda i: (round(ranks[i], 9), -round(usable[i].modularity, 9), usable[i].scores.K, i),
    )
    return usable[best]


def merge_to(graph: ClassGraph, membership: Sequence[int], k: int) -> tuple[int, ...]:
    """Merge the two most strongly coupled clusters (weight / (n_i n_j)) until ``k`` remain."""
    labels = list(membership)
    while len(set(labels)) > k:
        size: dict[int, int] = defaultdict(int)
        for lab in labels:
            size[lab] += 1
        between: dict[tuple[int, int], float] = defaultdict(float)
        for (i, j), w in graph.edges.items():
            a, b = labels[i], labels[j]
            if a != b:
                between[(min(a, b), max(a, b))] += w
        if between:
            (a, b), _ = max(
                between.items(), key=lambda kv: (kv[1] / (size[kv[0][0]] * size[kv[0][1]]), -kv[0][0])
            )
        else:  # no edges left between clusters: merge the two smallest
            a, b = sorted(sorted(size, key=lambda c: (size[c], c))[:2])
        labels = [a if lab == b else lab for lab in labels]
    return _normalise(labels)


def split_to(graph: ClassGraph, membership: Sequence[int], k: int, seed: int) -> tuple[int, ...]:
    """Split the largest cluster in two (spectral bisection of its subgraph) until ``k`` exist."""
    from sklearn.cluster import SpectralClustering

    labels = list(membership)
    dense = _dense(graph)
    while len(set(labels)) < k:
        counts: dict[int, int] = defaultdict(int)
        for lab in labels:
            counts[lab] += 1
        biggest = max(counts, key=lambda c: (counts[c], -c))
        members = [i for i, lab in enumerate(labels) if lab == biggest]
        if len(members) < 2:
            break
        sub = dense[np.ix_(members, members)] + 1e-6
        np.fill_diagonal(sub, 0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            halves = SpectralClustering(
                n_clusters=2, affinity="precomputed", random_state=seed, assign_labels="cluster_qr"
            ).fit_predict(sub)
        if len(set(halves.tolist())) < 2:
            halves = np.array([0] * (len(members) // 2) + [1] * (len(members) - len(members) // 2))
        new = max(labels) + 1
        for idx, half in zip(members, halves.tolist(), strict=True):
            if half == 1:
                labels[idx] = new
    return _normalise(labels)


def cluster(
    mono: Monolith,
    graph: ClassGraph,
    methods: Sequence[str] = DEFAULT_METHODS,
    services: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Clustering:
    """Propose candidates with ``methods`` and choose one (of exactly ``services`` when given)."""
    pool = candidates(mono, graph, methods, seed, progress)
    chosen = choose(pool, services)
    if chosen is None:
        chosen = _forced(mono, graph, pool, services, seed)
    return Clustering(chosen=chosen, candidates=pool)


def _forced(
    mono: Monolith, graph: ClassGraph, pool: Sequence[Candidate], services: int | None, seed: int
) -> Candidate:
    """A candidate of exactly ``services`` clusters, merged or split from the nearest one."""
    n = len(graph.nodes)
    target = services if services is not None else min(2, n)
    target = max(1, min(target, n))
    base = min(
        pool,
        key=lambda c: (abs(c.scores.K - target), target > c.scores.K, -c.modularity),
        default=None,
    )
    membership: tuple[int, ...] = base.membership if base else tuple(0 for _ in range(n))
    if len(set(membership)) > target:
        membership = merge_to(graph, membership, target)
    elif len(set(membership)) < target:
        membership = split_to(graph, membership, target, seed)
    volumes, use_cases = own_inputs(mono)
    return Candidate(
        method=(base.method if base else "none") + "+adjusted",
        parameter=float(target),
        membership=membership,
        scores=score(class_partition(graph, membership), volumes, use_cases),
        modularity=_modularity(graph, membership),
    )


def enforce_pins(
    graph: ClassGraph, membership: Sequence[int], pins: Mapping[str, str]
) -> tuple[int, ...]:
    """Separate pinned classes of different services that landed in one cluster.

    Pinned classes of one service are a single node already (kept together). In a cluster holding
    nodes pinned to different services, each unpinned node joins the pinned node of that cluster
    it is most strongly connected to (the first pinned node on a tie)."""
    labels = list(membership)
    node_pin: dict[int, str] = {}
    for i, group in enumerate(graph.nodes):
        names = {pins[c] for c in group if c in pins}
        if names:
            node_pin[i] = sorted(names)[0]
    dense: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), w in graph.edges.items():
        dense[i][j] = w
        dense[j][i] = w
    next_label = max(labels, default=-1) + 1
    for lab in sorted(set(labels)):
        members = [i for i, x in enumerate(labels) if x == lab]
        pinned = sorted({node_pin[i] for i in members if i in node_pin})
        if len(pinned) < 2:
            continue
        anchor = {name: [i for i in members if node_pin.get(i) == name] for name in pinned}
        new_label = {pinned[0]: lab}
        for name in pinned[1:]:
            new_label[name] = next_label
            next_label += 1
        for i in members:
            if i in node_pin:
                labels[i] = new_label[node_pin[i]]
                continue
            strength = {
                name: sum(dense[i].get(j, 0.0) for j in nodes) for name, nodes in anchor.items()
            }
            best = max(pinned, key=lambda name: (strength[name], -pinned.index(name)))
            labels[i] = new_label[best]
    return _normalise(labels)

