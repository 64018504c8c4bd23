"""Chaos scenario files: the examples parse, and mistakes come back with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshwright.errors import ModelError
from meshwright.model import load_model
from meshwright.simulate import SimOptions, simulate
from meshwright.simulate.scenario import check_scenario, load_scenario, parse_scenario

from .models import three_tier

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_scenarios_parse(path: Path) -> None:
    scenario = load_scenario(path).scenario
    assert scenario.events
    assert scenario.duration is not None and scenario.fault_end is not None
    assert scenario.fault_end < scenario.duration


def test_durations_and_fields_are_typed() -> None:
    text = "duration: 2m\nevents:\n  - {at: 60s, for: 30s, action: latency, service: db, add: 200ms}\n"
    sc = parse_scenario(text).scenario
    ev = sc.events[0]
    assert (sc.duration, ev.at, ev.end, ev.add) == (120.0, 60.0, 90.0, 0.2)


def test_unknown_field_is_located_with_a_suggestion() -> None:
    text = "name: s\nevents:\n  - at: 10s\n    action: crash\n    service: db\n    replica: 2\n"
    with pytest.raises(ModelError) as exc:
        parse_scenario(text, "chaos.yaml")
    d = exc.value.diagnostics[0]
    assert str(d.location) == "chaos.yaml:6:5"
    assert "unknown field 'replica'" in d.message
    assert "replicas" in d.hint


def test_action_without_its_fields_says_what_to_add() -> None:
    text = "events:\n  - {at: 10s, action: latency, service: db}\n"
    with pytest.raises(ModelError) as exc:
        parse_scenario(text, "chaos.yaml")
    d = exc.value.diagnostics[0]
    assert str(d.location) == "chaos.yaml:2:5"
    assert "needs add" in d.message and "200ms" in d.message


def test_bad_action_and_duration_are_located() -> None:
    text = "events:\n  - {at: soon, action: crash, service: db}\n  - {at: 1s, action: explode}\n"
    with pytest.raises(ModelError) as exc:
        parse_scenario(text, "chaos.yaml")
    where = {str(d.location): d for d in exc.value.diagnostics}
    assert "chaos.yaml:2:10" in where and "invalid duration" in where["chaos.yaml:2:10"].message
    assert "chaos.yaml:3:22" in where and "crash" in where["chaos.yaml:3:22"].hint


def test_unknown_service_is_checked_against_the_model() -> None:
    loaded = parse_scenario("events:\n  - {at: 1s, action: crash, service: dbb}\n", "chaos.yaml")
    with pytest.raises(ModelError) as exc:
        check_scenario(loaded, three_tier())
    d = exc.value.diagnostics[0]
    assert str(d.location) == "chaos.yaml:2:38"
    assert "unknown service 'dbb'" in d.message and "'db'" in d.hint


def test_partition_needs_two_different_services() -> None:
    loaded = parse_scenario("events:\n  - {at: 1s, action: partition, between: [db, db]}\n", "c.yaml")
    with pytest.raises(ModelError) as exc:
        check_scenario(loaded, three_tier())
    d = exc.value.diagnostics[0]
    assert str(d.location).startswith("c.yaml:2:") and "twice" in d.message


def test_retry_storm_example_ends_metastable() -> None:
    loaded = load_model(EXAMPLES / "retry-storm" / "mesh.yaml")
    scenario = load_scenario(EXAMPLES / "retry-storm" / "blip.yaml")
    check_scenario(scenario, loaded.model)
    sc = scenario.scenario
    assert sc.duration is not None
    result = simulate(loaded.model, sc, SimOptions(duration=sc.duration))
    assert result.verdict.recovery.status == "metastable"
