"""Run rules over a model, apply suppressions, and collect located findings.

A finding is suppressed when the element it points at, or any element containing it (up
to the model itself), has ``suppress: {CODE: reason}`` for its code. Suppressed findings
are not reported but are kept and counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from meshwright.check.context import RuleContext
from meshwright.check.registry import option_defaults, select_rules
from meshwright.check.rule import Finding, Related, Rule, Severity
from meshwright.errors import Location, UsageError
from meshwright.model.loader import LoadedModel
from meshwright.model.source import PathKey, no_gc

FAIL_LEVELS = ("error", "warning", "info", "never")


@dataclass
class CheckReport:
    """The result of one check run."""

    system: str
    rules: list[str]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Severity}

    def fails(self, fail_on: str = "error") -> bool:
        """True when a reported finding is at or above ``fail_on`` (never: always False)."""
        if fail_on == "never":
            return False
        threshold = Severity(fail_on).rank
        return any(f.severity.rank >= threshold for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "rules_run": len(self.rules),
            "counts": {**self.counts(), "suppressed": len(self.suppressed)},
            "findings": [f.to_json() for f in self.findings],
            "suppressed": [f.to_json() for f in self.suppressed],
        }


def parse_options(pairs: Sequence[str]) -> dict[str, float]:
    """``NAME=VALUE`` strings to rule options; unknown names and non-numbers are usage errors."""
    known = option_defaults()
    out: dict[str, float] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        name = name.strip()
        if not eq or name not in known:
            raise UsageError(
                f"--option {pair!r}: expected NAME=VALUE with NAME one of: {', '.join(sorted(known))}"
            )
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f"--option {pair!r}: {value!r} is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise UsageError(
                f"--option {pair!r}: a threshold is a finite number ≥ 0, e.g. {name}={known[name]:g}"
            )
        out[name] = number
    return out


def run_check(
    loaded: LoadedModel,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    options: dict[str, float] | None = None,
    rules: Sequence[type[Rule]] | None = None,
) -> CheckReport:
    """Run the selected rules (or exactly ``rules``) and return sorted, located findings.

    The cyclic GC is paused meanwhile: rules and analyses make millions of small acyclic
    objects next to a large model, and each full collection would walk all of them (at
    1,000 services a tenth of the run went there)."""
    with no_gc():
        return _run_check(loaded, select, ignore, options, rules)


def _run_check(
    loaded: LoadedModel,
    select: list[str] | None,
    ignore: list[str] | None,
    options: dict[str, float] | None,
    rules: Sequence[type[Rule]] | None,
) -> CheckReport:
    chosen = list(rules) if rules is not None else select_rules(select, ignore)
    ctx = RuleContext(loaded, dict(options or {}))
    report = CheckReport(system=loaded.model.system, rules=[r.code for r in chosen])
    seen: set[tuple[str, PathKey, str]] = set()
    suppressed_at = Suppressions(loaded.model)
    located: dict[PathKey, Location] = {}  # findings at one call share its place

    def locate(path: PathKey) -> Location:
        found = located.get(path)
        if found is None:
            found = located[path] = loaded.sources.locate(path)
        return found

    for rule_cls in chosen:
        rule = rule_cls()
        code, name, severity, fix = rule.code, rule.name, rule.severity, rule.fix
        for hit in rule.check(ctx):
            path = hit.path
            key = (code, path, hit.message)
            if key in seen:
                continue
            seen.add(key)
            reason = suppressed_at.reason(path, code)
            finding = Finding(
                code=code,
                name=name,
                severity=severity,
                message=hit.message,
                location=locate(path),
                path=path,
                fix=fix,
                suppressed=reason,
                related=inherited_by(loaded, path, locate),
            )
            (report.findings if reason is None else report.suppressed).append(finding)
    order = lambda f: (f.location, f.code, f.message)  # noqa: E731
    report.findings.sort(key=order)
    report.suppressed.sort(key=order)
    return report


def inherited_by(
    loaded: LoadedModel, path: PathKey, locate: Callable[[PathKey], Location] | None = None
) -> tuple[Related, ...]:
    """For a finding at a value ``defaults.call`` gave a call (the finding is located at
    the default): the call that inherits it, so the reader sees both places (located by
    ``locate``, by default ``loaded.sources.locate``)."""
    found = loaded.sources.inherited_from(path)
    if found is None:
        return ()
    field_path, default_path = found
    call_path = field_path[:-1]
    dotted = ".".join(str(p) for p in default_path)
    return (
        Related(
            f"the call that inherits {dotted} (set the field on this call to override it)",
            (locate or loaded.sources.locate)(call_path),
            call_path,
        ),
    )


def suppression(loaded: LoadedModel, path: PathKey, code: str) -> str | None:
    """The reason ``code`` is suppressed at ``path`` (the element or an ancestor), else None."""
    for node in elements_along(loaded.model, path):
        sup = getattr(node, "suppress", None)
        if isinstance(sup, dict) and code in sup:
            return str(sup[code])
    return None


class Suppressions:
    """:func:`suppression` for many findings of one model: the elements along each path
    prefix and the ``suppress`` entries in force there (the outermost reason of a code
    wins) are found once per prefix, not once per finding."""

    def __init__(self, root: Any) -> None:
        self._at: dict[PathKey, tuple[Any, dict[str, str]]] = {(): (root, _own(root, {}))}

    def reason(self, path: PathKey, code: str) -> str | None:
        """The reason ``code`` is suppressed at ``path``, else None (as :func:`suppression`)."""
        return self._entry(path)[1].get(code)

    def _entry(self, path: PathKey) -> tuple[Any, dict[str, str]]:
        found = self._at.get(path)
        if found is None:
            node, inherited = self._entry(path[:-1])
            child = None if node is None else _step(node, path[-1])
            found = (None, inherited) if child is None else (child, _own(child, inherited))
            self._at[path] = found
        return found


def _own(node: Any, inherited: dict[str, str]) -> dict[str, str]:
    """The entries in force at ``node``: those of its ancestors, then its own new codes."""
    sup = getattr(node, "suppress", None)
    if not isinstance(sup, dict) or not sup or all(c in inherited for c in sup):
        return inherited
    return {**{c: str(r) for c, r in sup.items()}, **inherited}


def _step(node: Any, part: str | int) -> Any:
    """The element ``part`` names below ``node`` (an attribute, key or index), else None."""
    if isinstance(node, BaseModel) and isinstance(part, str):
        return getattr(node, part, None)
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def elements_along(root: Any, path: PathKey) -> list[Any]:
    """The model elements from ``root`` down ``path`` (attributes, keys, indexes)."""
    out = [root]
    node = root
    for part in path:
        node = _step(node, part)
        if node is None:
            break
        out.append(node)
    return out
