"""The model-wide queueing solve's shortcuts give what the full computation gives: the
callers' population bound of a round-robin replica that never waits (no bounded chain),
and memoised call outcomes in the arrival rates."""

from __future__ import annotations

import itertools

import pytest

from meshwright import memo
from meshwright.analysis import queueing as q
from meshwright.analysis.callgraph import call_dag
from meshwright.model import load_text


@pytest.mark.parametrize("replicas", [1, 2, 5, 20, 64, 80])
def test_a_population_bound_that_never_waits_is_the_bounded_chain(replicas: int) -> None:
    """service_queue with a callers' population (rejections not counted) against the
    bounded E_k/M/c chain it skips, on loads from idle to saturated."""
    shortcuts = 0
    for c, rho, room in itertools.product((1, 4, 32), (0.01, 0.1, 0.3, 0.7, 0.95), (1, 3, 40)):
        holding = 0.01
        mu = 1.0 / holding
        lam = rho * replicas * c * mu
        population = room + c  # round robin: room = population − concurrency
        got = q.service_queue(lam, holding, 1.0, replicas, c, "round_robin", None, population)
        full = q.round_robin_queue(lam, mu, replicas, c, room)
        assert got.p_reject == 0.0
        assert got.wait.p_wait == full.wait.p_wait
        assert got.wait.ahead == full.wait.ahead
        assert got.wait.rate == full.wait.rate or got.wait.p_wait == 0.0
        shortcuts += q._never_waits_bounded(lam, mu, replicas, c)
    if 1 < replicas <= q.BOUNDED_CHAIN_PHASES:
        assert shortcuts > 0  # light loads take the shortcut
    else:  # one replica: round_robin_queue's own test works; more: fewer bounded phases
        assert shortcuts == 0


@pytest.mark.parametrize("failure_rate", [0.0, 0.01, 0.2])
def test_memoised_call_outcomes_give_the_same_rates(
    failure_rate: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated model (many calls share a retry policy), some callees rejecting a
    little: the rates with shared call outcomes equal the ones with every call's outcome
    computed afresh (each call its own policy)."""
    from benchmarks.generate import generate

    model = load_text(generate(60, 3), "g.yaml").model
    dag = call_dag(model)
    edges = [e for es in dag.declared.values() for e in es]
    callees = sorted({e.callee_service for e in edges})
    rejected = {s: 0.001 * (i % 7) for i, s in enumerate(callees) if i % 7}
    policies = q._call_policies(model)
    assert len({policies[id(e.call)][0] for e in edges}) < 0.75 * len(edges)  # shared: the memo is used
    got = q.offered_rates(model, failure_rate, rejected)
    assert q.offered_rates(model, failure_rate, rejected) == got  # from the per-model memo

    memo.clear()
    unique = {id(e.call): (i, e.callee_service) for i, e in enumerate(edges)}
    monkeypatch.setattr(q, "_call_policies", lambda m: unique)
    fresh = q.offered_rates(model, failure_rate, rejected)
    monkeypatch.undo()
    memo.clear()
    assert fresh == got
    assert any(got[e.callee] != got[e.caller] * e.call.per_request for e in dag.calls[dag.order[-1]]) or \
        failure_rate == 0.0  # retries do add traffic
