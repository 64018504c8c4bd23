"""`meshwright check` and `meshwright rules` as a user runs them: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from check_cases import with_header
from typer.testing import CliRunner

from meshwright.cli import app

runner = CliRunner()

BAD = """\
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: cart.Get}]
  cart:
    apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
"""


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "mesh.yaml"
    path.write_text(with_header(BAD), encoding="utf-8")
    return path


def test_check_reports_located_findings_and_exits_1(model: Path) -> None:
    r = runner.invoke(app, ["check", str(model), "--select", "MW201"], env={"COLUMNS": "200"})
    assert r.exit_code == 1
    assert f"{model}:6:13: MW201 error call web → cart.Get has no timeout" in r.output
    assert "fix: Set `timeout:`" in r.output


def test_fail_on_and_ignore_change_the_exit_code(model: Path) -> None:
    assert runner.invoke(app, ["check", str(model), "--select", "MW201", "--fail-on", "never"]).exit_code == 0
    ignored = ["check", str(model), "--select", "MW2", "--ignore", "MW201,MW205"]
    assert runner.invoke(app, ignored).exit_code == 0
    r = runner.invoke(app, ["check", str(model), "--select", "MW6", "--fail-on", "warning"])
    assert r.exit_code == 1  # no resource requests is a warning


def test_check_json_and_sarif_to_a_file(model: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["check", str(model), "--format", "json", "--fail-on", "never"])
    data = json.loads(r.output)
    assert data["system"] == "case" and data["counts"]["error"] >= 1
    out = tmp_path / "findings.sarif"
    r = runner.invoke(app, ["check", str(model), "-f", "sarif", "-o", str(out), "--fail-on", "never"])
    assert r.exit_code == 0
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_option_tunes_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    retried = BAD.replace("calls: [{to: cart.Get}]", "calls: [{to: cart.Get, timeout: 1s, retries: 3}]")
    path.write_text(with_header(retried))
    args = ["check", str(path), "--select", "MW206", "-f", "json"]
    assert json.loads(runner.invoke(app, args).output)["findings"] == []
    found = json.loads(runner.invoke(app, [*args, "--option", "amplification_threshold=3"]).output)
    assert [f["code"] for f in found["findings"]] == ["MW206"]


def test_rules_lists_and_explains() -> None:
    r = runner.invoke(app, ["rules", "--format", "json"])
    rules = json.loads(r.output)
    assert len(rules) >= 40 and rules[0]["code"] == "MW001"
    r = runner.invoke(app, ["rules", "MW203"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    parts = ("resilience.retry-non-idempotent", "Why", "Fix", "Anti-pattern", "Best practice", "idempotent")
    for part in parts:
        assert part in r.output
    r = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert "MW201" in r.output and "resilience.call-without-timeout" in r.output


def test_usage_mistakes_exit_2(model: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "meshwright", *args], capture_output=True, text=True, check=False,
            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        )

    r = run("check", str(model), "--select", "MW9")
    assert r.returncode == 2 and "matches no rule" in r.stderr
    r = run("rules", "MW999")
    assert r.returncode == 2 and "unknown rule" in r.stderr
    r = run("check", str(model), "-o", str(model.parent))  # a directory, not a file
    assert r.returncode == 2 and "cannot write the report" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("check", str(model), "-o", str(model.parent / "missing" / "findings.json"))
    assert r.returncode == 2 and "cannot write the report" in r.stderr


def test_text_lines_are_never_wrapped(model: Path) -> None:
    """A finding stays on one line on a narrow terminal or in a CI log (file:line:col whole)."""
    r = runner.invoke(app, ["check", str(model), "--select", "MW201"], env={"COLUMNS": "40"})
    assert f"{model}:6:13: MW201 error call web → cart.Get has no timeout" in r.output
    assert "    fix: Set `timeout:` on the call, or once for all calls under" in r.output


def test_report_to_a_file_keeps_stdout_empty(model: Path, tmp_path: Path) -> None:
    """With -o the report goes to the file and the status line to stderr, as for every command."""
    out = tmp_path / "findings.json"
    r = subprocess.run(
        [sys.executable, "-m", "meshwright", "check", str(model), "-f", "json", "-o", str(out)],
        capture_output=True, text=True, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert r.returncode == 1
    assert r.stdout == ""
    assert f"wrote {out}: " in r.stderr
    assert json.loads(out.read_text())["counts"]["error"] >= 1
