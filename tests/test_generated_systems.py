"""Every stage runs on generated systems of several shapes without an error."""

from __future__ import annotations

import json

import pytest
from benchmarks.generate import generate

from meshwright.model import load_text
from meshwright.pipeline import run_build


def _reject(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


@pytest.mark.parametrize(("services", "seed"), [(8, 1), (15, 2), (30, 3), (12, 4)])
def test_whole_build_on_a_generated_system(services: int, seed: int) -> None:
    loaded = load_text(generate(services, seed), f"gen-{seed}.yaml")
    # 10 simulated seconds (the build's default is up to 60): every stage's code runs on the
    # shape, and a shorter run has more empty buckets for the NaN check below, not fewer
    ctx = run_build(loaded, {"check": {"fail_on": "never"}, "simulate_duration": 10.0})
    assert [r.name for r in ctx.results.values()][:2] == ["model", "check"]
    for result in ctx.results.values():
        assert result.summary, result.name
        for art in result.artifacts:
            if art.path.endswith(".json"):
                json.loads(art.content, parse_constant=_reject)  # valid JSON, no NaN/Infinity
    paths = [a.path for r in ctx.results.values() for a in r.artifacts]
    assert any(p.startswith("kubernetes/") for p in paths)
    assert len(paths) == len(set(paths))
