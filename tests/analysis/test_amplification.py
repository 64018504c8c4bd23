"""Retry amplification by dynamic programming, and retry storms."""

from __future__ import annotations

from typing import Any

import pytest

from meshwright.analysis.amplification import path_amplification, retry_storm
from meshwright.model import Model, load_text

CHAIN = """
meshwright: 1
system: t
services:
  a:
    apis: [{name: A, port: 80, operations: {Get: {}}}]
    calls: [{to: b.Get, retries: 3}]
  b:
    apis: [{name: B, port: 80, operations: {Get: {}}}]
    calls: [{to: c.Get, retries: 3%s}]
  c:
    apis: [{name: C, port: 80, operations: {Get: {}}}]
    calls: [{to: d.Get, retries: 3, mesh_retries: 2}]
  d:
    apis: [{name: D, port: 80, operations: {Get: {}}}]
entrypoints: [{operation: a.Get, rate: 10/s}]
"""


def test_three_layers_of_three_tries_with_mesh_retries() -> None:
    paths = path_amplification(load_text(CHAIN % "").model)
    top = paths[0]
    assert top.path == ["a.Get", "b.Get", "c.Get", "d.Get"]
    assert top.factor == 3 * 3 * 3 * 2
    assert top.entrypoint


def test_retry_storm_when_a_leaf_fails() -> None:
    factors = retry_storm(load_text(CHAIN % "").model, "d")
    assert factors["d"] == pytest.approx(3 * 3 * 6)
    assert factors["c"] == pytest.approx(9)
    assert factors["b"] == pytest.approx(3)
    assert factors["a"] == pytest.approx(1)


def test_a_fallback_stops_the_storm_from_climbing() -> None:
    factors = retry_storm(load_text(CHAIN % ", fallback: static").model, "d")
    # b still retries c before falling back, but a no longer retries b
    assert factors["d"] == pytest.approx(3 * 6)
    assert factors["c"] == pytest.approx(3)
    assert factors["b"] == pytest.approx(1)


def _layered(layers: int, width: int) -> Model:
    services: dict[str, Any] = {}
    for layer in range(layers):
        for i in range(width):
            nxt = [{"to": f"s{layer + 1}x{j}.Op", "retries": 2} for j in range(width)]
            services[f"s{layer}x{i}"] = {
                "apis": [{"name": "Api", "port": 80, "operations": {"Op": {}}}],
                "calls": nxt if layer + 1 < layers else [],
            }
    return Model.model_validate({"meshwright": 1, "system": "wide", "services": services})


def test_exponentially_many_paths_are_not_enumerated() -> None:
    # 40 layers of 3 fully connected services: 3^39 paths; the DP visits each call once
    paths = path_amplification(_layered(40, 3))
    assert paths[0].factor == 2.0**39
    assert len(paths[0].path) == 40
    assert len(paths) == 3  # one per uncalled operation
