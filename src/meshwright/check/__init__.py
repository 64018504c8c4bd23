"""Design review: a catalogue of architecture rules run over a model (`meshwright check`).

    report = run_check(loaded, select=["MW2"], ignore=["MW214"])
    report.findings  # located, sorted; report.suppressed holds accepted ones
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from meshwright.lazy import lazy_names

if TYPE_CHECKING:  # the rules and their analyses load on first use (networkx, SciPy)
    from meshwright.check.engine import CheckReport, parse_options, run_check
    from meshwright.check.registry import all_rules, get_rule, select_rules
    from meshwright.check.rule import Finding, Hit, Rule, Severity

_HOME = {
    "CheckReport": "meshwright.check.engine",
    "parse_options": "meshwright.check.engine",
    "run_check": "meshwright.check.engine",
    "all_rules": "meshwright.check.registry",
    "get_rule": "meshwright.check.registry",
    "select_rules": "meshwright.check.registry",
    "Finding": "meshwright.check.rule",
    "Hit": "meshwright.check.rule",
    "Rule": "meshwright.check.rule",
    "Severity": "meshwright.check.rule",
}


__getattr__ = lazy_names(__name__, _HOME)

__all__ = [
    "CheckReport",
    "Finding",
    "Hit",
    "Rule",
    "Severity",
    "all_rules",
    "get_rule",
    "parse_options",
    "run_check",
    "select_rules",
]
