"""Findings for the report: grouped by severity, then rule; each linked to the rule's
bundled documentation (from the same rule classes as docs/rules/) and to its model line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from meshwright.check.engine import CheckReport
from meshwright.check.registry import get_rule
from meshwright.check.rule import Finding, Rule, Severity


@dataclass
class RuleGroup:
    rule: type[Rule]
    findings: list[tuple[Finding, str | None]] = field(default_factory=list)
    """Each finding with the link to its model file and line (None without a file)."""


@dataclass
class SeverityGroup:
    severity: Severity
    rules: list[RuleGroup]

    @property
    def count(self) -> int:
        return sum(len(g.findings) for g in self.rules)


def source_link(file: str, line: int, base: Path | None) -> str | None:
    """A link to a model file and line, relative to the report's directory ``base``
    (``services/cart.yaml#L12``); None when the file is unknown."""
    if not file or file.startswith("<"):
        return None
    target = Path(file).resolve()
    href = os.path.relpath(target, base.resolve()) if base is not None else target.as_uri()
    href = Path(href).as_posix() if base is not None else href
    return f"{href}#L{line}" if line > 0 else href


def grouped(report: CheckReport, base: Path | None) -> list[SeverityGroup]:
    """Severity groups (error first), rule groups by code within each."""
    out = []
    for sev in sorted(Severity, key=lambda s: -s.rank):
        by_rule: dict[str, RuleGroup] = {}
        for f in report.findings:
            if f.severity is sev:
                group = by_rule.setdefault(f.code, RuleGroup(get_rule(f.code)))
                group.findings.append((f, source_link(f.location.file, f.location.line, base)))
        if by_rule:
            out.append(SeverityGroup(sev, [by_rule[c] for c in sorted(by_rule)]))
    return out


def documented_rules(report: CheckReport) -> list[type[Rule]]:
    """The rules whose documentation the report bundles: those with findings (reported or
    suppressed)."""
    codes = sorted({f.code for f in [*report.findings, *report.suppressed]})
    return [get_rule(c) for c in codes]
