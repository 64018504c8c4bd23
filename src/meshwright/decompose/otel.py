"""Read OpenTelemetry (OTLP JSON) and Jaeger JSON traces of a monolith.

A span is a call into a class: the class is the span's ``code.namespace`` attribute (its last
dotted part, as traces of Java name classes), else the part of the span name before its last
``.``, else the span's service; the method is ``code.function``, else the rest of the span name.
A span's parent span is its caller (a root span is called by ``Root``, the outside world); the
root span's name is the trace's business use case. Files: ``*.json`` holding Jaeger's
``{"data": [{"spans": …, "processes": …}]}`` or OTLP's ``{"resourceSpans": …}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshwright.decompose.monolith import ENTRY, CallEvent, Monolith
from meshwright.errors import Diagnostic, Location, ModelError


@dataclass(frozen=True)
class Span:
    trace: str
    span: str
    parent: str
    name: str
    attributes: dict[str, str]
    service: str
    start_us: float


def _otlp_value(value: dict[str, Any]) -> str:
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in value:
            return str(value[key])
    return ""


def _otlp(doc: dict[str, Any]) -> list[Span]:
    out = []
    for rs in doc.get("resourceSpans", []):
        res = {
            a["key"]: _otlp_value(a.get("value", {})) for a in rs.get("resource", {}).get("attributes", [])
        }
        for ss in rs.get("scopeSpans", rs.get("instrumentationLibrarySpans", [])):
            for s in ss.get("spans", []):
                attrs = {a["key"]: _otlp_value(a.get("value", {})) for a in s.get("attributes", [])}
                out.append(
                    Span(
                        str(s["traceId"]),
                        str(s["spanId"]),
                        str(s.get("parentSpanId", "")),
                        str(s.get("name", "")),
                        attrs,
                        res.get("service.name", ""),
                        float(s.get("startTimeUnixNano", 0)) / 1000.0,
                    )
                )
    return out


def _jaeger(doc: dict[str, Any]) -> list[Span]:
    out = []
    for trace in doc.get("data", []):
        processes = trace.get("processes", {})
        for s in trace.get("spans", []):
            parent = next(
                (r["spanID"] for r in s.get("references", []) if r.get("refType") == "CHILD_OF"), ""
            )
            attrs = {t["key"]: str(t.get("value", "")) for t in s.get("tags", [])}
            service = processes.get(s.get("processID", ""), {}).get("serviceName", "")
            out.append(
                Span(
                    str(s["traceID"]),
                    str(s["spanID"]),
                    str(parent),
                    str(s.get("operationName", "")),
                    attrs,
                    service,
                    float(s.get("startTime", 0)),
                )
            )
    return out


def is_trace_json(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "resourceSpans" in doc
        or (
            isinstance(doc.get("data"), list)
            and all(isinstance(t, dict) and "spans" in t for t in doc["data"])
        )
    )


def _class_method(span: Span) -> tuple[str, str]:
    ns = span.attributes.get("code.namespace", "")
    fn = span.attributes.get("code.function", "")
    if ns:
        return ns.rsplit(".", 1)[-1], fn or span.name
    head, dot, tail = span.name.rpartition(".")
    if dot and head:
        return head.rsplit(".", 1)[-1], tail
    return span.service or span.name, span.name


def read_trace_json(path: Path, mono: Monolith | None = None) -> Monolith:
    """Add one OTLP or Jaeger JSON file's spans to ``mono`` (a new one when None)."""
    mono = mono if mono is not None else Monolith()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        spans = _otlp(doc) if "resourceSpans" in doc else _jaeger(doc)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(
            [
                Diagnostic(
                    Location(str(path), 1, 1),
                    f"not an OTLP or Jaeger JSON trace file: {exc}",
                    "export traces as Jaeger JSON or OTLP JSON",
                )
            ],
            outcome="the traces were not read",
        ) from exc
    by_id = {(s.trace, s.span): s for s in spans}
    ordered = sorted(spans, key=lambda s: (s.trace, s.start_us, s.span))
    index: dict[tuple[str, str], int] = {}
    roots: dict[str, str] = {}
    for s in ordered:
        if (s.trace, s.parent) not in by_id:
            roots.setdefault(s.trace, s.name)
    first = min((s.start_us for s in spans), default=0.0)
    last = max((s.start_us for s in spans), default=0.0)
    for s in ordered:
        cls, method = _class_method(s)
        parent = by_id.get((s.trace, s.parent))
        if parent is None:
            caller, caller_method, parent_index = ENTRY, "", -1
        else:
            caller, caller_method = _class_method(parent)
            parent_index = index.get((parent.trace, parent.span), -1)
        mono.cls(cls).methods.add(method)
        mono.cls(caller)
        mono.events.append(CallEvent(parent_index, caller, caller_method, cls, method))
        index[(s.trace, s.span)] = len(mono.events) - 1
        if caller != cls:
            mono.add_call(caller, caller_method, cls, method)
        mono.add_use(roots.get(s.trace, s.name), cls)
        if caller != ENTRY:
            mono.add_use(roots.get(s.trace, s.name), caller)
    mono.seconds += max(last - first, 0.0) / 1e6
    return mono


def trace_json_files(root: Path) -> list[Path]:
    """JSON files under ``root`` that hold OTLP or Jaeger traces (others are left alone)."""
    candidates = [root] if root.is_file() else sorted(root.rglob("*.json"))
    out = []
    for path in candidates:
        if path.suffix != ".json" or not path.is_file():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if is_trace_json(doc):
            out.append(path)
    return out
