"""Every rule against its case file (tests/check/cases/MWxxx.yaml) and its docstring examples."""

from __future__ import annotations

import pytest
from check_cases import CASES, Case, load_case, read_cases

from meshwright.check import all_rules, get_rule, run_check

ALL_CASES = read_cases()


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    rule = get_rule(case.code)
    report = run_check(load_case(case.model), rules=[rule], options=case.options)
    codes = [f.code for f in report.findings]
    if case.kind == "fail":
        assert case.code in codes, f"{case.id} should trigger {case.code}"
    else:
        assert case.code not in codes, f"{case.id} should not trigger: {report.findings}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_has_cases_that_fail_and_pass(rule: type) -> None:
    kinds = {c.kind for c in ALL_CASES if c.code == rule.code}  # type: ignore[attr-defined]
    assert kinds == {"fail", "pass"}, f"write {CASES.name}/{rule.code}.yaml with fail and pass cases"  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_docstring_examples(rule: type) -> None:
    """The anti-pattern the docs show triggers the rule; the best practice does not."""
    examples = rule.examples()  # type: ignore[attr-defined]
    assert set(examples) == {"anti-pattern", "best-practice"}
    bad = run_check(load_case(examples["anti-pattern"]), rules=[rule])
    good = run_check(load_case(examples["best-practice"]), rules=[rule])
    assert rule.code in [f.code for f in bad.findings]  # type: ignore[attr-defined]
    assert rule.code not in [f.code for f in good.findings]  # type: ignore[attr-defined]
