"""The run's plots: only what matters is drawn, faults are shaded and named, PNG and SVG."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from meshwright.model import load_model
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.plots import (
    MAX_LINES,
    entrypoint_plot,
    entrypoints_that_matter,
    service_plot,
    services_that_matter,
)
from meshwright.simulate.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


# one run per scenario for the module (make test runs a module on one worker: --dist
# loadfile); the plots only read the result
@functools.cache
def _run(scenario: str):  # type: ignore[no-untyped-def]
    model = load_model(ROOT / "examples" / "shop").model
    scen = load_scenario(ROOT / "examples" / "scenarios" / scenario).scenario
    return simulate(model, scen, SimOptions(duration=scen.duration or 60.0, seed=1)), scen


def test_the_faults_pick_what_is_drawn() -> None:
    result, scen = _run("traffic-spike.yaml")
    services = services_that_matter(result, scen)
    # every service a fault names comes first, the rest ranked by how much they moved
    assert services[:3] == ["web-bff", "cart", "catalog"]
    assert len(services) == MAX_LINES
    entrypoints = entrypoints_that_matter(result, scen)
    assert len(entrypoints) == MAX_LINES
    # the partition between web-bff and cart takes the cart entrypoints down: they matter
    assert {"view-cart", "add-to-cart"} <= set(entrypoints)
    assert "back-office-prices" not in entrypoints  # its traffic hardly moved


def test_svg_plots_name_every_fault_and_say_what_was_left_out() -> None:
    result, scen = _run("traffic-spike.yaml")
    svg = entrypoint_plot(result, scen, fmt="svg").decode()
    assert svg.lstrip().startswith("<?xml")
    for label in ("spike edge ×3", "partition web-bff ↔ cart", "slow catalog ×3"):
        assert label in svg
    assert re.search(r"5 other entrypoints changed less and are not drawn", svg)
    services = service_plot(result, scen, fmt="svg").decode()
    assert "ready replicas" in services
    assert "9 other services changed less" in services


def test_png_bytes() -> None:
    result, scen = _run("crash-and-recover.yaml")
    assert entrypoint_plot(result, scen)[:8] == b"\x89PNG\r\n\x1a\n"
    assert service_plot(result, scen)[:8] == b"\x89PNG\r\n\x1a\n"


def test_latency_ticks_read_as_plain_milliseconds() -> None:
    """The log-scale p99 axis said 2×10¹, 6×10¹, 2×10² (matplotlib's default); a person
    reads 20, 60, 200 ms."""
    result, scen = _run("traffic-spike.yaml")
    svg = entrypoint_plot(result, scen, fmt="svg").decode()
    labels = re.findall(r"<!-- (.*?) -->", svg)
    assert "p99 latency (ms)" in labels
    assert not [label for label in labels if "times10" in label], labels
    assert {"20", "100", "200"} <= set(labels)
