"""OpenTelemetry (OTLP JSON) and Jaeger JSON traces as decomposition input."""

from __future__ import annotations

import json
from pathlib import Path

from meshwright.decompose import decompose, read_inputs
from meshwright.decompose.otel import read_trace_json

CHAINS = {
    "orders": ["OrderController", "OrderService", "OrderDao", "Order"],
    "catalog": ["CatalogController", "ProductService", "ProductDao", "Product"],
}


def _jaeger(path: Path) -> Path:
    traces = []
    for name, chain in CHAINS.items():
        for t in range(5):
            spans = []
            for depth, cls in enumerate(chain):
                spans.append(
                    {
                        "traceID": f"{name}{t}",
                        "spanID": f"{name}{t}-{depth}",
                        "operationName": f"com.shop.{cls}.handle" if depth else f"GET /{name}",
                        "references": [{"refType": "CHILD_OF", "spanID": f"{name}{t}-{depth - 1}"}]
                        if depth
                        else [],
                        "startTime": 1_000_000 * t + depth,
                        "processID": "p1",
                        "tags": [
                            {"key": "code.namespace", "value": f"com.shop.{cls}"},
                            {"key": "code.function", "value": "handle"},
                        ],
                    }
                )
            traces.append(
                {"traceID": f"{name}{t}", "spans": spans, "processes": {"p1": {"serviceName": "shop"}}}
            )
    path.write_text(json.dumps({"data": traces}), encoding="utf-8")
    return path


def _otlp(path: Path) -> Path:
    spans = []
    for depth, cls in enumerate(CHAINS["orders"]):
        span = {
            "traceId": "t1",
            "spanId": f"s{depth}",
            "name": f"{cls}.run",
            "startTimeUnixNano": depth * 1000,
            "attributes": [],
        }
        if depth:
            span["parentSpanId"] = f"s{depth - 1}"
        spans.append(span)
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
                "scopeSpans": [{"spans": spans}],
            }
        ]
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_jaeger_spans_become_nested_class_calls_with_use_cases(tmp_path: Path) -> None:
    mono = read_trace_json(_jaeger(tmp_path / "traces.json"))
    assert set(mono.class_names()) == {c for chain in CHAINS.values() for c in chain}
    assert mono.calls[("OrderService", "OrderDao")] == 5
    assert mono.calls[("Root", "OrderController")] == 5
    assert mono.classes["OrderDao"].use_cases == {"GET /orders"}
    for e in mono.events:
        if e.parent >= 0:
            assert mono.events[e.parent].callee == e.caller


def test_otlp_span_names_give_class_and_method(tmp_path: Path) -> None:
    mono = read_trace_json(_otlp(tmp_path / "otlp.json"))
    assert mono.calls[("OrderController", "OrderService")] == 1
    assert "run" in mono.classes["OrderDao"].methods


def test_a_directory_of_jaeger_traces_is_decomposed_by_its_chains(tmp_path: Path) -> None:
    _jaeger(tmp_path / "traces.json")
    dec = decompose(read_inputs(tmp_path))
    for chain in CHAINS.values():
        assert len({dec.partition[c] for c in chain}) == 1
    assert dec.partition["Order"] != dec.partition["Product"]
