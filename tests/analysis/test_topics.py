"""Topic traffic in the rate analyses: publishers, consumer handlers, cycles, and the
simulator's rates on the shop example."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from meshwright.analysis import AnalysisOptions, analyze
from meshwright.analysis.availability import composed_availability
from meshwright.analysis.capacity import arrival_rates, capacity, operation_rates
from meshwright.analysis.topics import topic_flow
from meshwright.graph import consumer_handlers, published_topics, publishers
from meshwright.model import load_model, load_text
from meshwright.model.types import Model

SHOP = Path(__file__).parent.parent.parent / "examples" / "shop"

FANOUT = """
meshwright: 1
system: t
topics: {orders: {}, audit: {}}
services:
  api:
    availability: %s
    apis: [{name: A, port: 80, operations: {Post: {publishes: [orders]}, Get: {idempotent: true}}}]
  worker:
    availability: 100
    apis: [{name: W, protocol: event, operations: {Handle: {service_time: 10ms}}}]
    calls: [{to: store.Put, per_request: 2}]
    consumes: [{topic: orders, operation: Handle}]
  mirror:
    availability: 100
    apis: [{name: M, protocol: event, operations: {Copy: {}}}]
    consumes: [{topic: orders, group: worker, operation: Copy}]
  sink:
    availability: 100
    apis: [{name: S, protocol: event, operations: {Take: {}}}]
    consumes: [orders]
  store:
    availability: 100
    apis: [{name: S, port: 80, operations: {Put: {}}}]
entrypoints:
  - {operation: api.Post, rate: 10/s}
  - {operation: api.Get, rate: 7/s}
"""


def load(text: str) -> Model:
    return load_text(text, "t.yaml").model


def test_handler_gets_the_publishers_rate_and_calls_downstream() -> None:
    rates = operation_rates(load(FANOUT % 100))
    assert rates["worker.Handle"] == 10.0
    assert rates["store.Put"] == 20.0  # the handler's synchronous calls carry its load
    # every consumes entry gets every message, a shared group name included (as simulated)
    assert rates["mirror.Copy"] == 10.0
    # an entry without `operation` names no handler and adds no load
    assert rates["sink.Take"] == 0.0
    assert rates["api.Get"] == 7.0  # idempotent, publishes nothing


def test_only_successful_requests_publish() -> None:
    model = load(FANOUT % 99)
    ok = composed_availability(model)["api.Post"].composed
    assert ok == pytest.approx(0.99)
    rates = arrival_rates(model)
    assert rates["worker"] == pytest.approx(10 * ok)
    assert rates["store"] == pytest.approx(20 * ok)


def test_handler_load_reaches_capacity() -> None:
    work = capacity(load(FANOUT % 100))["worker"]
    assert work.arrival_rate == 10.0
    assert work.cpu_demand == pytest.approx(10 * 0.010)
    assert work.replicas_needed == 1


SERVICE_LEVEL = """
meshwright: 1
system: t
topics: {changed: {}, other: {}}
services:
  a:
    publishes: [changed]
    apis: [{name: A, port: 80, operations: {Write: {}, Read: {idempotent: true}}}]
  b:
    publishes: [changed]
    apis: [{name: B, port: 80, operations: {One: {publishes: [other]}, Two: {}}}]
  c:
    apis: [{name: C, protocol: event, operations: {On: {}}}]
    consumes: [{topic: changed, operation: On, group: g}, {topic: other, operation: On}]
"""


def test_publishing_rule_is_shared_with_the_simulator() -> None:
    model = load(SERVICE_LEVEL)
    # service-level topics: every non-idempotent operation publishes them
    assert published_topics(model, "a.Write") == ["changed"]
    assert published_topics(model, "a.Read") == []
    # operation-level lists, when a service has any, replace the service-level list
    assert published_topics(model, "b.One") == ["other"]
    assert published_topics(model, "b.Two") == []
    assert publishers(model, "changed") == ["a.Write"]
    assert publishers(model, "other") == ["b.One"]
    [c] = consumer_handlers(model, "changed")
    assert (c.service, c.group, c.handler) == ("c", "g", "c.On")
    [c] = consumer_handlers(model, "other")
    assert (c.service, c.group, c.handler) == ("c", "c", "c.On")


CYCLE_A = """
  a:
    availability: 100
    apis: [{name: A, port: 80, operations: {Op: {publishes: [ping]}}}]
    consumes: [{topic: pong, operation: Op}]
"""
CYCLE_B = """
  b:
    availability: 100
    apis: [{name: B, protocol: event, operations: {Echo: {publishes: [pong]}}}]
    consumes: [{topic: ping, operation: Echo}]
"""
CYCLE = """
meshwright: 1
system: t
topics: {ping: {}, pong: {}}
entrypoints: [{operation: a.Op, rate: 10/s}]
services:%s%s"""


def test_topic_cycle_terminates_is_cut_canonically_and_reported() -> None:
    model = load(CYCLE % (CYCLE_A, CYCLE_B))
    flow = topic_flow(model)
    assert [str(t) for t in flow.cut] == ["b.Echo -> a.Op (topic pong)"]
    rates = operation_rates(model)
    # a.Op -> b.Echo is kept; the cut edge delivers b.Echo's messages once, not onward
    assert rates == {"a.Op": 20.0, "b.Echo": 10.0}
    assert analyze(model, AnalysisOptions(samples=200)).cycles == ["b.Echo -> a.Op (topic pong)"]
    # the same edge is cut however the services are ordered in the YAML
    swapped = load(CYCLE % (CYCLE_B, CYCLE_A))
    assert list(swapped.services) == ["b", "a"]
    assert [str(t) for t in topic_flow(swapped).cut] == ["b.Echo -> a.Op (topic pong)"]
    assert operation_rates(swapped) == rates


@pytest.mark.skipif(not SHOP.exists(), reason="examples/shop not written yet")
def test_shop_consumer_rates_match_the_simulator() -> None:
    from meshwright.simulate import SimOptions, simulate

    model = load_model(SHOP).model
    analysed = arrival_rates(model, failure_rate=0.0)
    duration = 60.0
    sim = simulate(model, None, SimOptions(duration=duration, seed=1)).totals["services"]
    for name in ("notification", "search"):
        n = float(sim[name]["requests"] or 0)
        assert n > 500, name
        # 4 standard deviations of a Poisson count: 13 % for notification, 4.5 % for search
        assert analysed[name] == pytest.approx(n / duration, rel=4 / math.sqrt(n)), name
