"""Import traces: OpenTelemetry OTLP JSON, Jaeger JSON and Zipkin v2 JSON.

Spans become services (the span's service name), operations (the span name: gRPC
``pkg.Service/Method`` → API ``pkg.Service``, operation ``Method``), call edges with
``per_request`` (calls per request of the calling operation) and rates, service times and
error rates:

- An *entry* span starts an operation: a SERVER or CONSUMER span, a root span, or a span
  whose parent belongs to another service. Other spans belong to the entry above them.
- The caller of an entry is the operation owning its parent span.
- Service time is the span's *self time*: the entry's duration minus the union of the
  intervals of the calls it makes (CLIENT/PRODUCER spans, or entries of other services),
  clipped to the entry — what the operation spends itself. Mean, and p99 with 20 samples.
- An entry fails *by itself* when it has the error status and none of its calls failed;
  the service's availability is 100 % minus that share (written only when below 100 %).
- Rates: root entries per second, estimated as (n − 1) / (last start − first start).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from meshwright.importers.builder import (
    ApiDraft,
    Entrypoint,
    Evidence,
    ModelBuilder,
    OperationDraft,
    ServiceDraft,
    Source,
    TraceCall,
)
from meshwright.importers.reading import read_json
from meshwright.importers.spans import (
    CLIENT,
    CONSUMER,
    PRODUCER,
    SERVER,
    Span,
    parse_spans,
)

_GRPC_NAME = re.compile(r"^/?([A-Za-z_][\w.]*)/([A-Za-z_]\w*)$")
_OP_NAME = re.compile(r"[^A-Za-z0-9_]+")
MIN_P99_SAMPLES = 20


# ------------------------------------------------------------------------- analysis


def _api_and_op(span: Span) -> tuple[str, str, str | None]:
    """(API name, operation name, protocol or None) of an entry span."""
    service_attr, method_attr = span.attrs.get("rpc.service"), span.attrs.get("rpc.method")
    grpc = span.attrs.get("rpc.system") == "grpc"
    if service_attr and method_attr:
        return str(service_attr), _op(str(method_attr)), "grpc" if grpc else None
    m = _GRPC_NAME.match(span.name)
    if m:
        return m.group(1), _op(m.group(2)), "grpc"
    http = any(k in span.attrs for k in ("http.method", "http.request.method", "http.route"))
    return "http" if http else "api", _op(span.name) or "request", "http" if http else None


def _op(name: str) -> str:
    return _OP_NAME.sub("_", name).strip("_")


def _port(span: Span) -> int | None:
    for key in ("server.port", "net.host.port", "zipkin.local.port"):
        value = span.attrs.get(key)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
    return None


def _union(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, -math.inf
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


@dataclass
class _OpStats:
    service: str
    api: str
    op: str
    protocol: str | None
    span_name: str
    count: int = 0
    self_times: list[float] = field(default_factory=list)
    self_errors: int = 0
    ports: set[int] = field(default_factory=set)
    calls: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    roots: list[float] = field(default_factory=list)


def import_traces(builder: ModelBuilder, path: Path) -> None:
    """Add what the trace file at ``path`` shows to ``builder``."""
    name = str(path)
    fmt, spans = parse_spans(read_json(path), name)
    builder.inputs.append(name)
    by_id = {(s.trace, s.id): s for s in spans}
    children: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in spans:
        if s.parent is not None and (s.trace, s.parent) in by_id:
            children[(s.trace, s.parent)].append(s)

    def parent_of(s: Span) -> Span | None:
        return by_id.get((s.trace, s.parent)) if s.parent is not None else None

    def is_entry(s: Span) -> bool:
        p = parent_of(s)
        return s.kind in (SERVER, CONSUMER) or p is None or p.service != s.service

    def owner(s: Span) -> Span:
        cur: Span | None = s
        for _ in range(10_000):
            if cur is None or is_entry(cur):
                break
            cur = parent_of(cur)
        return cur if cur is not None else s

    stats: dict[tuple[str, str, str], _OpStats] = {}

    def stat(entry: Span) -> _OpStats:
        api, op, protocol = _api_and_op(entry)
        key = (entry.service, api, op)
        if key not in stats:
            stats[key] = _OpStats(entry.service, api, op, protocol, entry.name)
        return stats[key]

    edge_count: dict[tuple[str, str, str, str], list[bool]] = defaultdict(list)
    for entry in (s for s in spans if is_entry(s)):
        st = stat(entry)
        st.count += 1
        port = _port(entry)
        if port is not None:
            st.ports.add(port)
        outgoing: list[Span] = []
        stack = list(children.get((entry.trace, entry.id), []))
        while stack:
            child = stack.pop()
            if child.kind in (CLIENT, PRODUCER) or child.service != entry.service or is_entry(child):
                outgoing.append(child)
            else:
                stack.extend(children.get((child.trace, child.id), []))
        busy = _union([(max(c.start, entry.start), min(c.end, entry.end)) for c in outgoing
                       if c.end > entry.start and c.start < entry.end])
        st.self_times.append(max(0.0, entry.duration - busy))
        if entry.error and not any(c.error for c in outgoing):
            st.self_errors += 1
        parent = parent_of(entry)
        if parent is None:
            st.roots.append(entry.start)
            continue
        caller = owner(parent)
        if caller.service == entry.service:
            continue
        cst = stat(caller)
        cst.calls.setdefault((entry.service, st.op), []).append(entry.start - caller.start)
        edge_count[(caller.service, cst.op, entry.service, st.op)].append(entry.error)
        if port is None and parent.kind == CLIENT:
            cport = _port(parent)
            if cport is not None:
                st.ports.add(cport)
    times = [s.start for s in spans] + [s.end for s in spans]
    builder.trace_window = max(times) - min(times) if times else None
    _merge(builder, stats, edge_count, name, fmt)


def _merge(builder: ModelBuilder, stats: dict[tuple[str, str, str], _OpStats],
           edge_count: dict[tuple[str, str, str, str], list[bool]], name: str, fmt: str) -> None:
    per_service: dict[str, list[_OpStats]] = defaultdict(list)
    for _, st in sorted(stats.items()):  # alphabetical: the same model whatever the span order
        per_service[st.service].append(st)
    window = builder.trace_window or 0.0
    for service, ops in sorted(per_service.items()):
        target = builder.name_of(service) or service
        draft = builder.services.get(target)
        if draft is None:
            if target in builder.backing:
                continue
            draft = builder.add_service(ServiceDraft(target, name, f"traced service ({fmt})"))
        for st in ops:
            api = _api_draft(draft, st)
            mean = sum(st.self_times) / len(st.self_times)
            ordered = sorted(st.self_times)
            p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)] \
                if len(ordered) >= MIN_P99_SAMPLES else None
            calls = [TraceCall(builder.name_of(callee) or callee, op, len(offsets) / st.count,
                               sum(offsets) / len(offsets), len(offsets),
                               sum(edge_count[(st.service, st.op, callee, op)]), name)
                     for (callee, op), offsets in st.calls.items()]
            api.operations[st.op] = OperationDraft(True, st.count, mean, p99, st.self_errors, calls,
                                                   st.span_name)
        total = sum(st.count for st in ops)
        errors = sum(st.self_errors for st in ops)
        if errors:
            draft.availability = round(100.0 * (1 - errors / total), 4)
    for (caller, cop, callee, op), errs in sorted(edge_count.items()):
        per_s = f", {len(errs) / window:.3g}/s" if window > 0 else ""
        failed = f", {100 * sum(errs) / len(errs):.2g} % errors" if any(errs) else ""
        builder.edge(builder.name_of(caller) or caller, callee, None,
                     Evidence(Source.trace, f"{len(errs)} calls {cop} → {op}{per_s}{failed}", name))
    for _, st in sorted(stats.items()):
        if len(st.roots) >= 2 and max(st.roots) > min(st.roots):
            rate = (len(st.roots) - 1) / (max(st.roots) - min(st.roots))
            service = builder.name_of(st.service) or st.service
            builder.entrypoints.append(
                Entrypoint(f"{service}.{st.op}", rate, f"{service}-{st.op}", name))


def _api_draft(draft: ServiceDraft, st: _OpStats) -> ApiDraft:
    """The service's API carrying this operation: same name, else the one on its port, else
    the only one with the same protocol and placeholder operations; else a new one."""
    for api in draft.apis:
        if api.name == st.api:
            return api
    port = next(iter(sorted(st.ports)), None)
    candidates = [a for a in draft.apis if (port is not None and port in (a.port, a.service_port))]
    if not candidates:
        candidates = [a for a in draft.apis if not any(o.observed for o in a.operations.values())
                      and (a.protocol in (None, st.protocol))]
    if candidates:
        api = candidates[0]
        if api.name in ("grpc", "http", api.port_name) or api.name.startswith("port-"):
            api.name = st.api
        if api.protocol is None and st.protocol:
            api.protocol, api.protocol_from = st.protocol, "traces"
        return api
    api = ApiDraft(st.api, port, protocol=st.protocol, protocol_from="traces" if st.protocol else "")
    draft.apis.append(api)
    return api
