"""Properties that must hold for every model: more retries never lower availability or
load; more replicas never raise the wait."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from meshwright.analysis.amplification import retry_storm
from meshwright.analysis.availability import composed_availability
from meshwright.analysis.capacity import arrival_rates, capacity, erlang_c
from meshwright.model import Model

CALL = st.fixed_dictionaries(
    {
        "attempts": st.integers(1, 4),
        "per_request": st.sampled_from([0.5, 1.0, 2.0, 3.0]),
        "fallback": st.sampled_from([None, "cache"]),
    }
)


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    """A random DAG of 2..6 services, each calling some later ones."""
    n = draw(st.integers(2, 6))
    services: dict[str, Any] = {}
    for i in range(n):
        calls = []
        for j in range(i + 1, n):
            if draw(st.booleans()):
                c = draw(CALL)
                call: dict[str, Any] = {"to": f"s{j}.Op", "per_request": c["per_request"]}
                if c["attempts"] > 1:
                    call["retries"] = c["attempts"]
                if c["fallback"]:
                    call["fallback"] = c["fallback"]
                calls.append(call)
        services[f"s{i}"] = {
            "availability": draw(st.floats(90.0, 100.0)),
            "apis": [{"name": "Api", "port": 80, "operations": {"Op": {}}}],
            "calls": calls,
        }
    return {
        "meshwright": 1,
        "system": "prop",
        "services": services,
        "entrypoints": [{"operation": "s0.Op", "rate": 10.0}],
    }


def _with_one_more_try(raw: dict[str, Any], pick: int) -> tuple[Model, Model] | None:
    calls = [(s, i) for s, svc in raw["services"].items() for i in range(len(svc["calls"]))]
    if not calls:
        return None
    s, i = calls[pick % len(calls)]
    more = {**raw, "services": dict(raw["services"])}
    svc = dict(more["services"][s])
    svc["calls"] = list(svc["calls"])
    call = dict(svc["calls"][i])
    call["retries"] = int(call.get("retries", 1)) + 1
    svc["calls"][i] = call
    more["services"][s] = svc
    return Model.model_validate(raw), Model.model_validate(more)


@settings(max_examples=60, deadline=None)
@given(models(), st.integers(0, 100), st.floats(0.0, 0.9))
def test_adding_a_retry_never_lowers_availability_or_load(
    raw: dict[str, Any], pick: int, failure_rate: float
) -> None:
    pair = _with_one_more_try(raw, pick)
    if pair is None:
        return
    before, after = pair
    a0, a1 = composed_availability(before), composed_availability(after)
    for op in a0:
        assert a1[op].composed >= a0[op].composed - 1e-12
    r0, r1 = arrival_rates(before, failure_rate), arrival_rates(after, failure_rate)
    for s in r0:
        assert r1[s] >= r0[s] * (1 - 1e-12)
    leaf = sorted(raw["services"])[-1]
    s0, s1 = retry_storm(before, leaf), retry_storm(after, leaf)
    for s in s0:
        assert s1[s] >= s0[s] * (1 - 1e-12)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.01, 500.0), st.floats(0.1, 100.0), st.integers(1, 600), st.integers(1, 50))
def test_raising_servers_never_raises_the_wait(lam: float, mu: float, c: int, extra: int) -> None:
    fewer, more = erlang_c(lam, mu, c), erlang_c(lam, mu, c + extra)
    assert more.wq <= fewer.wq
    assert more.p_wait <= fewer.p_wait + 1e-12
    assert more.wq_p99 <= fewer.wq_p99


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20), st.integers(1, 10), st.floats(0.5, 200.0))
def test_raising_replicas_never_raises_a_services_wait(replicas: int, extra: int, rate: float) -> None:
    def model(n: int) -> Model:
        return Model.model_validate({
            "meshwright": 1,
            "system": "q",
            "services": {"w": {
                "runtime": {"replicas": n, "concurrency": 4},
                "apis": [{"name": "W", "port": 80, "operations": {"Do": {"service_time": "50ms"}}}],
            }},
            "entrypoints": [{"operation": "w.Do", "rate": rate}],
        })

    fewer, more = capacity(model(replicas))["w"], capacity(model(replicas + extra))["w"]
    assert more.queue.wq <= fewer.queue.wq
    assert more.queue.wq_p99 <= fewer.queue.wq_p99
