"""Reading trace exports: OpenTelemetry OTLP JSON, Jaeger JSON and Zipkin v2 JSON into spans.

The one parser of trace files: ``import traces`` (services and calls of a running system) and
``decompose`` (classes and calls of a monolith) both read spans through :func:`parse_spans`.
A span has its trace and span id, its parent's id (None for a root), the service that
emitted it, its name and kind (server, client, producer, consumer, internal), start and end in
seconds, whether it has the error status, and its attributes (OTLP attributes, Jaeger tags,
Zipkin tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshwright.importers.reading import fail

SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL = "server", "client", "producer", "consumer", "internal"
_OTLP_KINDS = {1: INTERNAL, 2: SERVER, 3: CLIENT, 4: PRODUCER, 5: CONSUMER}


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
                    _nanos(raw.get("startTimeUnixNano", 0)),
                    _nanos(raw.get("endTimeUnixNano", raw.get("startTimeUnixNano", 0))),
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
