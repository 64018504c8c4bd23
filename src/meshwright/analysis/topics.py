"""Topic traffic for the rate analyses: the call DAG extended with asynchronous edges from
each publishing operation to each consumer's handler operation.

The publishing rule and the consumers come from ``graph`` (``published_topics``,
``consumer_handlers``), the same rules the simulator runs. Each ``consumes`` entry is
handed every message of the topic (entries sharing a group name do not split it, as in
the simulator). An entry without ``operation`` names no handler and adds no load here.

Topic edges that would close a cycle (a handler whose work leads back to a publisher of
the topic) are cut canonically: edges are added in (publisher, topic, consumer) name
order and an edge is cut when its handler already reaches its publisher. A cut edge
still delivers its messages to the handler, which does not pass them on (as a cut call).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from meshwright.analysis.callgraph import call_dag, memoised
from meshwright.graph import (
    Edge,
    consumer_handlers,
    lexicographic_order,
    operation_names,
    publishers,
    reaches,
)
from meshwright.model.types import Model


@dataclass(frozen=True)
class TopicEdge:
    """Messages of ``topic`` published by ``publisher`` and handled by ``handler``."""

    publisher: str
    topic: str
    handler: str
    group: str

    def __str__(self) -> str:
        return f"{self.publisher} -> {self.handler} (topic {self.topic})"


@dataclass(frozen=True)
class TopicFlow:
    """Calls and topic edges as one DAG, in an order where every operation comes after
    everything that sends it traffic."""

    order: tuple[str, ...]
    """Every operation, callers and publishers before their callees and handlers."""
    edges: Mapping[str, tuple[TopicEdge, ...]]
    """Kept topic edges of each publishing operation."""
    cut: tuple[TopicEdge, ...]
    """Topic edges removed to break cycles."""


def topic_edges(model: Model) -> list[TopicEdge]:
    """Every (publisher, topic, handler) edge, in canonical name order; a publisher that
    lists a topic twice gives two edges."""
    ops = set(operation_names(model))
    out = [
        TopicEdge(pub, topic, c.handler, c.group)
        for topic in model.topics
        for pub in publishers(model, topic)
        for c in consumer_handlers(model, topic)
        if c.handler is not None and c.handler in ops
    ]
    out.sort(key=lambda t: (t.publisher, t.topic, t.handler, t.group))
    return out


def topic_flow(model: Model) -> TopicFlow:
    """The combined DAG of calls and topic edges (memoised per model object)."""
    return memoised(model, "topic_flow", lambda: _build(model))


def _build(model: Model) -> TopicFlow:
    """The flow graph in plain dicts (a networkx graph of every call cost more than the rest
    of the rate analysis at 10,000 services), walked by ``graph.reaches`` and
    ``graph.lexicographic_order``."""
    dag = call_dag(model)
    succ = {op: {e.callee for e in dag.calls[op]} for op in dag.order}
    kept: dict[str, list[TopicEdge]] = {op: [] for op in dag.order}
    cut: list[TopicEdge] = []
    for t in topic_edges(model):
        if reaches(succ, t.handler, t.publisher):
            cut.append(t)
            continue
        succ[t.publisher].add(t.handler)
        kept[t.publisher].append(t)
    # Ties broken by the call DAG's own order: without topics this is reversed(dag.order).
    rank = {op: i for i, op in enumerate(reversed(dag.order))}
    order = tuple(lexicographic_order(succ, rank))
    return TopicFlow(order, {op: tuple(ts) for op, ts in kept.items()}, tuple(cut))


def propagate_with_topics(
    model: Model,
    sources: Mapping[str, float],
    weight: Callable[[Edge], float],
    delivered: Callable[[str], float],
) -> dict[str, float]:
    """Request rate at every operation: ``sources`` pushed down every kept call (× its
    ``weight``) and every kept topic edge (× ``delivered(publisher)``, the fraction of the
    publisher's requests that publish). A cut call or cut topic edge (one that closes a
    cycle) adds its traffic to its target without following it further."""
    dag = call_dag(model)
    flow = topic_flow(model)
    rate = dict.fromkeys(dag.order, 0.0)
    for op, r in sources.items():
        rate[op] += r
    for op in flow.order:
        r = rate[op]
        if r == 0.0:
            continue
        for e in dag.calls[op]:
            rate[e.callee] += r * weight(e)
        for t in flow.edges[op]:
            rate[t.handler] += r * delivered(op)
    for e in dag.cut:
        rate[e.callee] += rate[e.caller] * weight(e)
    for t in flow.cut:
        rate[t.handler] += rate[t.publisher] * delivered(t.publisher)
    return rate
