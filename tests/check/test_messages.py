"""Finding messages read as English: counts agree with their nouns, names take possessives."""

from __future__ import annotations

from check_cases import load_case

from meshwright.check import run_check


def messages(text: str, code: str) -> list[str]:
    return [f.message for f in run_check(load_case(text), select=[code]).findings]


def test_one_replica_is_singular() -> None:
    model = """\
services:
  cart:
    runtime: {replicas: 1}
    apis: [{name: Cart, port: 80, operations: {Get: {}}}]
    slo: {availability: 99.95}
"""
    assert messages(model, "MW601") == ["cart has an availability SLO of 99.95 % but may run 1 replica"]
    none = model.replace("replicas: 1", "replicas: 0, autoscale: {min: 0, max: 3}")
    assert messages(none, "MW601") == ["cart has an availability SLO of 99.95 % but may run 0 replicas"]


def test_one_topic_is_declared() -> None:
    one = "platform: {broker: none}\ntopics: {order-placed: {}}\n"
    two = "platform: {broker: none}\ntopics: {order-placed: {}, order-paid: {}}\n"
    assert messages(one, "MW411") == ["1 topic is declared but platform.broker is none"]
    assert messages(two, "MW411") == ["2 topics are declared but platform.broker is none"]


def test_a_name_ending_in_s_takes_the_apostrophe_only() -> None:
    model = """\
services:
  orders:
    apis: [{name: Orders, port: 80, operations: {Place: {}}}]
    slo: {latency: {p99: 300ms}}
    calls: [{to: cart.Get, timeout: 2s}]
  cart:
    apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
"""
    [message] = messages(model, "MW213")
    assert "longer than orders' latency SLO p99 300ms" in message


def test_overload_counts_one_replica() -> None:
    model = """\
entrypoints: [{operation: api.Get, rate: 500/s}]
services:
  api:
    runtime: {replicas: 1, concurrency: 4}
    apis: [{name: Api, port: 80, operations: {Get: {service_time: 20ms}}}]
"""
    [message] = messages(model, "MW605")
    assert "but 1 replica × 4 concurrency serve at most 200/s" in message
    assert message.endswith("it needs 3 replicas")


def test_zero_replicas_names_where_the_traffic_comes_from() -> None:
    called = """\
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: api.Get, timeout: 1s}]
  api:
    runtime: {replicas: 0}
    apis: [{name: Api, port: 80, operations: {Get: {}}}]
"""
    assert messages(called, "MW612") == ["api is called by web but runs 0 replicas"]
    entry = """\
entrypoints: [{operation: web.Home, rate: 5/s, name: home}]
services:
  web:
    runtime: {replicas: 0}
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
"""
    assert messages(entry, "MW612") == ["web receives traffic from entrypoint home but runs 0 replicas"]


def test_a_call_the_callee_does_not_allow_is_found_at_the_call() -> None:
    model = """\
services:
  checkout:
    apis: [{name: Checkout, port: 80, operations: {Place: {}, Cancel: {}}}]
    calls: [{to: orders.Refund, timeout: 1s}]
  orders:
    apis: [{name: Orders, port: 80, operations: {Create: {}, Refund: {}}}]
    authorization: [{allow: [checkout], operations: [Create]}]
"""
    report = run_check(load_case(model), select=["MW509"])
    [finding] = report.findings  # one finding for the service-level call, not one per operation
    assert finding.message == (
        "checkout calls orders.Refund, which orders' authorization does not allow for checkout"
    )
    assert finding.path == ("services", "checkout", "calls", 0)
    assert finding.location.line == 6  # the call's line (after the two added header lines)
