"""Availability with queues: rejections (``runtime.queue_limit``) are failures of a try,
through ``callpolicy.proxy_mix`` (kind ``unavailable``), and a try's deadline is met or
missed including the callee's queue wait — against closed forms and the simulator."""

from __future__ import annotations

import math
import textwrap

import pytest

from meshwright.analysis.availability import composed_availability
from meshwright.analysis.queueing import queueing
from meshwright.model import load_text
from meshwright.model.types import Model
from meshwright.simulate import SimOptions, simulate

RHO = 0.8
LIMIT = 2


def model(retries: str = "", limit: str = f", queue_limit: {LIMIT}") -> Model:
    text = f"""
    meshwright: 1
    system: rej
    services:
      front:
        availability: 100
        runtime: {{replicas: 1, concurrency: 64}}
        apis: [{{name: A, port: 80, operations: {{Op: {{service_time: {{mean: 1ms}}}}}}}}]
        calls: [{{to: back.Op{retries}}}]
      back:
        availability: 100
        runtime: {{replicas: 1, concurrency: 1{limit}}}
        apis: [{{name: A, port: 80, operations: {{Op: {{service_time: {{mean: 10ms}}}}}}}}]
    entrypoints:
      - {{operation: front.Op, rate: {RHO * 100}}}
    """
    return load_text(textwrap.dedent(text).lstrip("\n"), "t.yaml").model


def test_a_full_queue_fails_the_call_with_the_m_m_1_k_rejection_probability() -> None:
    m = model()
    big_k = 1 + LIMIT
    expected = (1 - RHO) * RHO**big_k / (1 - RHO ** (big_k + 1))
    assert queueing(m).services["back"].p_reject == pytest.approx(expected, rel=1e-9)
    avail = composed_availability(m)
    assert avail["front.Op"].composed == pytest.approx(1 - expected, rel=1e-9)
    assert avail["back.Op"].composed == pytest.approx(1 - expected, rel=1e-9)
    # the rates (for topics) read the availability without rejections: no cycle
    assert composed_availability(m, queues=False)["front.Op"].composed == 1.0


SPACED = ", retries: {attempts: 2, retry_on: [unavailable], backoff: {base: 300ms, max: 300ms, jitter: none}}"
"""A retry 30 service times later finds the queue in a fresh state (the analysis' tries are
independent; an immediate retry of a refusal mostly meets the same full queue, see
docs/commands/analyze.md)."""


@pytest.mark.parametrize("retries", ["", SPACED, ", retries: {attempts: 2, retry_on: [timeout]}"])
def test_rejections_match_the_simulator(retries: str) -> None:
    m = model(retries)
    ours = composed_availability(m)["front.Op"].composed
    sim = simulate(m, None, SimOptions(duration=1_500, seed=3, intrinsic_failures=False,
                                       engine="python"))
    theirs = sim.totals["entrypoints"]["front.Op"]["success"]
    assert ours == pytest.approx(theirs, rel=0.02), (ours, theirs)
    if "timeout" in retries:  # retry_on: [timeout] does not retry a refusal
        assert ours == pytest.approx(composed_availability(model())["front.Op"].composed, rel=1e-9)


def test_a_try_deadline_counts_the_callee_queue_wait() -> None:
    """back is M/M/1 at ρ = 0.8 (10 ms): its sojourn is exponential of rate μ − λ = 20/s,
    so a 100 ms timeout fails a try with e^(−2) (service alone: e^(−10))."""
    m = model(", timeout: 100ms", limit="")
    ours = composed_availability(m)["front.Op"].composed
    assert ours == pytest.approx(1 - math.exp(-2.0), abs=0.01)
    sim = simulate(m, None, SimOptions(duration=1_500, seed=3, intrinsic_failures=False,
                                       engine="python"))
    assert ours == pytest.approx(sim.totals["entrypoints"]["front.Op"]["success"], rel=0.02)
