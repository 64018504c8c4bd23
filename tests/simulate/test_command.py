"""`meshwright simulate` as a user runs it, and the build stage."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import run
from meshwright.console import format_percent, format_seconds
from meshwright.model import load_model, load_text
from meshwright.pipeline import BuildContext
from meshwright.simulate.stage import build_duration, simulate_stage

ROOT = Path(__file__).resolve().parents[2]

MODEL = """\
meshwright: 1
system: tiny
services:
  web:
    apis: [{name: W, port: 80, operations: {Home: {service_time: 2ms}}}]
    calls: [{to: api.Get, timeout: 500ms}]
    slo: {availability: 99, latency: {p99: 1s}}
  api:
    apis: [{name: A, port: 80, operations: {Get: {service_time: 5ms}}}]
entrypoints:
  - {operation: web.Home, rate: 50/s}
"""


def cli(*args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshwright", "simulate", *args],
        capture_output=True, text=True, check=False,
        env={"COLUMNS": str(columns), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_json_output_and_files(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL)
    scenario = tmp_path / "chaos.yaml"
    scenario.write_text(
        "name: blip\nevents:\n  - {at: 10s, for: 5s, action: slow, service: api, factor: 2}\n"
    )
    out = tmp_path / "out"
    r = cli(str(model), "--scenario", str(scenario), "--duration", "1m", "--seed", "4",
            "--format", "json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["scenario"] == "blip" and data["duration"] == 60 and data["seed"] == 4
    assert data["verdict"]["recovery"]["status"] == "recovered"
    assert len(data["series"]["time"]) == len(data["series"]["entrypoints"]["web.Home"]["goodput"])
    assert json.loads((out / "result.json").read_text()) == data
    assert (out / "entrypoints.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "services.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_summary_and_failing_verdict(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL)
    scenario = tmp_path / "chaos.yaml"
    scenario.write_text("events:\n  - {at: 5s, for: 10s, action: crash, service: api}\n")
    r = cli(str(model), "-s", str(scenario), "--duration", "1m")
    assert r.returncode == 1, r.stderr
    assert "web.Home" in r.stdout
    assert "tiny under scenario: 1m simulated, seed 1" in r.stdout
    assert re.search(r"✗ SLO web availability: \d+\.\d{2} % vs 99 %\n", r.stdout)
    assert re.search(r"✓ SLO web latency\.p99: [\d.,]+ms vs 1,000\.0ms\n", r.stdout)
    assert re.search(
        r"✓ recovered: success \d+\.\d{2} % judged from t=45s \(before the faults: \d+\.\d{2} %\); "
        r"back to normal at t=\d+s, (as soon as|\d+s after) the last fault ended", r.stdout
    )


def test_text_on_a_narrow_console_keeps_every_digit(tmp_path: Path) -> None:
    """At 60 columns the tables run past the edge rather than cutting names or numbers."""
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL)
    r = cli(str(model), "--duration", "20s", "--format", "json")
    totals = json.loads(r.stdout)["totals"]
    r = cli(str(model), "--duration", "20s", columns=60)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout
    rows = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
    for name, t in [*totals["entrypoints"].items(), *totals["services"].items()]:
        p99 = format_seconds(t["p99"])
        assert f"{t['requests']:,.0f}" in rows[name] and format_percent(t["success"]) in rows[name]
        assert p99 in rows[name], (p99, rows[name])


def test_bad_scenario_exits_2_with_a_location(tmp_path: Path) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL)
    scenario = tmp_path / "chaos.yaml"
    scenario.write_text("events:\n  - {at: 5s, action: crash, service: apii}\n")
    r = cli(str(model), "-s", str(scenario))
    assert r.returncode == 2
    assert f"{scenario}:2:38" in r.stderr and "did you mean 'api'" in r.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--duration", "banana"], "--duration 'banana': invalid duration"),
        (["--duration", "0s"], "--duration must be longer than 0s, e.g. --duration 10m"),
        (["--bucket", "0s"], "--bucket must be longer than 0s, e.g. --bucket 5s"),
        (["--seed", "-1"], "--seed -1: a seed is a whole number"),
        (["--bucket", "1ms", "--duration", "1h"], "use --bucket 360ms or wider"),
    ],
    ids=["duration", "zero-duration", "zero-bucket", "seed", "too-many-buckets"],
)
def test_bad_option_is_a_usage_error(tmp_path: Path, args: list[str], says: str) -> None:
    model = tmp_path / "mesh.yaml"
    model.write_text(MODEL)
    r = cli(str(model), *args)
    assert r.returncode == 2
    assert says in r.stderr and "Traceback" not in r.stderr


def test_build_stage_writes_series_and_plots() -> None:
    ctx = BuildContext(load_text(MODEL, "mesh.yaml"))
    result = simulate_stage(ctx)
    paths = {a.path for a in result.artifacts}
    assert paths == {"simulate/result.json", "simulate/entrypoints.png", "simulate/services.png"}
    assert "SLOs met" in result.summary and not result.failed
    assert result.data.duration == 60


def test_build_run_is_capped_for_busy_models() -> None:
    assert build_duration(100) == 60
    assert build_duration(1000) == 20
    assert build_duration(1e6) == 5


def test_build_stage_names_where_a_refused_run_comes_from() -> None:
    busy = MODEL.replace("rate: 50/s", "rate: 100000000/s")
    ctx = BuildContext(load_text(busy, "mesh.yaml"), options={"simulate_duration": 300})
    result = simulate_stage(ctx)
    assert result.summary.startswith("not simulated: mesh.yaml:11:33: this run would take about")
    assert not result.artifacts


@pytest.mark.skipif(not (ROOT / "examples" / "shop").is_dir(), reason="shop example not written yet")
def test_build_stage_on_the_shop_example() -> None:
    ctx = BuildContext(load_model(ROOT / "examples" / "shop"))
    result = simulate_stage(ctx)
    data = json.loads(next(a.content for a in result.artifacts if a.path.endswith(".json")))
    assert len(data["totals"]["services"]) >= 12
    assert data["verdict"]["slos_met"], result.summary


def test_help_teaches_with_an_example_command() -> None:
    done = run("simulate", "--help")
    assert done.returncode == 0
    assert "Example: meshwright simulate my-system -s chaos.yaml -o sim/" in " ".join(done.stdout.split())


def test_a_run_writes_nothing_into_the_installed_package(tmp_path: Path) -> None:
    """Issue 18: the first run must not compile or cache into the package's own tree (an
    installed package's directory may be read-only, and is shared by every user). Python's
    own ``__pycache__`` aside, the tree holds the same files before and after a run with
    plots."""
    import meshwright

    package = Path(meshwright.__file__).parent

    def files() -> set[Path]:
        return {p for p in package.rglob("*") if "__pycache__" not in p.parts}

    before = files()
    r = subprocess.run(
        [sys.executable, "-m", "meshwright", "simulate", str(ROOT / "examples" / "shop"),
         "--duration", "10s", "-o", str(tmp_path / "sim")],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"},
    )
    assert r.returncode in (0, 1), r.stderr
    assert (tmp_path / "sim" / "services.png").is_file()
    assert files() == before
