"""The one registry of rules: every family package lists its rules in ``RULES``.

Selection works like ruff's: ``select`` and ``ignore`` take codes or code prefixes
(``MW2`` = every resilience rule, ``MW20`` = MW200-MW209).
"""

from __future__ import annotations

import importlib
from functools import cache

from meshwright.check.rule import CODE_PATTERN, Rule
from meshwright.errors import UsageError

FAMILY_PACKAGES: tuple[str, ...] = (
    "meshwright.check.meta",
    "meshwright.check.boundaries",
    "meshwright.check.resilience",
    "meshwright.check.slo",
    "meshwright.check.messaging",
    "meshwright.check.security",
    "meshwright.check.operations",
    "meshwright.check.mesh",
)


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code; codes and names are unique."""
    rules: list[type[Rule]] = []
    for package in FAMILY_PACKAGES:
        rules.extend(importlib.import_module(package).RULES)
    rules.sort(key=lambda r: r.code)
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    for code in codes:
        if not CODE_PATTERN.match(code):
            raise AssertionError(f"rule code {code!r} is not MW + 3 digits")
    if len(set(codes)) != len(codes) or len(set(names)) != len(names):
        raise AssertionError("rule codes and names must be unique")
    return tuple(rules)


def get_rule(code: str) -> type[Rule]:
    """The rule with ``code`` (case-insensitive) or name; a usage error if there is none."""
    key = code.strip()
    for rule in all_rules():
        if rule.code == key.upper() or rule.name == key:
            return rule
    raise UsageError(f"unknown rule '{code}'; list the rules with `meshwright rules`")


def _check_prefixes(prefixes: list[str], option: str) -> list[str]:
    out = []
    for raw in prefixes:
        p = raw.strip().upper()
        if not p:
            continue
        if not p.startswith("MW") or not any(r.code.startswith(p) for r in all_rules()):
            raise UsageError(
                f"{option} {raw!r} matches no rule; use a code (MW201) or a prefix (MW2); "
                "list the rules with `meshwright rules`"
            )
        out.append(p)
    return out


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> list[type[Rule]]:
    """Rules whose code starts with a ``select`` prefix (all when empty), minus ``ignore``."""
    sel = _check_prefixes(select or [], "--select")
    ign = _check_prefixes(ignore or [], "--ignore")
    return [
        r
        for r in all_rules()
        if (not sel or any(r.code.startswith(p) for p in sel))
        and not any(r.code.startswith(p) for p in ign)
    ]


def option_defaults() -> dict[str, float]:
    """Every rule option with its default value."""
    out: dict[str, float] = {}
    for rule in all_rules():
        out.update(rule.options)
    return out
