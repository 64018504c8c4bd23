"""The compiled engine (the C core) and the Python engine (the oracle) give the same
recorder for the same seed: every count equal, every float equal to 1e-9, on generated
models covering every call policy, station, entrypoint, topic and autoscaling feature and
every scenario fault, and on examples/shop under each scenario of examples/scenarios.

Exact agreement holds because both engines draw from the core's generator
(``distributions.Random`` is ``_simcore.Random`` when the extension is built) in the same
order, and order their events by (time, sequence number) with events created in the same
order. The one part allowed to differ is which latencies a bucket keeps beyond
``recorder.LATENCY_SAMPLE`` (each engine samples with its own generator); these runs stay
below it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshwright.model import Model, load_model
from meshwright.simulate import compiled
from meshwright.simulate.distributions import Random
from meshwright.simulate.engine import SimOptions, run
from meshwright.simulate.recorder import Recorder
from meshwright.simulate.scenario import FaultEvent, Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not compiled.available(), reason="the C core is not built")


def differences(a: Recorder, b: Recorder) -> list[tuple[Any, ...]]:
    """Where two recorders differ (empty: the same run)."""
    out: list[tuple[Any, ...]] = []
    if a.events != b.events:
        out.append(("events", a.events, b.events))
    for kind in ("services", "entrypoints"):
        sa_all, sb_all = getattr(a, kind), getattr(b, kind)
        assert set(sa_all) == set(sb_all)
        for name, sa in sa_all.items():
            sb = sb_all[name]
            for field in sa.__slots__:
                va, vb = getattr(sa, field), getattr(sb, field)
                if field == "latencies":
                    for i, (x, y) in enumerate(zip(va, vb, strict=True)):
                        x, y = np.asarray(x), np.asarray(y)
                        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-9, atol=1e-12):
                            out.append((kind, name, field, i, x.shape, y.shape))
                            break
                    continue
                for i, (x, y) in enumerate(zip(va, vb, strict=True)):
                    if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                        out.append((kind, name, field, i, x, y))
                        break
    if {k: +v for k, v in a.failures.items()} != {k: +v for k, v in b.failures.items()}:
        out.append(("failures", a.failures, b.failures))
    if a.breakers != b.breakers:
        out.append(("breakers", a.breakers, b.breakers))
    if {k: [float(x) for x in v] for k, v in a.topics.items()} != b.topics:
        out.append(("topics", a.topics, b.topics))
    return out


def both(model: Model, scenario: Scenario, duration: float, seed: int) -> tuple[Recorder, Recorder]:
    py = run(model, scenario, SimOptions(duration=duration, seed=seed, engine="python"))
    core = run(model, scenario, SimOptions(duration=duration, seed=seed, engine="compiled"))
    return py, core


def test_the_engines_draw_from_the_core_generator() -> None:
    assert Random(7).source == "core"
    a, b = Random(7), Random(7)
    assert [a.exp(), a.uniform(), a.normal()] == [b.exp(), b.uniform(), b.normal()]


# ------------------------------------------------------------------ generated models

DURATION = 12.0
RETRY_ON = ["5xx", "gateway_error", "reset", "connect_failure", "refused", "unavailable", "timeout",
            "rate_limited"]


@st.composite
def retries(draw: st.DrawFn) -> dict[str, Any]:
    r: dict[str, Any] = {"attempts": draw(st.integers(1, 4))}
    if draw(st.booleans()):
        r["per_try_timeout"] = f"{draw(st.integers(5, 60))}ms"
    if draw(st.booleans()):
        r["backoff"] = {"base": f"{draw(st.integers(1, 30))}ms", "max": "80ms",
                        "jitter": draw(st.sampled_from(["full", "equal", "none"]))}
    r["retry_on"] = draw(st.lists(st.sampled_from(RETRY_ON), min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        r["budget"] = {"ratio": draw(st.integers(5, 50)), "min_per_second": draw(st.integers(0, 5))}
    return r


@st.composite
def policy(draw: st.DrawFn, fallback_to: str) -> dict[str, Any]:
    p: dict[str, Any] = {}
    if draw(st.booleans()):
        p["timeout"] = f"{draw(st.integers(10, 150))}ms"
    if draw(st.booleans()):
        p["retries"] = draw(retries())
    if draw(st.booleans()):
        p["mesh_retries"] = draw(retries())
    if draw(st.booleans()):
        p["circuit_breaker"] = draw(st.sampled_from([
            {"consecutive_errors": 3, "open_for": "2s"},
            {"error_rate": 30, "window": "3s", "min_requests": 5, "open_for": "1s", "half_open_requests": 2},
        ]))
    if draw(st.booleans()):
        p["bulkhead"] = {"max_concurrent": draw(st.integers(1, 6)), "max_queue": draw(st.integers(0, 5))}
    if draw(st.booleans()):
        p["rate_limit"] = {"rate": f"{draw(st.integers(20, 200))}/s", "burst": draw(st.integers(1, 20))}
    fb = draw(st.sampled_from([None, "cache", fallback_to]))
    if fb is not None:
        p["fallback"] = fb
    if draw(st.booleans()):
        p["per_request"] = draw(st.sampled_from([0.5, 1.5, 2, 2.25]))
    return p


def service(draw: st.DrawFn, mean_ms: int, calls: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["exponential", "lognormal", "deterministic"]))
    st_: dict[str, Any] = {"mean": f"{mean_ms}ms", "distribution": kind}
    if kind == "lognormal":
        st_["p99"] = f"{mean_ms * 5}ms"
    op: dict[str, Any] = {"service_time": st_}
    if "publishes" in extra:
        op["publishes"] = extra.pop("publishes")
    runtime: dict[str, Any] = {
        "replicas": draw(st.integers(1, 3)),
        "concurrency": draw(st.integers(1, 6)),
        "load_balancing": draw(st.sampled_from(["round_robin", "least_requests", "power_of_two"])),
    }
    if draw(st.booleans()):
        runtime["queue_limit"] = draw(st.integers(0, 8))
    svc: dict[str, Any] = {
        "availability": draw(st.sampled_from([100, 99, 95])),
        "runtime": runtime,
        "apis": [{"name": "A", "port": 80, "operations": {"Op": op}}],
    }
    if calls:
        svc["calls"] = calls
    if draw(st.integers(0, 4)) == 0:
        svc["rate_limit"] = {"rate": f"{draw(st.integers(50, 300))}/s", "burst": draw(st.integers(1, 30))}
    svc.update(extra)
    return svc


@st.composite
def systems(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    parallel = draw(st.booleans())
    group = {"parallel": "fan"} if parallel else {}
    edge_calls = [{"to": "mid.Op", **group, **draw(policy("alt.Op"))},
                  {"to": "leaf.Op", **group, **draw(policy("alt.Op"))}]
    mid_calls = [{"to": "leaf.Op", **draw(policy("alt.Op"))}]
    topics = draw(st.booleans())
    services = {
        "edge": service(draw, 2, edge_calls, **({"publishes": ["ev"]} if topics else {})),
        "mid": service(draw, 4, mid_calls),
        "leaf": service(draw, 8, []),
        "alt": service(draw, 1, []),
    }
    if draw(st.booleans()):  # no replica: every call to leaf is refused
        services["leaf"]["runtime"]["replicas"] = 0
    if draw(st.booleans()):
        services["mid"]["runtime"].update(
            cpu=0.5, autoscale={"min": 1, "max": 5, "cpu_target": draw(st.integers(20, 80)),
                                "reaction": f"{draw(st.integers(0, 10))}s",
                                "scale_down_stabilization": f"{draw(st.integers(0, 30))}s"})
    data: dict[str, Any] = {"meshwright": 1, "system": "exact", "services": services}
    if topics:
        data["topics"] = {"ev": {"partitions": draw(st.integers(1, 3))},
                          "dlq": {"partitions": 1, "dead_letter": True}}
        consume: dict[str, Any] = {"topic": "ev", "operation": "Op"}
        if draw(st.booleans()):
            consume["dead_letter"] = "dlq"
        services["worker"] = service(draw, 5, [], consumes=[consume])
        services["sink"] = service(draw, 1, [], consumes=["dlq"])
    ep: dict[str, Any] = {"operation": "edge.Op", "rate": f"{draw(st.integers(40, 250))}/s"}
    if draw(st.booleans()):
        ep["rate_limit"] = {"rate": f"{draw(st.integers(30, 200))}/s", "burst": 10}
    if draw(st.booleans()):
        ep["profile"] = [{"at": "4s", "rate": f"{draw(st.integers(0, 300))}/s"},
                         {"at": "8s", "rate": "100/s"}]
    data["entrypoints"] = [ep]
    names = list(services)
    events = []
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["crash", "latency", "errors", "slow", "partition", "spike"]))
        ev: dict[str, Any] = {"at": draw(st.floats(0.5, 8.0)), "action": action}
        if draw(st.booleans()):
            ev["for"] = draw(st.floats(0.5, 4.0))
        target = draw(st.sampled_from(names))
        if action == "crash":
            ev["service"] = target
            if draw(st.booleans()):
                ev["replicas"] = draw(st.integers(1, 2))
        elif action == "latency":
            ev.update(service=target, add=draw(st.floats(0.001, 0.2)))
        elif action == "errors":
            ev.update(service=target, rate=draw(st.integers(10, 100)))
        elif action == "slow":
            ev.update(service=target, factor=draw(st.floats(0.5, 4.0)))
        elif action == "partition":
            ev["between"] = draw(st.sampled_from([["edge", "mid"], ["mid", "leaf"], ["leaf", "edge"]]))
        else:
            ev["multiplier"] = draw(st.floats(0.5, 3.0))
            if draw(st.booleans()):
                ev["service"] = draw(st.sampled_from(["edge", "mid"]))
        events.append(ev)
    return data, events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(), st.integers(1, 1000))
def test_both_engines_give_the_same_recorder(system: tuple[dict[str, Any], list[dict[str, Any]]],
                                             seed: int) -> None:
    data, events = system
    model = Model.model_validate(data)
    scenario = Scenario(name="gen", events=[FaultEvent.model_validate(e) for e in events])
    py, core = both(model, scenario, DURATION, seed)
    assert differences(py, core) == []


def test_the_comparison_sees_a_perturbed_parameter() -> None:
    """The check is not vacuous: a 5 % slower leaf gives a different recorder."""
    def chain(mean_ms: float) -> Model:
        return Model.model_validate({
            "meshwright": 1, "system": "p",
            "services": {
                "a": {"runtime": {"replicas": 2, "concurrency": 4},
                      "apis": [{"name": "A", "port": 80, "operations": {"Op": {"service_time": "2ms"}}}],
                      "calls": [{"to": "b.Op", "timeout": "40ms", "retries": 3}]},
                "b": {"runtime": {"replicas": 1, "concurrency": 2},
                      "apis": [{"name": "B", "port": 80,
                                "operations": {"Op": {"service_time": f"{mean_ms}ms"}}}]}},
            "entrypoints": [{"operation": "a.Op", "rate": "150/s"}]})
    steady = Scenario(name="steady")
    py = run(chain(10), steady, SimOptions(duration=DURATION, seed=3, engine="python"))
    core = run(chain(10.5), steady, SimOptions(duration=DURATION, seed=3, engine="compiled"))
    assert differences(py, core) != []


# ------------------------------------------------------------------ the examples


@pytest.mark.parametrize("scenario", [None, "crash-and-recover.yaml", "slow-dependency.yaml",
                                      "traffic-spike.yaml"])
def test_shop_under_each_scenario(scenario: str | None) -> None:
    shop = load_model(ROOT / "examples" / "shop").model
    if scenario is None:
        sc, duration = Scenario(name="steady"), 60.0
    else:
        sc = load_scenario(ROOT / "examples" / "scenarios" / scenario, shop, None, 300.0).scenario
        duration = float(sc.duration or 300.0)
    py, core = both(shop, sc, duration, 1)
    assert py.events > 100_000
    assert differences(py, core) == []


def test_retry_storm_example() -> None:
    base = ROOT / "examples" / "scenarios" / "retry-storm"
    m = load_model(base / "mesh.yaml").model
    sc = load_scenario(base / "blip.yaml", m, None, 100.0).scenario
    py, core = both(m, sc, 100.0, 2)
    assert sum(sum(s.retries) for s in py.services.values()) > 0
    assert differences(py, core) == []


def test_partition_without_shorter_timeouts_fails_calls_to_connect() -> None:
    """The connect-timeout path (no call timeout shorter than CONNECT_TIMEOUT), with a
    mesh retry on connect_failure, and a crash resetting requests in service."""
    from meshwright.simulate.scenario import parse_scenario

    from .models import three_tier

    m = three_tier(", mesh_retries: {attempts: 2, retry_on: [connect_failure]}")
    sc = parse_scenario("events:\n  - {at: 2s, for: 3s, action: partition, between: [api, db]}\n"
                        "  - {at: 6s, for: 2s, action: crash, service: db, replicas: 1}\n").scenario
    py, core = both(m, sc, DURATION, 4)
    assert py.failures["api"]["connect_failure"] > 0
    assert py.failures["web"]["reset"] + py.failures["api"]["reset"] > 0
    assert differences(py, core) == []
