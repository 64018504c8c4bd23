"""From a monolith and the user's constraints to named services: the decomposition itself."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from meshwright.decompose.classgraph import ClassGraph, build_graph, pair_weights
from meshwright.decompose.cluster import (
    DEFAULT_METHODS,
    Clustering,
    Progress,
    class_partition,
    cluster,
    enforce_pins,
)
from meshwright.decompose.monolith import Monolith
from meshwright.errors import UsageError

_SUFFIXES = (
    "DataBean", "Bean", "Impl", "Dao", "DAO", "Controller", "Servlet", "Service", "Manager",
    "Action", "Form", "Validator", "Handler", "Resource", "Facade", "Repository", "Helper",
)  # fmt: skip
_PREFIXES = ("SqlMap", "Trade", "Jdbc", "Jpa", "Abstract", "Base", "Default")


@dataclass
class Constraints:
    """What the user fixes: classes kept together, classes pinned to a named service, K."""

    together: list[list[str]] = field(default_factory=list)
    pins: dict[str, str] = field(default_factory=dict)
    services: int | None = None

    def check(self, mono: Monolith) -> None:
        """Raise :class:`UsageError` for a constraint naming an unknown class."""
        known = set(mono.class_names())
        for name in [c for g in self.together for c in g] + list(self.pins):
            if name not in known:
                close = sorted(k for k in known if k.lower() == name.lower())
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(
                    f"constraint names class {name!r}, which the input does not contain{hint}: "
                    "use a class name as it appears in the traces or source"
                )
        if self.services is not None and not 1 <= self.services <= len(known):
            raise UsageError(
                f"--services {self.services} is outside 1..{len(known)} (the number of classes)"
            )
        names = set(self.pins.values())
        if self.services is not None and len(names) > self.services:
            raise UsageError(
                f"{len(names)} services are pinned but --services is {self.services}: "
                "raise --services or pin fewer services"
            )
        for group in self.together:
            pinned = {self.pins[c] for c in group if c in self.pins}
            if len(pinned) > 1:
                raise UsageError(
                    f"classes kept together ({', '.join(group)}) are pinned to different services "
                    f"({', '.join(sorted(pinned))}): pin them to one service"
                )


@dataclass
class Decomposition:
    """The proposal: ``partition`` maps every class to its service's name."""

    monolith: Monolith
    graph: ClassGraph
    clustering: Clustering
    partition: dict[str, str]

    def services(self) -> dict[str, list[str]]:
        """Service name → its classes (sorted), services in name order."""
        out: dict[str, list[str]] = defaultdict(list)
        for cls, svc in sorted(self.partition.items()):
            out[svc].append(cls)
        return dict(sorted(out.items()))


def kebab(name: str) -> str:
    """``SqlMapOrderDao`` → ``sql-map-order-dao`` (letters and digits, lower case)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "service"


def stem(cls: str) -> str:
    """The domain word of a class name: ``SqlMapOrderDao`` → ``Order``."""
    base = cls.split("::")[0].split(".")[-1]
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                base, changed = base[: -len(suffix)], True
        for prefix in _PREFIXES:
            if base.startswith(prefix) and len(base) > len(prefix):
                base, changed = base[len(prefix) :], True
    return base


def core_classes(
    graph: ClassGraph,
    classes: Sequence[str],
    mono: Monolith,
    weights: dict[frozenset[str], float] | None = None,
) -> list[str]:
    """The classes of a service, most connected inside it first (edge weights; then by name).

    ``weights`` are :func:`pair_weights` of ``mono``, computed once by a caller looping over
    services."""
    inside = set(classes)
    strength: dict[str, float] = defaultdict(float)
    for pair, w in (weights if weights is not None else pair_weights(mono)).items():
        a, b = sorted(pair)
        if a in inside and b in inside:
            strength[a] += w
            strength[b] += w
    return sorted(classes, key=lambda c: (-strength[c], c))


def _names(
    groups: dict[int, list[str]], graph: ClassGraph, mono: Monolith, pins: dict[str, str]
) -> dict[int, str]:
    out: dict[int, str] = {}
    used: set[str] = set(pins.values())
    weights = pair_weights(mono)
    for label in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        pinned = sorted({pins[c] for c in groups[label] if c in pins})
        if pinned:
            out[label] = pinned[0]
            continue
        base = kebab(stem(core_classes(graph, groups[label], mono, weights)[0]))
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        out[label] = name
    return out


def decompose(
    mono: Monolith,
    constraints: Constraints | None = None,
    methods: Sequence[str] = DEFAULT_METHODS,
    seed: int = 0,
    progress: Progress | None = None,
) -> Decomposition:
    """Propose services for ``mono`` under ``constraints``; deterministic for a given seed."""
    cons = constraints or Constraints()
    cons.check(mono)
    if not mono.class_names():
        raise UsageError("the input holds no classes to decompose")
    by_service: dict[str, list[str]] = defaultdict(list)
    for cls, svc in cons.pins.items():
        by_service[svc].append(cls)
    together = [*cons.together, *by_service.values()]
    graph = build_graph(mono, together)
    clustering = cluster(mono, graph, methods, cons.services, seed, progress)
    membership = enforce_pins(graph, clustering.chosen.membership, cons.pins)
    labels = class_partition(graph, membership)
    groups: dict[int, list[str]] = defaultdict(list)
    for cls, lab in sorted(labels.items()):
        groups[lab].append(cls)
    names = _names(groups, graph, mono, cons.pins)
    return Decomposition(
        monolith=mono,
        graph=graph,
        clustering=clustering,
        partition={cls: names[lab] for cls, lab in labels.items()},
    )
