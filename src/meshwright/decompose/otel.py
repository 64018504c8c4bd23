"""Read OpenTelemetry (OTLP JSON) and Jaeger JSON traces of a monolith.

A span is a call into a class: the class is the span's ``code.namespace`` attribute (its last
dotted part, as traces of Java name classes), else the part of the span name before its last
``.``, else the span's service; the method is ``code.function``, else the rest of the span name.
A span's parent span is its caller (a root span is called by ``Root``, the outside world); the
root span's name is the trace's business use case. Files: ``*.json`` holding Jaeger's
``{"data": [{"spans": …, "processes": …}]}``, OTLP's ``{"resourceSpans": …}`` or Zipkin v2's
list of spans, read by the one trace parser, :func:`meshwright.importers.spans.parse_spans`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from meshwright.decompose.monolith import ENTRY, CallEvent, Monolith
from meshwright.importers.reading import read_json
from meshwright.importers.spans import Span, parse_spans


def is_trace_json(doc: Any) -> bool:
    """Whether a parsed JSON document is an OTLP, Jaeger or Zipkin v2 trace export."""
    if isinstance(doc, list):
        return bool(doc) and all(isinstance(s, dict) and "traceId" in s for s in doc)
    return isinstance(doc, dict) and (
        "resourceSpans" in doc
        or (
            isinstance(doc.get("data"), list)
            and all(isinstance(t, dict) and "spans" in t for t in doc["data"])
        )
    )


def _class_method(span: Span) -> tuple[str, str]:
    ns = str(span.attrs.get("code.namespace") or "")
    fn = str(span.attrs.get("code.function") or "")
    if ns:
        return ns.rsplit(".", 1)[-1], fn or span.name
    head, dot, tail = span.name.rpartition(".")
    if dot and head:
        return head.rsplit(".", 1)[-1], tail
    return span.service or span.name, span.name


def read_trace_json(path: Path, mono: Monolith | None = None) -> Monolith:
    """Add one OTLP or Jaeger JSON file's spans to ``mono`` (a new one when None)."""
    mono = mono if mono is not None else Monolith()
    _, spans = parse_spans(read_json(path), str(path))
    by_id = {(s.trace, s.id): s for s in spans}
    ordered = sorted(spans, key=lambda s: (s.trace, s.start, s.id))
    index: dict[tuple[str, str], int] = {}
    roots: dict[str, str] = {}
    for s in ordered:
        if (s.trace, s.parent or "") not in by_id:
            roots.setdefault(s.trace, s.name)
    first = min((s.start for s in spans), default=0.0)
    last = max((s.start for s in spans), default=0.0)
    for s in ordered:
        cls, method = _class_method(s)
        parent = by_id.get((s.trace, s.parent or ""))
        if parent is None:
            caller, caller_method, parent_index = ENTRY, "", -1
        else:
            caller, caller_method = _class_method(parent)
            parent_index = index.get((parent.trace, parent.id), -1)
        mono.cls(cls).methods.add(method)
        mono.cls(caller)
        mono.events.append(CallEvent(parent_index, caller, caller_method, cls, method))
        index[(s.trace, s.id)] = len(mono.events) - 1
        if caller != cls:
            mono.add_call(caller, caller_method, cls, method)
        mono.add_use(roots.get(s.trace, s.name), cls)
        if caller != ENTRY:
            mono.add_use(roots.get(s.trace, s.name), caller)
    mono.seconds += max(last - first, 0.0)
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
