"""Design review: a catalogue of architecture rules run over a model (`meshwright check`).

    report = run_check(loaded, select=["MW2"], ignore=["MW214"])
    report.findings  # located, sorted; report.suppressed holds accepted ones
"""

from meshwright.check.engine import CheckReport, parse_options, run_check
from meshwright.check.registry import all_rules, get_rule, select_rules
from meshwright.check.rule import Finding, Hit, Rule, Severity

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
