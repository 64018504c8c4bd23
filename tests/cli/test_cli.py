"""The command line as a user runs it: exit codes, located errors, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshwright", *args],
        capture_output=True, text=True, cwd=cwd, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_init_then_validate_then_build(tmp_path: Path) -> None:
    target = tmp_path / "sys"
    r = run("init", str(target))
    assert r.returncode == 0, r.stderr
    assert (target / "mesh.yaml").read_text().startswith("# yaml-language-server: $schema=")
    assert json.loads((target / "meshwright.schema.json").read_text())["title"] == "meshwright model"
    r = run("validate", str(target))
    assert r.returncode == 0, r.stderr
    assert "is valid" in r.stdout
    r = run("init", str(target))
    assert r.returncode == 2
    assert "--force" in r.stderr
    out = tmp_path / "out"
    r = run("build", str(target), "-o", str(out))
    assert r.returncode in (0, 1), r.stderr
    data = json.loads((out / "model.json").read_text())
    assert data["system"] == "sys"  # named after its directory


FIVE_MISTAKES = """\
meshwright: 1
system: broken
contexts:
  ordering: {owner: team-orders}
services:
  checkout:
    context: orderin
    apis:
      - {name: Checkout, protocol: grpc, port: 5050, operations: {PlaceOrder: {}}}
    calls:
      - to: payment.Chrage
        timeout: 800 msec
        retires: 3
    publishes: [order-placd]
  payment:
    context: ordering
    apis:
      - {name: Payment, protocol: grpc, port: 5051, operations: {Charge: {}}}
topics:
  order-placed: {}
"""


def test_five_mistakes_give_five_located_errors_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(FIVE_MISTAKES)
    r = run("validate", str(path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0].replace(str(path), "F") for line in lines] == [
        "F:7:14", "F:11:13", "F:12:18", "F:13:9", "F:14:17",
    ]
    assert "did you mean 'ordering'?" in r.stderr
    assert "did you mean 'Charge'?" in r.stderr
    assert "did you mean 'retries'?" in r.stderr
    assert "did you mean 'order-placed'?" in r.stderr
    assert "5 errors" in r.stderr


def test_validate_json_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(FIVE_MISTAKES)
    r = run("validate", str(path), "--format", "json")
    assert r.returncode == 2
    report = json.loads(r.stdout)
    assert report["valid"] is False
    expected = [(7, 14), (11, 13), (12, 18), (13, 9), (14, 17)]
    assert [(e["line"], e["col"]) for e in report["errors"]] == expected
    assert report["errors"][3]["hint"] == "did you mean 'retries'?"
    r = run("validate", str(tmp_path / "nope"))
    assert r.returncode == 2
    assert "no such file or directory" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_option_is_usage_error() -> None:
    r = run("validate", "--format", "xml", "x")
    assert r.returncode == 2


def test_schema_command(tmp_path: Path) -> None:
    r = run("schema")
    assert r.returncode == 0
    assert json.loads(r.stdout)["$schema"].endswith("2020-12/schema")
    r = run("schema", "-o", str(tmp_path / "s.json"))
    assert r.returncode == 0 and (tmp_path / "s.json").exists()


def test_help_teaches() -> None:
    r = run("--help")
    assert r.returncode == 0
    for word in ("init", "validate", "schema", "build"):
        assert word in r.stdout


def test_examples_validate_from_the_cli() -> None:
    for name in ("shop", "online-boutique"):
        r = run("validate", str(EXAMPLES / name), "--format", "json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["valid"] is True


def test_build_exit_code_follows_fail_on(tmp_path: Path) -> None:
    model = EXAMPLES / "online-boutique"
    r = run("build", str(model), "-o", str(tmp_path / "a"), "--only", "model", "--only", "check")
    assert r.returncode == 1, r.stderr  # the real Online Boutique has error-level findings
    assert (tmp_path / "a" / "check" / "findings.sarif").exists()
    r = run("build", str(model), "-o", str(tmp_path / "b"), "--only", "check", "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    r = run("build", str(model), "-o", str(tmp_path / "c"), "--only", "nonsense")
    assert r.returncode == 2
    assert "unknown stage 'nonsense'" in r.stderr


def test_starter_model_passes_its_own_review(tmp_path: Path) -> None:
    target = tmp_path / "sys"
    assert run("init", str(target)).returncode == 0
    r = run("check", str(target), "--format", "json", "--fail-on", "info")
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["findings"] == []


def test_usage_mistakes_never_give_a_traceback(tmp_path: Path) -> None:
    a_file = tmp_path / "f"
    a_file.write_text("x")
    r = run("build", str(EXAMPLES / "shop"), "-o", str(a_file), "--only", "model")
    assert r.returncode == 2
    assert "is a file, not a directory" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("build", "--list-stages")
    assert r.returncode == 0
    assert "model" in r.stdout
    r = run("build")
    assert r.returncode == 2
    assert "build needs a model" in r.stderr
    r = run("validate", str(tmp_path / "nope.yaml"), "--format", "json")
    assert r.returncode == 2
    assert json.loads(r.stdout)["errors"][0]["message"].endswith("no such file or directory")


def test_json_commands_print_json_errors_for_an_invalid_model(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(FIVE_MISTAKES)
    for args in (("check", str(path), "-f", "json"), ("analyze", str(path), "--format", "json")):
        r = run(*args)
        assert r.returncode == 2, r.stderr
        report = json.loads(r.stdout)
        assert report["valid"] is False
        assert len(report["errors"]) == 5


def test_build_json_report_lists_stages_and_files(tmp_path: Path) -> None:
    r = run("build", str(EXAMPLES / "shop"), "-o", str(tmp_path), "--only", "model", "-f", "json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["failed"] is False
    assert report["stages"] == [
        {"stage": "model", "summary": report["stages"][0]["summary"], "failed": False,
         "files": ["model.json", "summary.md"]}
    ]
    assert "1 saga" in report["stages"][0]["summary"] and "1 sagas" not in report["stages"][0]["summary"]


def test_bad_option_value_with_json_still_prints_json() -> None:
    r = run("analyze", str(EXAMPLES / "shop"), "-f", "json", "--samples", "abc")
    assert r.returncode == 2
    assert json.loads(r.stdout)["errors"][0]["code"] == "usage"
    assert "--samples" in r.stderr
