"""The three views of a model as :class:`Diagram` s: the one place that decides what each
view shows.

- **context**: the context map. Services clustered by bounded context; a synchronous call
  is a solid arrow labelled with its policy (timeout, tries), asynchronous messaging a
  dashed arrow from publisher to consumer labelled with the topic; nodes coloured by
  their worst finding.
- **containers**: a C4-style container view. External entrypoints, services, their
  datastores, and the broker with its topics.
- **calls**: per entrypoint, the tree of operations it calls (each operation drawn once,
  inside its service), every call labelled with its policy.

``context=NAME`` narrows the context and container views to one bounded context and the
services it talks to (drawn as external), so a 50+ service system stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from meshwright import callpolicy
from meshwright.analysis.callgraph import call_dag
from meshwright.check.rule import Finding
from meshwright.diagram.graph import Cluster, Diagram, Edge, EdgeKind, Node
from meshwright.diagram.marks import Marks, marks
from meshwright.errors import UsageError
from meshwright.graph import Edge as CallEdge
from meshwright.graph import service_graph
from meshwright.model.types import Call, Model
from meshwright.model.units import format_duration, format_rate
from meshwright.model.validation_errors import did_you_mean

VIEWS = ("context", "containers", "calls")
NO_CONTEXT = "(no context)"
MAX_TOPICS_IN_LABEL = 2
MAX_OVERVIEW_EDGES = 150
"""Dependencies between contexts the context-level map draws at most (the heaviest)."""


def service_id(name: str) -> str:
    return f"s_{name}"


def service_anchor(name: str) -> str:
    """The report's anchor of a service (diagram nodes link there)."""
    return f"service-{name}"


def _range(values: Sequence[str]) -> str:
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else f"{distinct[0]}–{distinct[-1]}"


def policy_label(calls: Sequence[Call]) -> str:
    """``500ms ×2``: the timeout and most tries of a call (ranges over several calls);
    ``no timeout`` when a call has none."""
    sems = [callpolicy.semantics(c) for c in calls]
    timeouts = sorted(s.timeout for s in sems if s.timeout is not None)
    tries = sorted({s.max_tries for s in sems})
    parts = []
    if len(timeouts) < len(sems):
        parts.append("no timeout" if not timeouts else "some without timeout")
    if timeouts:
        parts.insert(0, _range([format_duration(t) for t in timeouts]))
    parts.append("×" + _range([str(t) for t in tries]))
    return " ".join(parts)


def call_summary(edge: CallEdge) -> str:
    """One line of what a call does: ``a.Op → b.Op: timeout 500ms, 2 tries, breaker``."""
    sem = callpolicy.semantics(edge.call)
    bits = [f"timeout {format_duration(sem.timeout)}" if sem.timeout is not None else "no timeout"]
    bits.append(f"{sem.max_tries} {'try' if sem.max_tries == 1 else 'tries'}")
    if edge.call.circuit_breaker is not None:
        bits.append("circuit breaker")
    if edge.call.bulkhead is not None:
        bits.append(f"bulkhead {edge.call.bulkhead.max_concurrent}")
    if edge.call.has_fallback:
        bits.append(f"fallback {edge.call.fallback}")
    if edge.call.per_request != 1:
        bits.append(f"×{edge.call.per_request:g} per request")
    if edge.call.parallel:
        bits.append(f"parallel {edge.call.parallel}")
    return f"{edge.caller} → {edge.callee}: {', '.join(bits)}"


def _context_of(model: Model, service: str) -> str | None:
    return model.services[service].context


def _clusters(model: Model, names: Iterable[str]) -> list[Cluster]:
    """One cluster per context of the given services, in the model's context order."""
    used = {model.services[s].context for s in names}
    order = [c for c in model.contexts if c in used] + sorted(
        c for c in used if c is not None and c not in model.contexts
    )
    out = []
    for c in order:
        ctx = model.contexts.get(c)
        owner = f" ({ctx.owner})" if ctx is not None and ctx.owner else ""
        out.append(Cluster(f"c_{c}", f"{c}{owner}", "context", ctx.description if ctx else ""))
    return out


def _focus(model: Model, context: str | None) -> set[str]:
    """Services of ``context`` (all services when None); an unknown context is a usage error."""
    if context is None:
        return set(model.services)
    members = {s for s, svc in model.services.items() if svc.context == context}
    if not members:
        known = sorted({svc.context for svc in model.services.values() if svc.context})
        hint = did_you_mean(context, known) or (
            f"contexts with services: {', '.join(known)}" if known else "the model declares no contexts"
        )
        raise UsageError(f"--context {context!r}: no service belongs to that context; {hint}")
    return members


def _service_node(model: Model, name: str, m: Marks, focus: set[str], links: bool, label: str) -> Node:
    inside = name in focus
    ctx = _context_of(model, name)
    return Node(
        id=service_id(name),
        label=label,
        kind="service" if inside else "external",
        cluster=f"c_{ctx}" if ctx is not None else None,
        severity=m.severity("service", name) if inside else None,
        tooltip=m.tooltip("service", name) or model.services[name].description,
        href=f"#{service_anchor(name)}" if links and inside else None,
    )


def _async_pairs(model: Model) -> dict[tuple[str, str], list[str]]:
    """(publisher, consumer) → topics, over every topic, in model order."""
    producers = model.producers_by_topic()
    pairs: dict[tuple[str, str], list[str]] = {}
    for topic, consumers in model.consumers_by_topic().items():
        for p in producers.get(topic, []):
            for c in consumers:
                pairs.setdefault((p, c), []).append(topic)
    return pairs


def _topics_label(topics: list[str]) -> str:
    shown = topics[:MAX_TOPICS_IN_LABEL]
    more = len(topics) - len(shown)
    return ", ".join(shown) + (f" +{more}" if more else "")


def context_view(
    model: Model, findings: Iterable[Finding] = (), *, context: str | None = None, links: bool = False
) -> Diagram:
    """The context map (see the module docstring); ``links`` points service nodes at the
    report's service sections."""
    m = marks(findings)
    focus = _focus(model, context)
    sync = service_graph(model)
    edges: list[Edge] = []
    shown: set[str] = set(focus)
    for a, b, data in sync.edges(data=True):
        if a not in focus and b not in focus:
            continue
        calls: list[CallEdge] = data["edges"]
        shown.update((a, b))
        edges.append(Edge(service_id(a), service_id(b), "sync", policy_label([e.call for e in calls]),
                          "\n".join(call_summary(e) for e in calls)))
    for (a, b), topics in _async_pairs(model).items():
        if a not in focus and b not in focus:
            continue
        shown.update((a, b))
        edges.append(Edge(service_id(a), service_id(b), "async", _topics_label(topics),
                          "topics: " + ", ".join(topics)))
    names = [s for s in model.services if s in shown]
    nodes = [_service_node(model, s, m, focus, links, s) for s in names]
    title = f"{model.system}: context map" + (f" of {context}" if context else "")
    notes = () if context is None else (
        f"services outside {context} that it talks to are drawn dashed",
    )
    return Diagram(title, "context", tuple(nodes), tuple(edges), tuple(_clusters(model, names)), notes)


def _api_label(model: Model, name: str) -> str:
    apis = model.services[name].apis
    kinds = sorted({a.protocol for a in apis})
    return f"{name}\n[{', '.join(kinds)}]" if kinds else name


def container_view(
    model: Model, findings: Iterable[Finding] = (), *, context: str | None = None, links: bool = False
) -> Diagram:
    """The C4-style container view (see the module docstring)."""
    m = marks(findings)
    focus = _focus(model, context)
    nodes: list[Node] = []
    edges: list[Edge] = []
    shown: set[str] = set(focus)
    for i, ep in enumerate(model.entrypoints):
        target = ep.operation.split(".", 1)[0]
        if target not in focus:
            continue
        who = "public" if ep.public else "internal"
        nodes.append(Node(f"e_{i}", f"{ep.label}\n{who}, {format_rate(ep.rate)}", "entrypoint",
                          severity=m.severity("entrypoint", str(i)), tooltip=m.tooltip("entrypoint", str(i))))
        edges.append(Edge(f"e_{i}", service_id(target), "entry", ep.operation.split(".", 1)[1]))
    for a, b, data in service_graph(model).edges(data=True):
        if a not in focus and b not in focus:
            continue
        shown.update((a, b))
        protocols = sorted({
            api.protocol for e in data["edges"]
            if (api := model.services[b].api_of(e.call.target_operation)) is not None
        })
        edges.append(Edge(service_id(a), service_id(b), "sync", ", ".join(protocols) or "call",
                          "\n".join(call_summary(e) for e in data["edges"])))
    owners: dict[str, list[str]] = {}
    for s in model.services:
        if s in focus:
            for store in model.services[s].datastores:
                owners.setdefault(store, []).append(s)
    producers, consumers = model.producers_by_topic(), model.consumers_by_topic()
    topics = [
        t for t in model.topics
        if any(s in focus for s in producers.get(t, []) + consumers.get(t, []))
    ]
    for t in topics:
        shown.update(producers.get(t, []) + consumers.get(t, []))
    names = [s for s in model.services if s in shown]
    nodes += [_service_node(model, s, m, focus, links, _api_label(model, s)) for s in names]
    for store, users in owners.items():
        contexts = {_context_of(model, s) for s in users}
        ctx = next(iter(contexts)) if len(contexts) == 1 else None
        kind = model.services[users[0]].datastores[store].kind
        nodes.append(Node(f"d_{store}", f"{store}\n[{kind}]", "datastore",
                          cluster=f"c_{ctx}" if ctx is not None else None,
                          severity=m.severity("datastore", store), tooltip=m.tooltip("datastore", store)))
        edges += [Edge(service_id(s), f"d_{store}", "data", "reads/writes") for s in users]
    clusters = _clusters(model, names)
    broker = model.platform.broker.value
    if topics:
        clusters.append(Cluster("broker", f"broker: {broker}", "broker"))
    for t in topics:
        nodes.append(Node(f"t_{t}", t, "topic", cluster="broker", severity=m.severity("topic", t),
                          tooltip=m.tooltip("topic", t)))
        edges += [Edge(service_id(p), f"t_{t}", "async", "publishes")
                  for p in producers.get(t, []) if p in shown]
        edges += [Edge(f"t_{t}", service_id(c), "async", "consumes")
                  for c in consumers.get(t, []) if c in shown]
    title = f"{model.system}: containers" + (f" of {context}" if context else "")
    return Diagram(title, "containers", tuple(nodes), tuple(edges), tuple(clusters))


def entry_roots(model: Model, entrypoint: str | None = None) -> list[tuple[str, str, str]]:
    """(node id, label, operation) of each call tree's root: the entrypoints (those named
    ``entrypoint`` by name or operation), else the operations nobody calls."""
    if not model.entrypoints:
        roots = [(f"r_{op}", op, op) for op in call_dag(model).roots]
    else:
        roots = [(f"e_{i}", f"{ep.label}\n{format_rate(ep.rate)}", ep.operation)
                 for i, ep in enumerate(model.entrypoints)]
    if entrypoint is None:
        return roots
    chosen = [r for r, ep in zip(roots, _labels(model, roots), strict=True) if entrypoint in ep]
    if not chosen:
        names = sorted({n for labels in _labels(model, roots) for n in labels})
        hint = did_you_mean(entrypoint, names) or f"entrypoints: {', '.join(names)}"
        raise UsageError(f"--entrypoint {entrypoint!r} is not an entrypoint of the model; {hint}")
    return chosen


def _labels(model: Model, roots: list[tuple[str, str, str]]) -> list[set[str]]:
    if not model.entrypoints:
        return [{op} for _, _, op in roots]
    return [{ep.label, ep.operation} for ep in model.entrypoints]


def reachable(model: Model, start: str) -> list[str]:
    """Operations a call tree from ``start`` reaches (itself first), each once, depth first."""
    declared = call_dag(model).declared
    seen: dict[str, None] = {}
    stack = [start]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen[op] = None
        stack.extend(e.callee for e in reversed(declared[op]))
    return list(seen)


def calls_view(model: Model, findings: Iterable[Finding] = (), *, entrypoint: str | None = None) -> Diagram:
    """The call trees of the entrypoints (or of ``entrypoint`` alone)."""
    m = marks(findings)
    dag = call_dag(model)
    cut = {id(e) for e in dag.cut}
    roots = entry_roots(model, entrypoint)
    nodes: list[Node] = []
    edges: list[Edge] = []
    ops: dict[str, None] = {}
    for node_id, label, op in roots:
        if node_id.startswith("e_"):
            nodes.append(Node(node_id, label, "entrypoint"))
            edges.append(Edge(node_id, f"o_{op}", "entry"))
        ops.update(dict.fromkeys(reachable(model, op)))
    services: dict[str, None] = {}
    for op in ops:
        service, _, name = op.partition(".")
        services[service] = None
        nodes.append(Node(f"o_{op}", name, "operation", cluster=f"c_{service}",
                          severity=m.severity("operation", op), tooltip=m.tooltip("operation", op)))
        for e in dag.declared[op]:
            label = policy_label([e.call])
            if e.call.per_request != 1:
                label += f" ×{e.call.per_request:g}/req"
            if id(e) in cut:
                label += " (cycle)"
            edges.append(Edge(f"o_{op}", f"o_{e.callee}", "sync", label, call_summary(e)))
    clusters = [Cluster(f"c_{s}", s, "service") for s in services]
    title = f"{model.system}: calls" + (f" of {entrypoint}" if entrypoint else "")
    return Diagram(title, "calls", tuple(nodes), tuple(edges), tuple(clusters))


def view(
    model: Model, name: str, findings: Iterable[Finding] = (), *, context: str | None = None,
    entrypoint: str | None = None, links: bool = False,
) -> Diagram:
    """The diagram of view ``name`` (one of :data:`VIEWS`)."""
    if name == "context":
        return context_view(model, findings, context=context, links=links)
    if name == "containers":
        return container_view(model, findings, context=context, links=links)
    if name == "calls":
        if context is not None:
            raise UsageError("--context narrows the context and containers views; for calls use --entrypoint")
        return calls_view(model, findings, entrypoint=entrypoint)
    raise UsageError(f"unknown view {name!r}: use one of {', '.join(VIEWS)}")


def context_overview(model: Model, findings: Iterable[Finding] = ()) -> Diagram:
    """The context map one level up, for large systems: one node per bounded context
    (services without one are ``(no context)``), edges summed per pair of contexts."""
    m = marks(findings)

    def ctx(service: str) -> str:
        return model.services[service].context or NO_CONTEXT

    members: dict[str, list[str]] = {}
    for s in model.services:
        members.setdefault(ctx(s), []).append(s)
    counts: dict[tuple[str, str, EdgeKind], int] = {}
    for a, b, data in service_graph(model).edges(data=True):
        key: tuple[str, str, EdgeKind] = (ctx(a), ctx(b), "sync")
        counts[key] = counts.get(key, 0) + len(data["edges"])
    for (a, b), topics in _async_pairs(model).items():
        key_async: tuple[str, str, EdgeKind] = (ctx(a), ctx(b), "async")
        counts[key_async] = counts.get(key_async, 0) + len(topics)
    nodes = []
    for c, services in members.items():
        severities = [sev for s in services if (sev := m.severity("service", s)) is not None]
        worst = max(severities, key=lambda sev: sev.rank) if severities else None
        owner = model.contexts[c].owner if c in model.contexts else None
        label = f"{c}\n{len(services)} services" + (f"\n{owner}" if owner else "")
        nodes.append(Node(f"x_{c}", label, "service", severity=worst, tooltip=", ".join(services[:20])))
    between = [(i, k, n) for i, (k, n) in enumerate(counts.items()) if k[0] != k[1]]
    kept = sorted(sorted(between, key=lambda ikn: -ikn[2])[:MAX_OVERVIEW_EDGES])  # heaviest, in model order
    edges = [
        Edge(f"x_{a}", f"x_{b}", kind, f"{n} {'calls' if kind == 'sync' else 'topic flows'}")
        for _, (a, b, kind), n in kept
    ]
    notes = [f"{len(model.services)} services in {len(members)} contexts: one node per context; "
             "`meshwright diagram MODEL --context NAME` draws one context's services"]
    if len(between) > len(kept):
        notes.append(f"the {len(kept)} heaviest of {len(between):,} dependencies between contexts are drawn")
    return Diagram(f"{model.system}: contexts", "context", tuple(nodes), tuple(edges), (), tuple(notes))
