"""What a rule is and what it finds: severities, the :class:`Rule` base class, findings.

A rule is one small class with a code (``MW`` + 3 digits, hundreds by family), a name
(``family.what-is-wrong``), a severity, a rationale, a fix and references; its docstring's
first line is its summary and its **Anti-pattern** / **Best practice** YAML blocks are the
examples the docs show. ``check(ctx)`` yields :class:`Hit` s: a model path and a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from meshwright.check.context import RuleContext
from meshwright.errors import Location
from meshwright.model.source import PathKey

CODE_PATTERN = re.compile(r"^MW\d{3}$")

FAMILIES: dict[str, str] = {
    "MW0": "meta",
    "MW1": "boundaries and data",
    "MW2": "resilience",
    "MW3": "SLO",
    "MW4": "messaging",
    "MW5": "security",
    "MW6": "operations",
    "MW7": "mesh",
}
"""Family of each hundred of rule codes."""


class Severity(StrEnum):
    """How bad a finding is; ``rank`` orders them (error highest)."""

    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Hit:
    """What a rule reports: the offending element's model path and a message."""

    path: PathKey
    message: str


class Rule:
    """Base class of every rule; subclasses set the class attributes and ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    rationale: ClassVar[str]
    fix: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[dict[str, float]] = {}
    """Tunable numbers with their defaults, set with ``--option NAME=VALUE``."""

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0].strip() if cls.__doc__ else ""

    @classmethod
    def family(cls) -> str:
        return FAMILIES.get(cls.code[:3], "other")

    @classmethod
    def examples(cls) -> dict[str, str]:
        """The docstring's YAML blocks by heading: ``anti-pattern`` and ``best-practice``."""
        doc = cls.__doc__ or ""
        out: dict[str, str] = {}
        for heading, body in _EXAMPLE.findall(doc):
            out[heading.lower().replace(" ", "-")] = _dedent(body)
        return out

    def option(self, ctx: RuleContext, name: str) -> float:
        """The value of option ``name``: from the run's options, else this rule's default."""
        return ctx.options.get(name, self.options[name])


_EXAMPLE = re.compile(r"\*\*(Anti-pattern|Best practice)\*\*\s*\n\s*```yaml\n(.*?)\n\s*```", re.S)


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[indent:] for x in lines).strip("\n") + "\n"


@dataclass(frozen=True)
class Related:
    """A second place a finding concerns (SARIF ``relatedLocations``), e.g. the call that
    inherits the ``defaults.call`` value a finding points at."""

    message: str
    location: Location
    path: PathKey

    def to_json(self) -> dict[str, object]:
        return {"message": self.message, "file": self.location.file, "line": self.location.line,
                "col": self.location.col, "path": ".".join(str(p) for p in self.path)}


@dataclass(frozen=True)
class Finding:
    """One located finding of one rule; ``suppressed`` holds the accepting reason, if any."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    path: PathKey
    fix: str
    suppressed: str | None = field(default=None, compare=False)
    related: tuple[Related, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "path": ".".join(str(p) for p in self.path),
            "fix": self.fix,
        }
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed
        if self.related:
            data["related"] = [r.to_json() for r in self.related]
        return data
