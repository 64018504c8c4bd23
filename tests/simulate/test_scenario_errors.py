"""Scenario mistakes and runaway runs: located errors, all in one pass, exit 2, before any
simulated second."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meshwright.errors import ModelError, UsageError
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.budget import MAX_EVENTS, estimate
from meshwright.simulate.scenario import Scenario, load_scenario, parse_scenario

from .models import model, three_tier

ROOT = Path(__file__).resolve().parents[2]


def errors(text: str, duration: float | None = None) -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_scenario(text, "c.yaml", three_tier(), duration)
    return [d.format() for d in info.value.diagnostics]


def test_every_problem_comes_in_one_pass() -> None:
    found = errors(
        "duration: 2m\nevents:\n"
        "  - {at: 3m, action: crash, service: db}\n"
        "  - {at: soon, action: crash, service: db}\n"
        "  - {at: 1s, action: crash, service: dbb}\n"
        "  - {at: 1s, for: 5s, action: crash, service: db, replicas: 7}\n"
    )
    assert len(found) == 4, found
    assert found[0].startswith("c.yaml:3:10: error: events[0] starts at 3m, at or after the end")
    assert found[1].startswith("c.yaml:4:10: error: events[1].at: invalid duration 'soon'")
    assert found[2].startswith("c.yaml:5:38: error: unknown service 'dbb'")
    assert found[3].startswith(
        "c.yaml:6:61: error: events[3] crashes 7 replicas of 'db', which runs at most 2"
    )
    assert "replicas: 2" in found[3]


def test_an_event_after_the_command_lines_duration_is_an_error() -> None:
    text = "duration: 5m\nevents:\n  - {at: 2m, action: crash, service: db}\n"
    assert parse_scenario(text, "c.yaml", three_tier()).scenario.events
    (found,) = errors(text, duration=60.0)
    assert "starts at 2m, at or after the end of the run (1m)" in found


def test_bare_numbers_in_scenarios_are_rejected_with_the_fix() -> None:
    (found,) = errors("events:\n  - {at: 1s, action: latency, service: db, add: 100}\n")
    assert found.startswith("c.yaml:2:49: error: events[0].add: bare number 100 for a duration")
    assert "write 100ms or 100s" in found


@pytest.mark.parametrize("text", ["", "# nothing\n", "events: []\n", "name: x\n"])
def test_an_empty_scenario_is_an_error(text: str) -> None:
    (found,) = errors(text)
    assert "c.yaml:1:" in found and ("is empty" in found or "has no events" in found)
    assert "leave out --scenario" in found


def test_a_directory_given_as_scenario_says_so() -> None:
    with pytest.raises(UsageError, match=r"is a directory; --scenario takes one scenario file.*blip\.yaml"):
        load_scenario(ROOT / "examples" / "scenarios" / "retry-storm")


def test_runaway_runs_are_refused_before_they_start() -> None:
    busy = three_tier(rate=50_000_000)
    with pytest.raises(UsageError, match=r"events .* at most 1,000,000,000: use --duration 1s or shorter"):
        simulate(busy, Scenario(name="steady"), SimOptions(duration=300))
    # the Python engine's budget is ten times smaller (it runs ~20x slower)
    with pytest.raises(UsageError, match=r"events .* at most 100,000,000: use --duration"):
        simulate(three_tier(rate=50_000), Scenario(name="steady"), SimOptions(duration=300, engine="python"))
    work = estimate(three_tier(rate=200), Scenario(name="steady"), 60)
    assert 0 < work.events < MAX_EVENTS and work.replicas == 6
    # a long run of a moderate model gets a duration that fits
    with pytest.raises(UsageError, match=r"use --duration \d+s or shorter"):
        simulate(three_tier(rate=20_000), Scenario(name="steady"), SimOptions(duration=3600))


def test_a_spike_counts_in_the_estimate() -> None:
    sc = parse_scenario("events:\n  - {at: 1s, action: spike, multiplier: 10}\n").scenario
    steady = estimate(three_tier(), Scenario(name="steady"), 60).events
    assert estimate(three_tier(), sc, 60).events == pytest.approx(10 * steady)


def test_cli_refuses_a_runaway_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text(
        "meshwright: 1\nsystem: s\nservices:\n"
        "  a:\n    runtime: {replicas: 10000}\n"
        "    apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]\n"
        "entrypoints:\n  - {operation: a.Op, rate: 100000000/s}\n"
    )
    r = subprocess.run([sys.executable, "-m", "meshwright", "simulate", str(path)],
                       capture_output=True, text=True, check=False, timeout=120,
                       env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert r.returncode == 2, r.stderr
    # located at the entrypoint's rate (line 8, the value after `rate: `), the fix as the hint
    assert f"{path}:8:29: error: this run would take about" in r.stderr, r.stderr
    assert "the busiest entrypoint, a.Op, sends 100,000,000/s" in r.stderr
    assert "    hint: use --duration 1s or shorter, or lower the entrypoint rates" in r.stderr
    assert "nothing was simulated" in r.stderr and "Traceback" not in r.stderr
    assert model  # the shared builder is importable for other tests


def test_a_refusal_points_at_the_busiest_entrypoint_or_the_largest_service() -> None:
    from meshwright.model import load_text
    from meshwright.simulate.budget import WorkRefused, check_work

    op = "    apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]\n"
    text = (
        "meshwright: 1\nsystem: s\nservices:\n  a:\n" + op
        + "entrypoints:\n  - {operation: a.Op, rate: 10/s}\n"
        "  - {operation: a.Op, rate: 1000/s, profile: [{at: 1m, rate: 2000000/s}]}\n"
    )
    loaded = load_text(text, "m.yaml")
    with pytest.raises(WorkRefused) as info:
        check_work(loaded.model, Scenario(name="steady"), 300)
    assert info.value.path == ("entrypoints", 1, "profile")
    (diag,) = info.value.located(loaded.locate).diagnostics
    assert str(diag.location) == "m.yaml:8:46" and diag.code == "too-much-work"
    assert diag.hint.startswith("use --duration ")

    many = "".join(
        f"  s{i}:\n    runtime: {{replicas: {'100, autoscale: {min: 1, max: 10000}' if i == 0 else 10000}}}\n"
        + op
        for i in range(101)
    )
    big = load_text("meshwright: 1\nsystem: s\nservices:\n" + many, "big.yaml")
    refused = r"1,010,000 replicas \(s0 scales to 10,000\); at most 1,000,000"
    with pytest.raises(WorkRefused, match=refused) as info:
        check_work(big.model, Scenario(name="steady"), 60)
    (diag,) = info.value.located(big.locate).diagnostics
    assert str(diag.location) == "big.yaml:5:55" and "autoscale.max" in diag.hint
