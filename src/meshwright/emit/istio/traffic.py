"""Per callee: a VirtualService carrying each call's mesh retries and timeout, and
DestinationRules with the callers' bulkheads and circuit breakers, the load balancer and mTLS.

Routes are matched by caller (``sourceLabels``, the caller's pod labels), by port, and for
gRPC by method path, so callers with different policies each get their own. The model names
no HTTP paths, so one route serves every call of a caller to one HTTP API; when those calls
disagree, the first call's policy is used and a comment says so. A last route without match
serves traffic the model does not describe, with mesh retries off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from meshwright.emit.istio.naming import api_of, dns_name, grpc_path, host, namespace
from meshwright.emit.istio.routes import NO_POLICY, Remark, RouteRendering, duration, render_call
from meshwright.emit.kubernetes.labels import selector
from meshwright.emit.mesh_notes import MeshNote
from meshwright.graph import Edge, incoming_edges
from meshwright.model.types import Bulkhead, Call, CircuitBreaker, Model

Obj = dict[str, Any]

LOAD_BALANCER = {
    "round_robin": "ROUND_ROBIN",
    "least_requests": "LEAST_REQUEST",
    "power_of_two": "LEAST_REQUEST",
}
"""``runtime.load_balancing`` → Istio ``loadBalancer.simple`` (Envoy's least-request
picks the better of two random hosts: power of two choices). Always written, since
Istio's own default (LEAST_REQUEST) differs from the model's (round robin)."""


@dataclass
class Rendered:
    """One resource with the comment lines written above it."""

    obj: Obj
    comments: list[str] = field(default_factory=list)


def _meta(model: Model, name: str) -> Obj:
    return {"name": name, "namespace": namespace(model)}


def incoming(model: Model, service: str) -> list[Edge]:
    """Calls to ``service`` over a networked API, in model order."""
    svc = model.services[service]
    return [
        e
        for e in incoming_edges(model, service)
        if svc.api_of(e.call.target_operation) is not None
    ]


def _match(model: Model, edge: Edge) -> Obj:
    callee = model.services[edge.callee_service]
    api = api_of(callee, edge.call.target_operation)
    match: Obj = {"sourceLabels": selector(edge.caller_service), "port": api.call_port}
    if api.protocol == "grpc":
        match["uri"] = {"exact": grpc_path(api, edge.call.target_operation)}
    return match


def note(path: tuple[str | int, ...], message: str) -> MeshNote:
    """An Istio :class:`MeshNote`."""
    return MeshNote("istio", path, message)


def virtual_service(model: Model, service: str) -> tuple[Rendered, list[MeshNote]] | None:
    """The callee's VirtualService and the notes of what Istio cannot express, or None for a
    service without a networked API."""
    svc = model.services[service]
    if not svc.apis:
        return None
    comments: list[str] = []
    notes: list[MeshNote] = []
    routes: list[Obj] = []
    seen: dict[str, tuple[Edge, RouteRendering]] = {}
    dest = {"destination": {"host": host(model, service)}}
    for edge in incoming(model, service):
        match = _match(model, edge)
        key = repr(sorted(match.items()))
        rendering = render_call(edge.call)
        if key in seen:
            first, first_rendering = seen[key]
            if first_rendering != rendering:
                text = (
                    f"the call {edge.caller} -> {edge.callee} shares the route of {first.caller} -> "
                    f"{first.callee} (the model names no HTTP paths), which uses the first call's policy"
                )
                comments.append(text)
                notes.append(note(edge.path, f"{service}: {text}"))
            continue
        seen[key] = (edge, rendering)
        name = f"{dns_name(edge.caller)}-to-{dns_name(edge.callee)}"
        for sub, text in rendering.notes:
            comments.append(f"{edge.caller} -> {edge.callee}: {text}")
            notes.append(note((*edge.path, *sub), f"{service}: {edge.caller} -> {edge.callee}: {text}"))
        routes.append(rendering.apply({"name": name, "match": [match], "route": [dest]}))
    routes.append(NO_POLICY.apply({"name": "undescribed-traffic", "route": [dest]}))
    comments.append("the last route serves traffic no modelled call describes: mesh retries off")
    vs = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": _meta(model, dns_name(service)),
        "spec": {"hosts": [host(model, service)], "http": routes},
    }
    return Rendered(vs, comments), notes


def _pool(b: Bulkhead) -> tuple[Obj, list[Remark]]:
    notes: list[Remark] = []
    if b.max_queue == 0:
        notes.append(
            (
                ("bulkhead", "max_queue"),
                "bulkhead.max_queue 0 is rendered as http1MaxPendingRequests 1 (Istio reads 0 as unlimited)",
            )
        )
    return {
        "tcp": {"maxConnections": b.max_concurrent},
        "http": {"http2MaxRequests": b.max_concurrent, "http1MaxPendingRequests": max(1, b.max_queue)},
    }, notes


def _outlier(cb: CircuitBreaker) -> tuple[Obj | None, list[Remark]]:
    notes: list[Remark] = []
    if cb.error_rate is not None:
        notes.append(
            (
                ("circuit_breaker", "error_rate"),
                "circuit_breaker.error_rate cannot be expressed by Istio outlier detection",
            )
        )
    if "half_open_requests" in cb.model_fields_set:  # the default probe count is Istio's behaviour anyway
        notes.append(
            (
                ("circuit_breaker", "half_open_requests"),
                "circuit_breaker.half_open_requests: Istio returns an ejected host after "
                "baseEjectionTime, unprobed",
            )
        )
    if cb.consecutive_errors is None:
        return None, notes
    return {
        "consecutive5xxErrors": cb.consecutive_errors,
        "interval": duration(cb.window),
        "baseEjectionTime": duration(cb.open_for),
        "maxEjectionPercent": math.floor(cb.max_ejection),
    }, notes


def max_ejection_percent(call: Call) -> float | None:
    """The share of the callee's replicas (percent) Istio's outlier detection may eject for
    ``call`` (Envoy ejects at least one host whatever the share), or None when the call's
    breaker becomes no outlier detection (no ``consecutive_errors``)."""
    cb = call.circuit_breaker
    if cb is None or cb.consecutive_errors is None:
        return None
    return float(math.floor(cb.max_ejection))


def _base_policy(model: Model, service: str) -> Obj:
    svc = model.services[service]
    return {
        "loadBalancer": {"simple": LOAD_BALANCER[svc.runtime.load_balancing]},
        "tls": {"mode": "ISTIO_MUTUAL" if mtls_on(model) else "DISABLE"},
    }


def mtls_on(model: Model) -> bool:
    """Mutual TLS between services: ``platform.mtls``, on by default with a mesh."""
    return model.platform.mtls is not False


def destination_rules(model: Model, service: str) -> tuple[list[Rendered], list[MeshNote]]:
    """The callee's DestinationRule (load balancer, mTLS), plus one per caller whose calls
    carry a bulkhead or circuit breaker, applied to that caller's pods (``workloadSelector``)."""
    if not model.services[service].apis:
        return [], []
    out = [
        Rendered(
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "DestinationRule",
                "metadata": _meta(model, dns_name(service)),
                "spec": {"host": host(model, service), "trafficPolicy": _base_policy(model, service)},
            }
        )
    ]
    notes: list[MeshNote] = []
    by_caller: dict[str, list[Edge]] = {}
    for e in incoming(model, service):
        if e.call.bulkhead is not None or e.call.circuit_breaker is not None:
            by_caller.setdefault(e.caller_service, []).append(e)
    for caller, calls in by_caller.items():
        policy = _base_policy(model, service)
        remarks: list[tuple[tuple[str | int, ...], str]] = []
        first = calls[0]
        for e in calls[1:]:
            if (e.call.bulkhead, e.call.circuit_breaker) != (first.call.bulkhead, first.call.circuit_breaker):
                remarks.append(
                    (
                        e.path,
                        f"{e.caller} -> {e.callee} shares {caller}'s connection pool and outlier detection "
                        f"for {service}, taken from {first.caller} -> {first.callee}",
                    )
                )
        if first.call.bulkhead is not None:
            policy["connectionPool"], more = _pool(first.call.bulkhead)
            remarks.extend(((*first.path, *sub), text) for sub, text in more)
        if first.call.circuit_breaker is not None:
            outlier, more = _outlier(first.call.circuit_breaker)
            if outlier is not None:
                policy["outlierDetection"] = outlier
            remarks.extend(((*first.path, *sub), text) for sub, text in more)
        comments = [text for _, text in remarks]
        notes.extend(note(path, f"{caller} -> {service}: {text}") for path, text in remarks)
        out.append(
            Rendered(
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "DestinationRule",
                    "metadata": _meta(model, f"{dns_name(service)}-from-{dns_name(caller)}"),
                    "spec": {
                        "host": host(model, service),
                        "workloadSelector": {"matchLabels": selector(caller)},
                        "trafficPolicy": policy,
                    },
                },
                comments,
            )
        )
    return out, notes
