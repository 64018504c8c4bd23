"""The simulator benchmark's whole-process timer: a failed run is an error, never a time."""

from __future__ import annotations

import pytest

from benchmarks import sim_engine_events


def test_a_failed_run_stops_the_benchmark() -> None:
    with pytest.raises(SystemExit, match=r"meshwright validate /no/such/model failed \(2\)"):
        sim_engine_events.whole_process(["validate", "/no/such/model"])


def test_a_run_is_timed_in_cpu_seconds() -> None:
    wall, cpu = sim_engine_events.whole_process(["--version"])
    assert wall > 0 and cpu > 0
