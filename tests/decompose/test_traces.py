"""The Mono2Micro trace reader on the real JPetStore files and on malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meshwright.decompose.traces import flow_files, read_flow, read_flows
from meshwright.errors import ModelError

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "mono2micro"


def test_the_real_jpetstore_traces_give_the_published_classes_and_call_pairs() -> None:
    mono = read_flows(flow_files(DATA / "jpetstore" / "mono2micro_input"))
    outputs = DATA / "jpetstore" / "mono2micro_output"
    published = json.loads((outputs / "runtime_call_volume.json").read_text())
    use_cases = json.loads((outputs / "bcs_per_class.json").read_text())
    assert set(mono.class_names()) == set(use_cases) - {"Root"}
    between = {k for k in published if k.split("--")[0] != k.split("--")[1]}
    assert {f"{a}--{b}" for a, b in mono.calls} == between  # self-calls are not kept
    assert "SqlMapProductDao::ProductSearch" in mono.classes  # inner classes keep their name
    assert mono.classes["SignoffController"].use_cases == set(use_cases["SignoffController"])
    assert mono.seconds > 0


def test_calls_are_nested_in_the_call_that_was_open() -> None:
    mono = read_flows(flow_files(DATA / "jpetstore" / "mono2micro_input"))
    for event in mono.events:
        if event.parent >= 0:
            assert mono.events[event.parent].callee == event.caller


def test_a_malformed_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "flow-1-lab.txt"
    bad.write_text("1,uc,A calls B,x:A:m,x:B:n\nnot a trace line\n", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        read_flow(bad)
    assert f"{bad}:2:1" in str(err.value)
