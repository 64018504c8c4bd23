"""The engine: located findings, suppressions, selection, fail levels, options."""

from __future__ import annotations

import re

import pytest
from check_cases import load_case

from meshwright.check import Severity, all_rules, parse_options, run_check, select_rules
from meshwright.check.engine import Suppressions, suppression
from meshwright.check.rule import FAMILIES
from meshwright.errors import UsageError

NO_TIMEOUT = """\
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls:
      - to: cart.Get
  cart:
    apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
"""


def test_catalogue_has_forty_rules_with_codes_by_family() -> None:
    rules = all_rules()
    assert len(rules) >= 40
    for r in rules:
        assert r.code[:3] in FAMILIES
        assert r.summary() and r.rationale and r.fix
        assert "." in r.name and r.name == r.name.lower()


def test_finding_points_at_the_offending_call() -> None:
    report = run_check(load_case(NO_TIMEOUT, "mesh.yaml"), select=["MW201"])
    [finding] = report.findings
    assert finding.code == "MW201" and finding.severity is Severity.error
    # the header (2 lines) is added by load_case; the call is on line 5 of the case
    assert (finding.location.file, finding.location.line, finding.location.col) == ("mesh.yaml", 7, 9)
    assert finding.message == "call web → cart.Get has no timeout"


def test_suppression_on_the_element_hides_and_counts_the_finding() -> None:
    accepted = '      - {to: cart.Get, suppress: {MW201: "cart answers from memory"}}'
    text = NO_TIMEOUT.replace("      - to: cart.Get", accepted)
    report = run_check(load_case(text), select=["MW201"])
    assert report.findings == []
    [hidden] = report.suppressed
    assert hidden.suppressed == "cart answers from memory"
    assert report.to_json()["counts"]["suppressed"] == 1


def test_suppression_on_an_ancestor_covers_what_it_contains() -> None:
    service_level = NO_TIMEOUT.replace("  web:\n", '  web:\n    suppress: {MW201: "legacy client"}\n')
    assert run_check(load_case(service_level), select=["MW201"]).findings == []
    model_level = 'suppress: {MW201: "prototype"}\n' + NO_TIMEOUT
    assert run_check(load_case(model_level), select=["MW201"]).findings == []


def test_outermost_suppression_gives_the_reason_for_every_finding_below_it() -> None:
    nested = NO_TIMEOUT.replace("  web:\n", '  web:\n    suppress: {MW201: "legacy client"}\n').replace(
        "      - to: cart.Get", '      - {to: cart.Get, suppress: {MW201: "cart answers from memory"}}'
    )
    loaded = load_case(nested)
    [hidden] = run_check(loaded, select=["MW201"]).suppressed
    assert hidden.suppressed == "legacy client"
    index = Suppressions(loaded.model)
    for path in [(), ("services",), ("services", "web", "calls", 0, "timeout"), ("services", "cart"),
                 ("services", "nobody", "calls", 0), ("services", "web", "calls", 5), ("topics", "x")]:
        for code in ("MW201", "MW203"):
            assert index.reason(path, code) == suppression(loaded, path, code)


def test_suppression_without_reason_is_itself_an_error() -> None:
    text = NO_TIMEOUT.replace("  web:\n", '  web:\n    suppress: {MW201: ""}\n')
    report = run_check(load_case(text), select=["MW0", "MW201"])
    assert [f.code for f in report.findings] == ["MW001"]
    assert len(report.suppressed) == 1
    assert report.fails("error")


def test_select_and_ignore_by_prefix() -> None:
    assert {r.code[:3] for r in select_rules(["MW2"])} == {"MW2"}
    assert "MW201" not in [r.code for r in select_rules(["MW2"], ["MW201"])]
    assert [r.code for r in select_rules(["mw203"])] == ["MW203"]
    with pytest.raises(UsageError, match="matches no rule"):
        select_rules(["MW9"])
    with pytest.raises(UsageError):
        select_rules(ignore=["timeouts"])


@pytest.mark.parametrize(
    ("fail_on", "fails"), [("error", False), ("warning", True), ("info", True), ("never", False)]
)
def test_fail_on_levels(fail_on: str, fails: bool) -> None:
    text = """\
contexts: {shop: {owner: team}}
services:
  cart: {context: shop, image: "r.example/cart:1.0", runtime: {replicas: 2, cpu: 100m, memory: 64Mi}}
"""
    report = run_check(load_case(text), select=["MW6"])
    assert report.counts() == {"error": 0, "warning": 1, "info": 0}  # MW603 no memory limit
    assert report.fails(fail_on) is fails


def test_options_parse_and_apply() -> None:
    assert parse_options(["amplification_threshold=4"]) == {"amplification_threshold": 4.0}
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_options(["no_such_option=1"])
    with pytest.raises(UsageError, match="not a number"):
        parse_options(["max_depth=deep"])


@pytest.mark.parametrize("value", ["nan", "inf", "-5"])
def test_options_must_be_finite_and_not_negative(value: str) -> None:
    """`nan` compares false with everything: it used to turn thresholds into findings anywhere."""
    with pytest.raises(UsageError, match=re.escape("finite number ≥ 0, e.g. amplification_threshold=10")):
        parse_options([f"amplification_threshold={value}"])


def test_findings_are_sorted_by_location() -> None:
    shop = "  shop:\n    apis: [{name: S, port: 80, operations: {A: {calls: [{to: cart.Get}]}}}]\n"
    text = NO_TIMEOUT + shop
    report = run_check(load_case(text), select=["MW201"])
    lines = [f.location.line for f in report.findings]
    assert len(lines) == 2 and lines == sorted(lines)
