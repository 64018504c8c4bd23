"""The engine's behaviour, one feature at a time, on a small web → api → db model."""

from __future__ import annotations

import json

import pytest

from meshwright.simulate import SimOptions, SimResult, simulate
from meshwright.simulate.policies import OPEN
from meshwright.simulate.scenario import Scenario, parse_scenario

from .models import model, three_tier


def run(m: object, scenario: str | None = None, duration: float = 40, seed: int = 1,
        bucket: float = 1.0, intrinsic_failures: bool = True) -> SimResult:
    sc = parse_scenario(scenario).scenario if scenario else Scenario(name="steady")
    opts = SimOptions(duration=duration, seed=seed, bucket=bucket, intrinsic_failures=intrinsic_failures)
    return simulate(m, sc, opts)  # type: ignore[arg-type]


def window(values: list[float | None], lo: float, hi: float, width: float = 1.0) -> float:
    """Mean of a series over buckets starting in [lo, hi)."""
    sel = [v or 0.0 for i, v in enumerate(values) if lo <= i * width < hi]
    return sum(sel) / len(sel)


def svc(r: SimResult, name: str, key: str) -> float:
    v = r.totals["services"][name][key]
    assert v is not None
    return v


def test_same_seed_same_result_other_seed_other_result() -> None:
    m = three_tier(", timeout: 200ms, retries: {attempts: 2, backoff: 10ms}")
    chaos = (
        "events:\n  - {at: 10s, for: 5s, action: latency, service: db, add: 100ms}\n"
        "  - {at: 20s, for: 5s, action: crash, service: api, replicas: 1}\n"
    )
    a = json.dumps(run(m, chaos, seed=7).to_json())
    b = json.dumps(run(m, chaos, seed=7).to_json())
    c = json.dumps(run(m, chaos, seed=8).to_json())
    assert a == b
    assert a != c


def test_steady_run_serves_the_offered_load() -> None:
    r = run(three_tier(), duration=60)
    ep = r.totals["entrypoints"]["web.Home"]
    assert ep["requests"] == pytest.approx(200 * 60, rel=0.05)
    # three services at 99.9 % each fail independently
    assert ep["success"] == pytest.approx(0.999**3, abs=0.002)
    # db: λ × mean service time spread over 2 × 4 servers
    assert svc(r, "db", "utilisation") == pytest.approx(200 * 0.010 / 8, rel=0.1)
    # api holds its slot while it waits for db, so it is busier than its own 5 ms
    assert svc(r, "api", "utilisation") > 200 * 0.005 / 16 * 1.5
    assert r.verdict.recovery.status == "no-faults"
    assert r.verdict.slos_met


def test_crash_stops_goodput_and_the_system_recovers() -> None:
    chaos = "events:\n  - {at: 10s, for: 10s, action: crash, service: db}\n"
    r = run(three_tier(), chaos, duration=60)
    good = r.entrypoints["web.Home"]["goodput"]
    assert window(good, 11, 20) == 0.0
    assert window(good, 25, 60) == pytest.approx(200, rel=0.1)
    assert r.verdict.recovery.status == "recovered"
    assert not r.verdict.slos_met  # 1/6 of the run failed: web's 99 % is missed


def test_crashing_some_replicas_halves_capacity_only() -> None:
    chaos = "events:\n  - {at: 10s, for: 20s, action: crash, service: db, replicas: 1}\n"
    r = run(three_tier(), chaos, duration=40)
    assert window(r.services["db"]["replicas"], 11, 29) == 1
    assert window(r.services["db"]["replicas"], 31, 40) == 2
    assert window(r.entrypoints["web.Home"]["goodput"], 12, 29) == pytest.approx(200, rel=0.1)


def test_timed_out_callers_give_up_but_the_callee_keeps_working() -> None:
    m = three_tier(", retries: {attempts: 3, per_try_timeout: 20ms}")
    chaos = "events:\n  - {at: 0s, for: 100s, action: latency, service: db, add: 50ms}\n"
    r = run(m, chaos, duration=20)
    api_calls = svc(r, "api", "requests")
    # every try times out, so each api request makes 3 tries ...
    assert svc(r, "db", "requests") == pytest.approx(3 * api_calls, rel=0.05)
    assert svc(r, "api", "success") < 0.01
    # ... and db still finishes the work nobody waits for any more
    assert svc(r, "db", "success") > 0.99
    assert svc(r, "api", "retries") == pytest.approx(2 * api_calls, rel=0.05)
    assert r.failures["api"]["timeout"] == pytest.approx(3 * api_calls, rel=0.05)


def test_overall_timeout_caps_the_callers_wait() -> None:
    m = three_tier(", timeout: 30ms")
    chaos = "events:\n  - {at: 0s, for: 100s, action: latency, service: db, add: 100ms}\n"
    r = run(m, chaos, duration=10)
    assert svc(r, "api", "success") < 0.01
    assert r.failures["api"]["deadline"] == pytest.approx(svc(r, "api", "requests"), rel=0.02)
    # api fails at its 30 ms deadline (plus its own few ms), not after db's 100 ms
    assert r.totals["services"]["web"]["requests"] > 0
    assert svc(r, "db", "success") > 0.99


def test_circuit_breaker_opens_and_fails_fast() -> None:
    m = three_tier(", circuit_breaker: {consecutive_errors: 5, open_for: 5s}")
    chaos = "events:\n  - {at: 10s, for: 20s, action: errors, service: db, rate: 100}\n"
    r = run(m, chaos, duration=80)
    states = r.breakers["api.Get -> db.Query"]
    assert OPEN in states[11:30]
    assert all(s != OPEN for s in states[:10])
    assert all(s != OPEN for s in states[45:])
    # while open, db sees only the half-open probes; api's calls fail at once
    assert window(r.services["db"]["offered"], 12, 30) < 10
    assert r.failures["api"]["circuit_open"] > r.failures["api"]["error"]
    assert r.verdict.recovery.status == "recovered"


def test_circuit_breaker_on_error_rate() -> None:
    m = three_tier(", circuit_breaker: {error_rate: 50, window: 5s, min_requests: 20, open_for: 3s}")
    chaos = "events:\n  - {at: 5s, for: 10s, action: errors, service: db, rate: 80}\n"
    r = run(m, chaos, duration=20)
    assert OPEN in r.breakers["api.Get -> db.Query"][5:15]


def test_bulkhead_limits_calls_in_flight() -> None:
    m = three_tier(", bulkhead: {max_concurrent: 2}")
    chaos = "events:\n  - {at: 0s, for: 100s, action: latency, service: db, add: 40ms}\n"
    r = run(m, chaos, duration=20)
    # 2 calls of ≥ 40 ms in flight per api → at most 2 × 25/s = 50 db requests per second
    assert svc(r, "db", "requests") / 20 <= 50
    assert svc(r, "api", "success") < 0.5


def test_rate_limit_rejects_above_the_rate() -> None:
    m = model("""
        meshwright: 1
        system: rl
        services:
          a:
            rate_limit: {rate: 50/s, burst: 10}
            runtime: {replicas: 1, concurrency: 100}
            apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]
        entrypoints:
          - {operation: a.Op, rate: 200/s}
        """)
    r = run(m, duration=30)
    assert svc(r, "a", "ok") / 30 == pytest.approx(50, rel=0.05)
    assert svc(r, "a", "rejected") / 30 == pytest.approx(150, rel=0.05)


def test_static_fallback_hides_the_dependency_failure() -> None:
    m = three_tier(", fallback: cache")
    chaos = "events:\n  - {at: 5s, for: 20s, action: errors, service: db, rate: 100}\n"
    r = run(m, chaos, duration=30)
    assert window(r.entrypoints["web.Home"]["goodput"], 6, 25) == pytest.approx(200, rel=0.1)


def test_fallback_operation_is_called_on_failure() -> None:
    m = model("""
        meshwright: 1
        system: fb
        services:
          a:
            apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]
            calls: [{to: b.Op, fallback: c.Op}]
          b:
            apis: [{name: B, port: 80, operations: {Op: {service_time: 1ms}}}]
          c:
            apis: [{name: C, port: 80, operations: {Op: {service_time: 1ms}}}]
        entrypoints:
          - {operation: a.Op, rate: 100/s}
        """)
    r = run(m, "events:\n  - {at: 0s, action: errors, service: b, rate: 100}\n", duration=10)
    assert svc(r, "c", "requests") == pytest.approx(svc(r, "b", "requests"), rel=0.02)
    assert svc(r, "a", "success") > 0.99


def test_fractional_per_request_makes_extra_calls_with_that_probability() -> None:
    r = run(three_tier(", per_request: 1.5"), duration=30)
    assert svc(r, "db", "requests") / svc(r, "api", "requests") == pytest.approx(1.5, abs=0.03)


def test_parallel_group_waits_for_the_slowest_call() -> None:
    def fan(parallel: bool) -> float:
        group = ", parallel: g" if parallel else ""
        m = model(f"""
            meshwright: 1
            system: fan
            services:
              a:
                runtime: {{concurrency: 200}}
                apis:
                  - name: A
                    port: 80
                    operations: {{Op: {{service_time: {{mean: 1ms, distribution: deterministic}}}}}}
                calls: [{{to: b.Op{group}}}, {{to: c.Op{group}}}]
              b:
                runtime: {{concurrency: 200}}
                apis:
                  - name: B
                    port: 80
                    operations: {{Op: {{service_time: {{mean: 20ms, distribution: deterministic}}}}}}
              c:
                runtime: {{concurrency: 200}}
                apis:
                  - name: C
                    port: 80
                    operations: {{Op: {{service_time: {{mean: 30ms, distribution: deterministic}}}}}}
            entrypoints:
              - {{operation: a.Op, rate: 20/s}}
            """)
        p50 = run(m, duration=10).totals["entrypoints"]["a.Op"]["p50"]
        assert p50 is not None
        return p50

    assert fan(parallel=True) == pytest.approx(0.031, abs=1e-6)
    assert fan(parallel=False) == pytest.approx(0.051, abs=1e-6)


def test_partition_fails_calls_between_two_services() -> None:
    chaos = "events:\n  - {at: 10s, for: 10s, action: partition, between: [api, db]}\n"
    r = run(three_tier(", timeout: 100ms"), chaos, duration=40)
    err = r.entrypoints["web.Home"]["error_rate"]
    assert window(err, 11, 20) > 0.95
    assert window(err, 25, 40) < 0.01


def test_spike_multiplies_the_offered_load() -> None:
    r = run(three_tier(), "events:\n  - {at: 10s, for: 10s, action: spike, multiplier: 3}\n", duration=30)
    offered = r.entrypoints["web.Home"]["offered"]
    assert window(offered, 10, 20) == pytest.approx(600, rel=0.1)
    assert window(offered, 20, 30) == pytest.approx(200, rel=0.1)


def test_slow_multiplies_service_time() -> None:
    r = run(three_tier(), "events:\n  - {at: 0s, action: slow, service: db, factor: 3}\n", duration=30)
    assert svc(r, "db", "utilisation") == pytest.approx(3 * 200 * 0.010 / 8, rel=0.1)


def test_rate_profile_changes_the_arrival_rate() -> None:
    m = model("""
        meshwright: 1
        system: p
        services:
          a:
            apis: [{name: A, port: 80, operations: {Op: {service_time: 1ms}}}]
        entrypoints:
          - {operation: a.Op, rate: 100/s, profile: [{at: 10s, rate: 300/s}]}
        """)
    offered = run(m, duration=20).entrypoints["a.Op"]["offered"]
    assert window(offered, 0, 10) == pytest.approx(100, rel=0.1)
    assert window(offered, 10, 20) == pytest.approx(300, rel=0.1)


def test_bounded_queue_rejects_when_full() -> None:
    m = model("""
        meshwright: 1
        system: q
        services:
          a:
            runtime: {replicas: 1, concurrency: 1, queue_limit: 5}
            apis: [{name: A, port: 80, operations: {Op: {service_time: 10ms}}}]
        entrypoints:
          - {operation: a.Op, rate: 200/s}
        """)
    r = run(m, duration=20)
    assert svc(r, "a", "rejected") / 20 == pytest.approx(100, rel=0.1)
    assert max(v or 0 for v in r.services["a"]["queue"]) <= 5


@pytest.mark.parametrize("lb", ["round_robin", "least_requests", "power_of_two"])
def test_load_balancers_spread_the_load(lb: str) -> None:
    m = model(f"""
        meshwright: 1
        system: lb
        services:
          a:
            runtime: {{replicas: 4, concurrency: 1, load_balancing: {lb}}}
            apis: [{{name: A, port: 80, operations: {{Op: {{service_time: 10ms}}}}}}]
        entrypoints:
          - {{operation: a.Op, rate: 300/s}}
        """)
    r = run(m, duration=30)
    assert svc(r, "a", "utilisation") == pytest.approx(0.75, rel=0.08)
    wait = svc(r, "a", "mean_wait")
    # smarter balancing waits less than round robin's independent queues
    assert wait < (0.05 if lb == "round_robin" else 0.02)


def test_autoscaler_adds_replicas_after_its_reaction_delay() -> None:
    m = model("""
        meshwright: 1
        system: as
        services:
          a:
            runtime:
              replicas: 2
              cpu: 1
              concurrency: 4
              autoscale: {min: 2, max: 8, cpu_target: 50, reaction: 20s}
            apis: [{name: A, port: 80, operations: {Op: {service_time: 10ms}}}]
        entrypoints:
          - {operation: a.Op, rate: 600/s}
        """)
    replicas = run(m, duration=120).services["a"]["replicas"]
    assert replicas[0] == 2
    assert replicas[33] == 2  # first decision at 15 s acts at 35 s
    assert replicas[36] is not None and replicas[36] >= 3
    assert replicas[-1] is not None and replicas[-1] >= 3


def test_topic_messages_reach_each_consumer_group() -> None:
    m = model("""
        meshwright: 1
        system: t
        topics:
          placed: {partitions: 2}
        services:
          orders:
            apis: [{name: O, port: 80, operations: {Place: {service_time: 1ms, publishes: [placed]}}}]
          mail:
            apis: [{name: M, port: 80, operations: {Send: {service_time: 20ms}}}]
            consumes: [{topic: placed, operation: Send}]
          stats:
            apis: [{name: S, port: 80, operations: {Count: {service_time: 1ms}}}]
            consumes: [placed]
        entrypoints:
          - {operation: orders.Place, rate: 50/s}
        """)
    # no intrinsic failures: a failed message would pause mail's group for a second (the
    # redelivery pause, tested on its own), and the backlog would grow by 50 meanwhile
    r = run(m, duration=30, intrinsic_failures=False)
    published = svc(r, "orders", "ok")
    assert svc(r, "stats", "requests") == pytest.approx(published, abs=5)
    # 2 partitions × 50 msg/s per consumer (20 ms each) = 100/s > 50/s: mail keeps up
    assert svc(r, "mail", "requests") == pytest.approx(published, abs=5)
    assert max(r.topics["placed/mail"]) < 50


def test_progress_reports_simulated_time_up_to_the_end() -> None:
    seen: list[float] = []
    simulate(three_tier(rate=2000), None, SimOptions(duration=30, engine="python"), seen.append)
    assert len(seen) >= 2
    assert seen == sorted(seen) and seen[-1] == 30
