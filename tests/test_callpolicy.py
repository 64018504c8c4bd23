"""The call semantics (meshwright.callpolicy): closed forms, app × mesh nesting, deadlines,
retry_on, fallbacks with deep targets and fallback cycles, and the simulator agreeing."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from meshwright import callpolicy
from meshwright.analysis.availability import composed_availability
from meshwright.analysis.callgraph import composition_order
from meshwright.callpolicy import RETRY_ON, RETRY_ON_RENDERING, Failure, semantics
from meshwright.errors import ModelError
from meshwright.model import load_text
from meshwright.model.types import Call, Mesh, Model
from meshwright.simulate import SimOptions, simulate


def model(text: str) -> Model:
    return load_text(textwrap.dedent(text).lstrip("\n"), "test.yaml").model


def call(**fields: object) -> Call:
    return Call.model_validate({"to": "b.Get", **fields})


def entry_success(m: Model, duration: float = 60.0, seed: int = 7) -> tuple[float, int]:
    r = simulate(m, None, SimOptions(duration=duration, seed=seed, engine="python"))
    t = r.totals["entrypoints"]["a.Get"]
    return t["success"], (t["ok"] or 0) + (t["errors"] or 0)


# --------------------------------------------------------------------------- vocabulary


def test_every_word_has_kinds_and_a_rendering_for_every_mesh() -> None:
    for word, kinds in RETRY_ON.items():
        assert kinds, word
        assert set(RETRY_ON_RENDERING[word]) == {Mesh.istio, Mesh.linkerd, Mesh.consul}


def test_unknown_retry_on_word_is_a_located_error_with_did_you_mean() -> None:
    text = """
        meshwright: 1
        system: t
        services:
          a:
            apis: [{name: A, port: 80, operations: {Get: {}}}]
            calls: [{to: b.Get, retries: {attempts: 2, retry_on: [5xx, gateway-error]}}]
          b:
            apis: [{name: B, port: 80, operations: {Get: {}}}]
        """
    with pytest.raises(ModelError) as err:
        model(text)
    (d,) = err.value.diagnostics
    assert (d.location.line, d.location.col) == (6, 64)
    assert "'gateway-error'" in d.message and "retry_on" in d.message
    assert d.hint == "did you mean 'gateway_error'?"


def test_unknown_retry_on_word_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(
        "meshwright: 1\nsystem: t\nservices:\n  a:\n"
        "    apis: [{name: A, port: 80, operations: {Get: {}}}]\n"
        "    calls: [{to: a.Get, mesh_retries: {attempts: 2, retry_on: [tiemout]}}]\n",
        encoding="utf-8",
    )
    r = subprocess.run(
        [sys.executable, "-m", "meshwright", "analyze", str(f)],
        capture_output=True, text=True, check=False, env={"COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert r.returncode == 2
    assert "m.yaml:6:" in r.stderr and "did you mean 'timeout'" in r.stderr
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- closed forms


def test_retry_availability_closed_form_and_retry_on() -> None:
    three = call(retries=3)
    mix = {Failure.error: 0.2}
    assert callpolicy.call_outcome(three, mix).success == pytest.approx(1 - 0.2**3)
    only_timeouts = call(retries={"attempts": 3, "retry_on": ["timeout"]})
    assert callpolicy.call_outcome(only_timeouts, mix).success == pytest.approx(0.8)
    assert callpolicy.expected_tries(only_timeouts, 0.2) == pytest.approx(1.0)
    assert callpolicy.expected_tries(three, 0.2) == pytest.approx(1 + 0.2 + 0.04)
    # a mix: errors are retried by 5xx, timeouts too; unavailable only by 'refused'
    refused = call(retries={"attempts": 2, "retry_on": ["refused"]})
    out = callpolicy.call_outcome(refused, {Failure.unavailable: 0.1, Failure.error: 0.1})
    assert out.success == pytest.approx(0.8 + 0.1 * 0.8)


def test_app_wraps_mesh_tries_multiply_and_nest() -> None:
    c = call(retries=3, mesh_retries=2)
    assert callpolicy.max_tries(c) == 6
    q = 0.3
    inner = 1 - q**2  # one application try through the proxy
    out = callpolicy.call_outcome(c, {Failure.error: q})
    assert out.success == pytest.approx(1 - (1 - inner) ** 3)
    assert out.app_tries == pytest.approx(1 + q**2 + q**4)
    assert out.tries == pytest.approx((1 + q**2 + q**4) * (1 + q))
    # the mesh retries what the application does not
    mixed = call(retries={"attempts": 3, "retry_on": ["timeout"]}, mesh_retries={"attempts": 2})
    assert callpolicy.call_outcome(mixed, {Failure.error: q}).success == pytest.approx(1 - q**2)


def test_retries_that_do_not_fit_the_deadline_are_not_made() -> None:
    c = call(timeout=0.5, retries={"attempts": 4, "per_try_timeout": 0.2})
    # timed-out tries take 200 ms: tries start at 0, 0.2, 0.4 (0.6 is past the deadline)
    out = callpolicy.call_outcome(c, {Failure.timeout: 0.5})
    assert out.success == pytest.approx(1 - 0.5**3)
    assert out.tries == pytest.approx(1 + 0.5 + 0.25)
    # fail-fast failures take no time: all four tries fit
    assert callpolicy.call_outcome(c, {Failure.error: 0.5}).success == pytest.approx(1 - 0.5**4)


def test_an_application_try_that_timed_out_lasted_its_proxy_tries() -> None:
    # each application try's proxy makes two 100 ms tries: application tries start at 0
    # and 200 ms; a third would start at 400 ms, after the 350 ms deadline
    c = call(
        timeout=0.35,
        retries={"attempts": 3, "retry_on": ["timeout"]},
        mesh_retries={"attempts": 2, "per_try_timeout": 0.1, "retry_on": ["timeout"]},
    )
    p = 0.5
    out = callpolicy.call_outcome(c, {Failure.timeout: p})
    assert out.app_tries == pytest.approx(1 + p**2)
    assert out.success == pytest.approx(1 - p**4)


def test_deadlines_and_worst_case_of_nested_layers() -> None:
    c = call(
        timeout=1.0,
        retries={"attempts": 2, "per_try_timeout": 0.45, "backoff": {"base": 0.05}},
        mesh_retries={"attempts": 3, "per_try_timeout": 0.1},
    )
    sem = semantics(c)
    assert sem.try_deadline == pytest.approx(0.1)
    assert sem.app_window == pytest.approx(0.45)
    assert callpolicy.mesh_sequence_worst(c, 0.5) == pytest.approx(0.3)
    assert callpolicy.worst_case(c, 0.5) == pytest.approx(2 * 0.3 + 0.05)
    assert callpolicy.call_needs(c, 0.5) == pytest.approx(2 * 0.45 + 0.05)
    route = callpolicy.mesh_route_policy(c)
    assert (route.retries, route.per_try_timeout, route.timeout) == (2, 0.1, 0.45)
    assert route.retry_on == ("unavailable", "reset", "5xx")


def test_app_retries_only_render_mesh_retries_off() -> None:
    route = callpolicy.mesh_route_policy(call(timeout=1.0, retries=3))
    assert route.retries == 0 and route.retry_on == () and route.per_try_timeout is None
    assert route.timeout == 1.0


def test_repetitions_of_fractional_per_request() -> None:
    assert callpolicy.repetitions(2.5) == (2, 0.5)
    assert callpolicy.ceil_repetitions(2.5) == 3
    c = call(per_request=1.5)
    assert callpolicy.call_success(c, {Failure.error: 0.1}) == pytest.approx(0.9 * (0.5 + 0.5 * 0.9))


def test_sample_repetition_retries_only_timeouts_it_is_told_to() -> None:
    rng = np.random.default_rng(1)
    n = 20000

    def draw() -> np.ndarray:
        return rng.exponential(0.1, n).astype(np.float32)

    def uniform() -> np.ndarray:
        return rng.random(n, dtype=np.float32)

    p = math.exp(-0.1 / 0.1)  # P(try > 100 ms)
    c = call(retries={"attempts": 3, "per_try_timeout": 0.1})
    t, failed = callpolicy.sample_repetition(c, draw, uniform)
    assert failed.mean() == pytest.approx(p**3, abs=0.01)
    assert float(t.max()) <= 0.3 + 1e-6
    no = call(retries={"attempts": 3, "per_try_timeout": 0.1, "retry_on": ["5xx"]}, mesh_retries=1)
    _, failed = callpolicy.sample_repetition(no, draw, uniform)
    assert failed.mean() == pytest.approx(p**3, abs=0.01)  # 5xx retries timeouts (Envoy)
    only_errors = call(retries={"attempts": 3, "per_try_timeout": 0.1, "retry_on": ["unavailable"]})
    _, failed = callpolicy.sample_repetition(only_errors, draw, uniform)
    assert failed.mean() == pytest.approx(p, abs=0.01)


# --------------------------------------------------------------------------- fallbacks

DEEP_FALLBACK = """
    meshwright: 1
    system: fb
    services:
      a:
        availability: 100
        runtime: {concurrency: 200}
        apis: [{name: A, port: 80, operations: {Get: {service_time: 1ms}}}]
        calls: [{to: b.Get, fallback: c.Get}]
      b:
        availability: 50
        runtime: {concurrency: 200}
        apis: [{name: B, port: 80, operations: {Get: {service_time: 1ms}}}]
      c:
        availability: 100
        runtime: {concurrency: 200}
        apis: [{name: C, port: 80, operations: {Get: {service_time: 1ms}}}]
        calls: [{to: z.Get}]
      z:
        availability: 10
        runtime: {concurrency: 200}
        apis: [{name: Z, port: 80, operations: {Get: {service_time: 1ms}}}]
    entrypoints:
      - {operation: a.Get, rate: 200/s}
    """


def test_fallback_uses_the_targets_composed_availability() -> None:
    m = model(DEEP_FALLBACK)
    assert composed_availability(m)["a.Get"].composed == pytest.approx(0.5 + 0.5 * 0.1)
    success, n = entry_success(m, duration=30)
    assert success == pytest.approx(0.55, abs=4 * math.sqrt(0.55 * 0.45 / n))


def test_mw301_still_fires_with_a_fallback() -> None:
    from meshwright.check.engine import run_check

    text = textwrap.dedent(DEEP_FALLBACK.replace("availability: 100\n        runtime: {concurrency: 200}\n"
                                    "        apis: [{name: A,",
                                    "availability: 100\n        slo: {availability: 99}\n"
                                    "        runtime: {concurrency: 200}\n        apis: [{name: A,"))
    report = run_check(load_text(text.lstrip("\n"), "t.yaml"))
    codes = {f.code for f in report.findings}
    assert "MW301" in codes


FALLBACK_CYCLE = """
    meshwright: 1
    system: cyc
    services:
      a:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        calls: [{to: b.Get, timeout: 1s, fallback: c.Get}]
      b:
        availability: 90
        apis: [{name: B, port: 80, operations: {Get: {}}}]
      c:
        availability: 99
        apis: [{name: C, port: 80, operations: {Get: {}}}]
        calls: [{to: a.Get, timeout: 1s}]
    """


def test_a_fallback_closing_a_cycle_is_cut_and_composed_from_intrinsic_values() -> None:
    m = model(FALLBACK_CYCLE)
    comp = composition_order(m)
    assert [e.callee for e in comp.fallback_cut] == ["b.Get"]
    a = composed_availability(m)["a.Get"].composed
    assert a == pytest.approx(0.999 * (0.9 + 0.1 * 0.99))


def test_retry_on_timeout_against_a_fail_fast_callee() -> None:
    m = model("""
        meshwright: 1
        system: ff
        services:
          a:
            availability: 100
            runtime: {concurrency: 200}
            apis: [{name: A, port: 80, operations: {Get: {service_time: 1ms}}}]
            calls: [{to: b.Get, retries: {attempts: 3, retry_on: [timeout]}}]
          b:
            availability: 80
            runtime: {concurrency: 200}
            apis: [{name: B, port: 80, operations: {Get: {service_time: 1ms}}}]
        entrypoints:
          - {operation: a.Get, rate: 200/s}
        """)
    assert composed_availability(m)["a.Get"].composed == pytest.approx(0.8)
    success, n = entry_success(m, duration=30)
    assert success == pytest.approx(0.8, abs=4 * math.sqrt(0.8 * 0.2 / n))


# --------------------------------------------------------------------------- simulator nesting

NESTED = """
    meshwright: 1
    system: nest
    platform: {mesh: istio}
    services:
      a:
        availability: 100
        runtime: {concurrency: 1000}
        apis: [{name: A, port: 80, operations: {Get: {service_time: 1ms}}}]
        calls: [{to: b.Get%s}]
      b:
        availability: %s
        runtime: {concurrency: 1000}
        apis: [{name: B, port: 80, operations: {Get: {service_time: %s}}}]
    entrypoints:
      - {operation: a.Get, rate: 50/s}
    """


def _failed_tries(policy: str, availability: float, service_time: str) -> tuple[dict[str, int], int]:
    m = model(NESTED % (policy, availability, service_time))
    r = simulate(m, None, SimOptions(duration=10, seed=3, engine="python"))
    t = r.totals["entrypoints"]["a.Get"]
    return r.failures.get("a", {}), (t["ok"] or 0) + (t["errors"] or 0)


@pytest.mark.parametrize(
    ("policy", "tries"),
    [
        (", retries: 2, mesh_retries: 3", 6),
        (", retries: 2, mesh_retries: {attempts: 3, retry_on: [timeout]}", 2),
        (", retries: {attempts: 2, retry_on: [unavailable]}, mesh_retries: 3", 3),
    ],
    ids=["2 x 3", "mesh retries timeouts only", "app retries unavailable only"],
)
def test_simulator_nests_mesh_tries_inside_application_tries(policy: str, tries: int) -> None:
    failures, requests = _failed_tries(policy, 0.0, "1ms")
    # (a request still in flight when the run ends has made some of its tries)
    assert set(failures) == {"error"}
    assert failures["error"] / requests == pytest.approx(tries, rel=0.01)
    c = model(NESTED % (policy, 0.0, "1ms")).services["a"].calls[0]
    assert callpolicy.expected_tries(c, 1.0) == tries


def test_simulator_cuts_proxy_tries_at_the_application_try_deadline() -> None:
    # b answers after 100 ms; the proxy tries at 0, 30 and 60 ms, the application try's
    # deadline (70 ms) cuts the third: per application try 2 mesh timeouts + 1 app timeout
    policy = (", timeout: 1s, retries: {attempts: 2, per_try_timeout: 70ms}, "
              "mesh_retries: {attempts: 3, per_try_timeout: 30ms}")
    failures, requests = _failed_tries(policy, 100.0, "{mean: 100ms, distribution: deterministic}")
    assert set(failures) == {"timeout"}
    assert failures["timeout"] / requests == pytest.approx(6, rel=0.01)


def test_retry_storm_load_follows_retry_on() -> None:
    from meshwright.analysis.amplification import retry_storm

    base = NESTED % ("%s", 99.9, "1ms")
    assert retry_storm(model(base % ", retries: 3"), "b")["b"] == pytest.approx(3.0)
    only_timeouts = model(base % ", retries: {attempts: 3, retry_on: [timeout]}")
    assert retry_storm(only_timeouts, "b")["b"] == pytest.approx(1.0)


def test_latency_runs_the_fallback_when_every_try_timed_out() -> None:
    from meshwright.analysis.latency import latency_distribution

    text = """
        meshwright: 1
        system: fbl
        services:
          a:
            apis: [{name: A, port: 80, operations: {Get: {service_time: {mean: 1ms}}}}]
            calls: [{to: b.Get, timeout: 50ms, fallback: c.Get}]
          b:
            apis: [{name: B, port: 80, operations: {Get: {service_time: {mean: 1s}}}}]
          c:
            apis: [{name: C, port: 80, operations: {Get: {service_time: {mean: 5ms}}}}]
            calls: [{to: d.Get}]
          d:
            apis: [{name: D, port: 80, operations: {Get: {service_time: {mean: 7ms}}}}]
        """
    text = re.sub(r"\{mean: (\w+)\}", r"{mean: \1, distribution: deterministic}", text)
    r = latency_distribution(model(text), "a.Get")
    assert r.p50 == pytest.approx(0.001 + 0.050 + 0.005 + 0.007, rel=1e-4)


BUDGET = """
    meshwright: 1
    system: budget
    services:
      a:
        availability: 100
        runtime: {concurrency: 1000}
        apis: [{name: A, port: 80, operations: {Get: {service_time: 1ms}}}]
        calls: [{to: b.Get, retries: {attempts: 5, retry_on: [5xx], budget: %s}}]
      b:
        availability: %s
        runtime: {concurrency: 1000}
        apis: [{name: B, port: 80, operations: {Get: {service_time: 1ms}}}]
    entrypoints:
      - {operation: a.Get, rate: 200/s}
    """


@pytest.mark.parametrize(
    ("budget", "availability", "expected"),
    [
        ("{ratio: 20, min_per_second: 0}", 50, 0.5 + 0.2 * 0.5),
        ("{ratio: 10, min_per_second: 5}", 80, None),
    ],
    ids=["20 % of 200/s", "10 % or 5/s"],
)
def test_a_binding_retry_budget_grants_the_retries_it_allows(
    budget: str, availability: float, expected: float | None
) -> None:
    m = model(BUDGET % (budget, availability))
    analysed = composed_availability(m)["a.Get"].composed
    if expected is not None:  # 0.2 retries per call, each succeeding half the time
        assert analysed == pytest.approx(expected, rel=1e-6)
    success, _ = entry_success(m, duration=60, seed=3)
    assert success == pytest.approx(analysed, rel=0.02)
    unlimited = model(BUDGET % ("{ratio: 100, min_per_second: 1000}", availability))
    assert composed_availability(unlimited)["a.Get"].composed > analysed
