"""The whole analysis as a user meets it: `analyze()`, the build stage and the command."""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import math
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import Console

from meshwright.analysis import AnalysisOptions, analyze
from meshwright.analysis.cost import Prices
from meshwright.analysis.render import print_result, render
from meshwright.jsontext import dumps_indented as dumps
from meshwright.model import load_model, load_text
from meshwright.pipeline import BuildContext

HERE = Path(__file__).parent
SMALL = HERE / "small.yaml"
EXAMPLES = HERE.parent.parent / "examples"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meshwright", *args],
        capture_output=True, text=True, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_analyze_has_every_section_and_plain_json() -> None:
    result = analyze(load_model(SMALL).model, AnalysisOptions(samples=2000))
    assert result.entrypoints == ["frontend.PlaceOrder"]
    assert [a.operation for a in result.below_slo] == ["checkout.PlaceOrder"]
    assert [(b.edge.caller, b.edge.callee) for b in result.deficits] == [
        ("checkout.PlaceOrder", "payment.Charge")
    ]
    assert result.max_amplification is not None and result.max_amplification.factor == 6
    assert result.storms[0].failed_service == "payment"  # busiest leaf first
    assert result.storms[0].worst_factor == pytest.approx(6)
    assert result.overloaded == []
    assert result.cycles == []
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert set(data) >= {"availability", "latency", "budgets", "amplification", "storms",
                         "arrival_rates", "capacity", "cost", "cycles", "summary"}
    assert data["budgets"][1]["edge"] == {
        "caller": "checkout.PlaceOrder", "callee": "payment.Charge", "path": "services.checkout.calls.0"
    }
    assert data["summary"]["below_slo"] == ["checkout.PlaceOrder"]


def test_overload_becomes_null_wait_in_json() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    runtime: {replicas: 1, concurrency: 1}
    apis: [{name: A, port: 80, operations: {Get: {service_time: 1s}}}]
entrypoints: [{operation: a.Get, rate: 5/s}]
"""
    result = analyze(load_text(text).model, AnalysisOptions(samples=500))
    assert result.overloaded == ["a"]
    data = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert data["capacity"]["a"]["queue"]["wq"] is None
    assert data["capacity"]["a"]["overloaded"] is True


def test_build_stage_writes_analysis_json() -> None:
    from meshwright.analysis.stage import analyze_stage

    loaded = load_model(SMALL)
    res = analyze_stage(BuildContext(loaded, {"failure_rate": 0.0, "samples": 500,
                                              "prices": Prices(cpu_per_core_hour=1.0)}))
    assert res.name == "analyze" and not res.failed
    [artifact] = res.artifacts
    assert artifact.path == "analysis/analysis.json"
    assert isinstance(artifact.content, str)
    data = json.loads(artifact.content)
    assert data["options"]["failure_rate"] == 0.0
    assert data["arrival_rates"]["payment"] == pytest.approx(50.0)
    assert "1 operation below availability SLO, 1 timeout deficit, 0 overloaded services" in res.summary


def test_cli_text_and_json() -> None:
    r = run("analyze", str(SMALL), "--samples", "1000")
    assert r.returncode == 0, r.stderr
    for title in ("Availability", "Latency", "Timeout budgets", "Retry amplification",
                  "Retry storms", "Capacity", "Cost"):
        assert title in r.stdout
    r = run("analyze", str(SMALL), "--format", "json", "--samples", "1000", "--price-cpu", "0",
            "--price-memory", "0")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cost"]["total_monthly"] == 0.0


def test_cli_rejects_a_bad_failure_rate_with_exit_2() -> None:
    r = run("analyze", str(SMALL), "--failure-rate", "1.5")
    assert r.returncode == 2
    assert "--failure-rate" in r.stderr


@pytest.mark.parametrize("name", ["shop", "online-boutique"])
def test_examples_analyze(name: str) -> None:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"example {name} not written yet")
    result = analyze(load_model(path).model, AnalysisOptions(samples=1000))
    assert result.entrypoints
    assert all(0.0 < a.composed <= 1.0 for a in result.availability.values())
    json.dumps(result.to_json(), allow_nan=False)


def test_call_cycles_are_reported_and_cut() -> None:
    text = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 10ms, distribution: deterministic}}}}]
    calls: [{to: b.Get, retries: 2}]
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 20ms, distribution: deterministic}}}}]
    calls: [{to: a.Get, retries: 3}]
entrypoints: [{operation: a.Get, rate: 1/s}]
"""
    result = analyze(load_text(text).model, AnalysisOptions(samples=200))
    assert result.cycles == ["b.Get -> a.Get"]
    # the cut call still counts once, with a's own time: 10 + 20 + 10 ms
    assert result.latency["a.Get"].p50 == pytest.approx(0.040)
    assert result.max_amplification is not None and result.max_amplification.factor == 2
    assert len(result.budgets) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed -1 is negative"),
        (["--price-cpu", "nan"], "finite"),
        (["--price-memory", "inf"], "finite"),
        (["--samples", "100000000"], "--samples 100000000 is more than"),
    ],
)
def test_cli_rejects_bad_options_with_exit_2(args: list[str], message: str) -> None:
    r = run("analyze", str(SMALL), *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_cli_text_on_models_without_operations_or_calls() -> None:
    """No wall of empty tables: an empty model says so; empty sections get one line each."""

    def text_of(model_text: str) -> str:
        console = Console(width=200, file=io.StringIO())
        console.print(render(analyze(load_text(model_text).model, AnalysisOptions(samples=100))))
        assert isinstance(console.file, io.StringIO)
        return console.file.getvalue()

    empty = text_of("meshwright: 1\nsystem: t\ntopics: {t1: {}}\n")
    assert "no services: nothing to analyze" in empty and "Capacity" not in empty
    idle = text_of("meshwright: 1\nsystem: t\nservices: {a: {runtime: {cpu: 1, memory: 1Gi}}}\n")
    assert "no entrypoints: no request latency to sample" in idle
    assert "no calls: no timeout budgets" in idle
    assert "Capacity" in idle and "Cost per month" in idle
    assert "autoscale: average" not in idle  # no service autoscales: no footnote


CYCLE = {
    "a": """
  a:
    apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 10ms, p99: 50ms}}}}]
    calls: [{to: b.Get, timeout: 300ms, retries: 2}, {to: c.Get, timeout: 100ms}]
""",
    "b": """
  b:
    apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 20ms, p99: 90ms}}}}]
    calls: [{to: a.Get, timeout: 200ms, retries: 3}]
""",
    "c": """
  c:
    apis: [{name: C, port: 80, operations: {Get: {service_time: {mean: 5ms, p99: 20ms}}}}]
    calls: [{to: b.Get, timeout: 250ms}]
""",
}


def _normalised(order: str) -> dict[str, Any]:
    text = "meshwright: 1\nsystem: t\nservices:" + "".join(CYCLE[s] for s in order)
    text += "entrypoints: [{operation: c.Get, rate: 5/s}, {operation: a.Get, rate: 10/s}]\n"
    data = analyze(load_text(text).model, AnalysisOptions(samples=500)).to_json()
    data["budgets"] = sorted(data["budgets"], key=lambda b: (b["edge"]["caller"], b["edge"]["callee"]))
    data["amplification"] = sorted(data["amplification"], key=lambda p: p["path"])
    data["cycles"] = sorted(data["cycles"])
    data["entrypoints"] = sorted(data["entrypoints"])
    for section in ("availability", "latency", "arrival_rates", "capacity", "cost"):
        data[section] = json.dumps(data[section], sort_keys=True)
    return data


@pytest.mark.parametrize("order", ["bca", "cab"])
def test_reordering_services_in_the_yaml_gives_the_same_numbers(order: str) -> None:
    assert _normalised(order) == _normalised("abc")


def test_text_on_a_narrow_console_keeps_every_name_and_number() -> None:
    """Piped output (80 columns by default) or a narrow terminal: wide tables run past the
    edge rather than dropping the operation column or cutting digits."""
    result = analyze(load_model(SMALL).model, AnalysisOptions(samples=2000))
    console = Console(width=60, file=io.StringIO(), no_color=True)
    print_result(result, console)
    assert isinstance(console.file, io.StringIO)
    text = console.file.getvalue()
    assert "…" not in text
    for op, lat in result.latency.items():
        p99 = f"{lat.p99 * 1000:,.1f}ms" if lat.p99 < 10 else f"{lat.p99:,.1f}s"
        assert any(line.startswith(f"│ {op} ") and p99 in line for line in text.splitlines())
    for service in result.capacity:
        assert any(line.startswith(f"│ {service} ") for line in text.splitlines())


def test_json_text_is_the_standard_librarys_byte_for_byte() -> None:
    data = {
        "scalars": [1, 2.5, math.nan, math.inf, -math.inf, None, True, False, "é→\"\\", {}, [], (1, 2)],
        3: {"b": {}}, 2.5: [[]], True: 1, None: 0, False: 2,
        "flat": {"x": 1.5, "y": "s", "z": math.nan, "e": [], "d": {}},
        "mixed": {"a": [1, [2, {"q": None}]], "b": 2.0, "c": math.inf, "d": None, "e": "x"},
    }
    assert dumps(data) == json.dumps(data, indent=2)


def test_one_pass_json_is_the_json_ready_copy_written() -> None:
    """``result.json_text()`` (what `analyze --format json` prints) is exactly the text of
    ``to_json()``, on a real model and on every kind of value ``jsonable`` knows."""
    from meshwright.analysis import jsonify

    result = analyze(load_model(SMALL).model, AnalysisOptions(samples=500))
    assert result.json_text() == dumps(result.to_json())

    @dataclasses.dataclass(frozen=True)
    class Record:
        a: float
        b: object
        json_extra: ClassVar[tuple[str, ...]] = ("twice",)

        @property
        def twice(self) -> float:
            return self.a * 2

    @dataclasses.dataclass
    class Empty:
        pass

    class Colour(enum.StrEnum):
        red = "red"

    class Level(enum.IntEnum):
        high = 3

    class Floaty(float):
        pass

    edge = next(iter(result.budgets)).edge
    value = {
        "records": [Record(1.5, None), Record(math.inf, [Record(math.nan, {"k": ()})]), Empty()],
        "edge": edge, "keys": {1: "a", False: 2, None: 3, 2.5: 4, Colour.red: 5},
        "scalars": (math.nan, -math.inf, 0.1, -0.0, 10**20, True, False, None, "é→\"\\\x00"),
        "subclasses": [Colour.red, Level.high, Floaty(2.5), Floaty(math.inf), OrderedDict(x=1)],
        "prices": result.options.prices, "model": edge.call, "deep": [[[[{"x": [1.0]}]]]],
        "empty": [{}, [], ()],
    }
    assert jsonify.dumps(value) == dumps(jsonify.jsonable(value))
    with pytest.raises(TypeError):
        jsonify.dumps({"x": {1, 2}})
