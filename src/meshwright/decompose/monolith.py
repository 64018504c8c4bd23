"""What decomposition knows about a monolith, whatever the input kind it was extracted from.

Every extractor (runtime traces, source code) produces a :class:`Monolith`; several can be
merged. Classes are the unit a decomposition assigns to services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

ENTRY = "Root"
"""Pseudo-class standing for the outside world (the caller of entry methods)."""


@dataclass
class ClassInfo:
    """One class of the monolith: where it is, its methods, the use cases it takes part in."""

    name: str
    path: str = ""
    methods: set[str] = field(default_factory=set)
    use_cases: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CallEvent:
    """One runtime call; ``parent`` is the index of the call it happened inside (-1: none)."""

    parent: int
    caller: str
    caller_method: str
    callee: str
    callee_method: str


@dataclass
class Monolith:
    """Classes and the relations between them.

    - ``calls[(a, b)]``: runtime calls from class ``a`` to class ``b`` (``a`` may be ENTRY);
    - ``method_calls[(a, am, b, bm)]``: the same per method, for the APIs of services;
    - ``static[(a, b)]``: structural dependencies (calls, field types, inheritance) found in
      source, weighted by how many references were seen;
    - ``use_cases``: use case → classes that take part in it;
    - ``sources``: what the information came from (for the report).
    """

    classes: dict[str, ClassInfo] = field(default_factory=dict)
    calls: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    method_calls: dict[tuple[str, str, str, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    static: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    use_cases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sources: list[str] = field(default_factory=list)
    events: list[CallEvent] = field(default_factory=list)
    seconds: float = 0.0
    """Time the runtime traces cover (for entry rates); 0 without traces."""

    def cls(self, name: str, path: str = "") -> ClassInfo:
        """The class called ``name``, created on first use."""
        info = self.classes.get(name)
        if info is None:
            info = self.classes[name] = ClassInfo(name=name, path=path)
        elif path and not info.path:
            info.path = path
        return info

    def add_call(
        self, caller: str, caller_method: str, callee: str, callee_method: str, count: int = 1
    ) -> None:
        self.calls[(caller, callee)] += count
        self.method_calls[(caller, caller_method, callee, callee_method)] += count

    def add_use(self, use_case: str, cls: str) -> None:
        self.use_cases[use_case].add(cls)
        if cls in self.classes:
            self.classes[cls].use_cases.add(use_case)

    def class_names(self) -> list[str]:
        """The classes a decomposition assigns (ENTRY excluded), sorted."""
        return sorted(c for c in self.classes if c != ENTRY)

    def merge(self, other: Monolith) -> None:
        """Add everything ``other`` knows to this monolith."""
        for name, info in other.classes.items():
            mine = self.cls(name, info.path)
            mine.methods |= info.methods
            mine.use_cases |= info.use_cases
            mine.reads |= info.reads
            mine.writes |= info.writes
        for key, n in other.calls.items():
            self.calls[key] += n
        for mkey, n in other.method_calls.items():
            self.method_calls[mkey] += n
        for skey, w in other.static.items():
            self.static[skey] += w
        for case, classes in other.use_cases.items():
            self.use_cases[case] |= classes
        self.sources.extend(other.sources)
        offset = len(self.events)
        for e in other.events:
            parent = e.parent + offset if e.parent >= 0 else -1
            self.events.append(
                CallEvent(parent, e.caller, e.caller_method, e.callee, e.callee_method)
            )
        self.seconds += other.seconds
