"""`meshwright decompose` end to end: the model it writes validates, and check/analyze run on it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from tests.decompose.monoliths import write_small_monolith
from typer.testing import CliRunner

from meshwright.cli import app
from meshwright.model import load_model

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "benchmarks" / "data" / "mono2micro"
GOLDEN = HERE / "golden" / "small"
UPDATE_GOLDEN = os.environ.get("MESHWRIGHT_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def jpetstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jpetstore") / "model"
    done = CliRunner().invoke(
        app, ["decompose", str(DATA / "jpetstore" / "mono2micro_input"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    return out


def test_the_proposed_model_validates_and_covers_every_class(jpetstore: Path) -> None:
    model = load_model(jpetstore).model
    partition = json.loads((jpetstore / "partition.json").read_text())
    use_cases = json.loads((DATA / "jpetstore" / "mono2micro_output" / "bcs_per_class.json").read_text())
    assert set(partition) == set(use_cases) - {"Root"}
    assert set(partition.values()) == set(model.services)
    assert set(model.contexts) == set(model.services)
    calls = [c for svc in model.services.values() for c in svc.all_calls()]
    assert calls and all(c.per_request > 0 for c in calls)
    assert model.entrypoints


def test_check_and_analyze_run_on_the_proposed_model(jpetstore: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(jpetstore), "--format", "json"])
    assert checked.exit_code in (0, 1), checked.output
    assert "findings" in json.loads(checked.stdout)
    analyzed = runner.invoke(app, ["analyze", str(jpetstore), "--format", "json", "--samples", "200"])
    assert analyzed.exit_code == 0, analyzed.output
    assert json.loads(analyzed.stdout)


def test_the_report_explains_every_service(jpetstore: Path) -> None:
    report = json.loads((jpetstore / "report.json").read_text())
    services = {e["service"] for e in report["explanations"]}
    assert services == set(load_model(jpetstore).model.services)
    for exp in report["explanations"]:
        assert exp["core_classes"] and exp["summary"]
    markdown = (jpetstore / "report.md").read_text()
    assert all(f"### {s}" in markdown for s in services)


def test_json_output_and_constraints(tmp_path: Path) -> None:
    flows = write_small_monolith(tmp_path / "flows")
    done = CliRunner().invoke(
        app,
        ["decompose", str(flows), "-o", str(tmp_path / "out"), "--format", "json",
         "--pin", "Account=customers", "--together", "Order,Product", "--services", "2"],
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["services"] == 2
    partition = json.loads((tmp_path / "out" / "partition.json").read_text())
    assert partition["Account"] == "customers" and partition["Order"] == partition["Product"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pin", "Account"], "CLASS=SERVICE"),
        (["--together", "Order"], "two or more"),
        (["--pin", "Nope=x"], "does not contain"),
        (["--services", "99"], "outside"),
    ],
)
def test_bad_options_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    flows = write_small_monolith(tmp_path / "flows")
    done = CliRunner().invoke(app, ["decompose", str(flows), "-o", str(tmp_path / "o"), *args])
    assert done.exit_code != 0
    assert message in str(done.exception) or message in done.output


def test_an_input_without_traces_and_a_full_output_are_refused(tmp_path: Path) -> None:
    from meshwright.errors import UsageError

    empty = tmp_path / "empty"
    empty.mkdir()
    done = CliRunner().invoke(app, ["decompose", str(empty), "-o", str(tmp_path / "o")])
    assert isinstance(done.exception, UsageError) and "flow-*.txt" in str(done.exception)
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("keep")
    flows = write_small_monolith(tmp_path / "flows")
    done = CliRunner().invoke(app, ["decompose", str(flows), "-o", str(full)])
    assert isinstance(done.exception, UsageError) and "--force" in str(done.exception)


def test_the_small_monolith_model_matches_its_golden_files(tmp_path: Path) -> None:
    flows = write_small_monolith(tmp_path / "flows")
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["decompose", str(flows), "-o", str(out), "--system", "small"])
    assert done.exit_code == 0, done.output
    load_model(out)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    if UPDATE_GOLDEN:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
        return
    assert files == sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file())
    for name in files:
        assert (out / name).read_text() == (GOLDEN / name).read_text(), (
            f"{name} changed; review and rerun with MESHWRIGHT_UPDATE_GOLDEN=1"
        )
