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
from typing import Any

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
from meshwright.importers.reading import fail, read_json

SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL = "server", "client", "producer", "consumer", "internal"
_OTLP_KINDS = {1: INTERNAL, 2: SERVER, 3: CLIENT, 4: PRODUCER, 5: CONSUMER}
_GRPC_NAME = re.compile(r"^/?([A-Za-z_][\w.]*)/([A-Za-z_]\w*)$")
_OP_NAME = re.compile(r"[^A-Za-z0-9_]+")
MIN_P99_SAMPLES = 20


@dataclass
class Span:
    trace: str
    id: str
    parent: str | None
    service: str
    name: str
    kind: str
    start: float
    end: float
    error: bool
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


# ------------------------------------------------------------------------- formats


def _otlp_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        try:
            return int(value["intValue"])
        except (TypeError, ValueError):
            return None
    return None


def _otlp_attrs(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {str(a.get("key")): _otlp_value(a.get("value")) for a in items if isinstance(a, dict)}


def _nanos(value: Any) -> float:
    return int(value) / 1e9


def _parse_otlp(doc: dict[str, Any], name: str) -> list[Span]:
    spans: list[Span] = []
    for rs in _list(doc.get("resourceSpans"), name):
        resource = _otlp_attrs(_dict(rs, name).get("resource", {}).get("attributes"))
        service = str(resource.get("service.name") or "unknown_service")
        for ss in _list(rs.get("scopeSpans", rs.get("instrumentationLibrarySpans")), name):
            for raw in _list(_dict(ss, name).get("spans"), name):
                raw = _dict(raw, name)
                kind = raw.get("kind", 1)
                kind_name = _OTLP_KINDS.get(kind, INTERNAL) if isinstance(kind, int) else \
                    str(kind).removeprefix("SPAN_KIND_").lower()
                status = raw.get("status") or {}
                code = status.get("code") if isinstance(status, dict) else None
                spans.append(Span(
                    str(raw.get("traceId")), str(raw.get("spanId")), raw.get("parentSpanId") or None,
                    service, str(raw.get("name", "")), kind_name,
                    _nanos(raw.get("startTimeUnixNano")), _nanos(raw.get("endTimeUnixNano")),
                    code in (2, "STATUS_CODE_ERROR"), _otlp_attrs(raw.get("attributes"))))
    return spans


def _parse_jaeger(doc: dict[str, Any], name: str) -> list[Span]:
    spans: list[Span] = []
    for trace in _list(doc.get("data"), name):
        trace = _dict(trace, name)
        processes = _dict(trace.get("processes") or {}, name)
        for raw in _list(trace.get("spans"), name):
            raw = _dict(raw, name)
            tags = {str(t.get("key")): t.get("value") for t in _list(raw.get("tags") or [], name)
                    if isinstance(t, dict)}
            parent = next((r.get("spanID") for r in _list(raw.get("references") or [], name)
                           if isinstance(r, dict) and r.get("refType") == "CHILD_OF"), None)
            proc = processes.get(str(raw.get("processID")), {})
            service = str(proc.get("serviceName", "unknown_service")) if isinstance(proc, dict) else "?"
            start = int(raw.get("startTime", 0)) / 1e6
            spans.append(Span(
                str(raw.get("traceID")), str(raw.get("spanID")), parent, service,
                str(raw.get("operationName", "")), str(tags.get("span.kind", INTERNAL)).lower(),
                start, start + int(raw.get("duration", 0)) / 1e6,
                tags.get("error") in (True, "true"), tags))
    return spans


def _parse_zipkin(doc: list[Any], name: str) -> list[Span]:
    spans: list[Span] = []
    seen: set[tuple[str, str]] = set()
    for raw in doc:
        raw = _dict(raw, name)
        local = raw.get("localEndpoint") or {}
        tags = dict(raw.get("tags") or {})
        if isinstance(local, dict) and local.get("port") is not None:
            tags.setdefault("zipkin.local.port", local.get("port"))
        remote = raw.get("remoteEndpoint") or {}
        if isinstance(remote, dict) and remote.get("port") is not None:
            tags.setdefault("server.port", remote.get("port"))
        kind = str(raw.get("kind", INTERNAL)).lower()
        sid, parent = str(raw.get("id")), raw.get("parentId")
        trace = str(raw.get("traceId"))
        if (trace, sid) in seen and kind == SERVER:  # a shared span id (B3): client and server
            parent, sid = sid, sid + ":server"
        seen.add((trace, sid))
        start = int(raw.get("timestamp", 0)) / 1e6
        spans.append(Span(
            trace, sid, parent, str(local.get("serviceName", "unknown_service")) if isinstance(local, dict)
            else "?", str(raw.get("name", "")), kind, start, start + int(raw.get("duration", 0)) / 1e6,
            "error" in tags, tags))
    return spans


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(name, 1, 1, f"expected a list in the trace file, found {type(value).__name__}",
                   "export OTLP JSON, Jaeger JSON or Zipkin v2 JSON")
    return value


def _dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(name, 1, 1, f"expected an object in the trace file, found {type(value).__name__}",
                   "export OTLP JSON, Jaeger JSON or Zipkin v2 JSON")
    return value


def parse_spans(data: Any, name: str) -> tuple[str, list[Span]]:
    """(format, spans) of a parsed trace file."""
    docs = data["__lines__"] if isinstance(data, dict) and "__lines__" in data else [data]
    spans: list[Span] = []
    fmt = ""
    try:
        for doc in docs:
            if isinstance(doc, dict) and "resourceSpans" in doc:
                fmt, more = "OTLP", _parse_otlp(doc, name)
            elif isinstance(doc, dict) and "data" in doc:
                fmt, more = "Jaeger", _parse_jaeger(doc, name)
            elif isinstance(doc, list):
                fmt, more = "Zipkin", _parse_zipkin(doc, name)
            else:
                raise fail(name, 1, 1, "not a trace export: expected OTLP JSON (resourceSpans), Jaeger "
                           "JSON (data) or Zipkin v2 JSON (a list of spans)", "export one of those")
            spans.extend(more)
    except (TypeError, ValueError, AttributeError) as exc:
        raise fail(name, 1, 1, f"a span is malformed: {exc}", "check the export's span fields") from None
    if not spans:
        raise fail(name, 1, 1, "the trace file holds no spans", "export a time window with traffic")
    return fmt, spans


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
