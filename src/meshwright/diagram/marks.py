"""Which model element each finding is about, and the worst severity per element: what
colours a diagram's nodes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from meshwright.check.rule import Finding, Severity

ElementKey = tuple[str, ...]
"""("service", name), ("datastore", name), ("topic", name), ("context", name),
("operation", "service.op") or ("entrypoint", index)."""


def elements_of(finding: Finding) -> list[ElementKey]:
    """The elements a finding is about, innermost last: a call's finding is about its
    service and, when the call belongs to one operation, that operation."""
    p = finding.path
    out: list[ElementKey] = []
    if len(p) >= 2 and p[0] == "services":
        service = str(p[1])
        out.append(("service", service))
        if len(p) >= 4 and p[2] == "datastores":
            out.append(("datastore", str(p[3])))
        if len(p) >= 6 and p[2] == "apis" and p[4] == "operations":
            out.append(("operation", f"{service}.{p[5]}"))
    elif len(p) >= 2 and p[0] in ("topics", "contexts"):
        out.append((str(p[0])[:-1], str(p[1])))
    elif len(p) >= 2 and p[0] == "entrypoints":
        out.append(("entrypoint", str(p[1])))
    return out


@dataclass
class Marks:
    """Worst severity and finding messages per model element."""

    worst: dict[ElementKey, Severity] = field(default_factory=dict)
    messages: dict[ElementKey, list[str]] = field(default_factory=dict)

    def severity(self, *key: str) -> Severity | None:
        return self.worst.get(tuple(key))

    def tooltip(self, *key: str, limit: int = 5) -> str:
        """The element's findings, one a line (at most ``limit``)."""
        lines = self.messages.get(tuple(key), [])
        more = [f"… {len(lines) - limit} more"] if len(lines) > limit else []
        return "\n".join(lines[:limit] + more)


def marks(findings: Iterable[Finding]) -> Marks:
    """The worst severity of the findings on every element (suppressed ones excluded)."""
    out = Marks()
    for f in findings:
        if f.suppressed is not None:
            continue
        for key in elements_of(f):
            old = out.worst.get(key)
            if old is None or f.severity.rank > old.rank:
                out.worst[key] = f.severity
            out.messages.setdefault(key, []).append(f"{f.code} {f.severity.value}: {f.message}")
    return out
