"""Finding messages read as English: counts agree with their nouns, names take possessives."""

from __future__ import annotations

from check_cases import load_case

from meshwright.check import run_check


def messages(text: str, code: str) -> list[str]:
    return [f.message for f in run_check(load_case(text), select=[code]).findings]


def _overloaded_api(rate: str, replicas: int, concurrency: int, service_time: str) -> str:
    """A model of one service, api, whose operation Get receives ``rate`` (MW605's case)."""
    return f"""\
entrypoints: [{{operation: api.Get, rate: {rate}}}]
services:
  api:
    runtime: {{replicas: {replicas}, concurrency: {concurrency}}}
    apis: [{{name: Api, port: 80, operations: {{Get: {{service_time: {service_time}}}}}}}]
"""


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
    [message] = messages(_overloaded_api("500/s", 1, 4, "20ms"), "MW605")
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


def test_availability_below_slo_prints_enough_digits_to_differ() -> None:
    model = """\
services:
  web:
    apis: [{name: Web, port: 80, operations: {Home: {}}}]
    calls: [{to: api.Get, timeout: 1s}]
    slo: {availability: 99.9}
  api:
    availability: 99.8999
    apis: [{name: Api, port: 80, operations: {Get: {}}}]
"""
    [message] = messages(model, "MW207")
    assert "api.Get is 99.8999 % available, below web's SLO 99.9000 %" in message


def test_overload_rates_share_one_number_format() -> None:
    [message] = messages(_overloaded_api("3.1968/s", 1, 1, "500ms"), "MW605")
    assert "api receives 3.2/s but 1 replica × 1 concurrency serve at most 2.0/s" in message


def test_overload_at_the_edge_prints_rates_and_utilisation_that_differ() -> None:
    """3.1968/s against 1/313ms = 3.1949/s: "receives 3.2/s but … serve at most 3.2/s
    (utilization 100 %)" read as no overload at all."""
    [message] = messages(_overloaded_api("3.1968/s", 1, 1, "313ms"), "MW605")
    assert "api receives 3.20/s but 1 replica × 1 concurrency serve at most 3.19/s" in message
    assert "(utilization 100.1 %)" in message


def test_rates_and_percentages_get_the_digits_that_tell_them_apart() -> None:
    from meshwright.wording import percent_above, rates_apart

    assert rates_apart(500, 250) == ("500/s", "250/s")
    assert rates_apart(1250.4, 1250.2) == ("1,250.4/s", "1,250.2/s")
    assert rates_apart(3.0, 3.0) == ("3.0/s", "3.0/s")
    assert percent_above(250.3) == "250" and percent_above(100.0) == "100"
    assert percent_above(100.06) == "100.1"
