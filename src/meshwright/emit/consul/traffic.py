"""Per Consul service: ServiceDefaults (protocol, and the caller's upstream limits and
passive health checks from its bulkheads and circuit breakers), a ServiceResolver
(connect timeout, load balancer) and a ServiceRouter carrying each call's mesh retries and
timeout; and the global ProxyDefaults.

Routes are matched by operation (gRPC method path, or ``POST`` on the HTTP operation's
path). Consul's router cannot match by caller, so when callers of one operation carry
different policies the first call's policy serves them all and a note says so. A last
catch-all route serves traffic the model does not describe, with mesh retries off.
"""

from __future__ import annotations

import math

from meshwright.emit.consul.entries import Entry, Obj
from meshwright.emit.consul.naming import consul_service, consul_services, operation_match, protocol
from meshwright.emit.consul.routes import NO_POLICY, Destination, render_call
from meshwright.emit.istio.routes import duration
from meshwright.emit.istio.traffic import incoming
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.wiring import dns_name
from meshwright.graph import Edge, outgoing_edges
from meshwright.model.types import Bulkhead, CircuitBreaker, Model

MESH = "consul"

CONNECT_TIMEOUT = "5s"
"""The resolver's connect timeout: the model names none, so Consul's own default, written."""

LOAD_BALANCER: dict[str, Obj] = {
    "round_robin": {"Policy": "round_robin"},
    "least_requests": {"Policy": "least_request"},
    "power_of_two": {"Policy": "least_request", "LeastRequestConfig": {"ChoiceCount": 2}},
}
"""``runtime.load_balancing`` → the resolver's ``LoadBalancer`` (Envoy's least-request
picks the better of ``ChoiceCount`` random hosts). Always written."""


def mtls_on(model: Model) -> bool:
    """Mutual TLS between services: ``platform.mtls``, on by default with a mesh."""
    return model.platform.mtls is not False


def proxy_defaults(model: Model) -> tuple[Entry, list[MeshNote]]:
    """The global ProxyDefaults: the explicit defaults that would otherwise change what
    runs (Envoy's 15 s timeout towards the local application, mTLS mode, mesh gateways)."""
    strict = mtls_on(model)
    comments = [
        "protocol tcp unless a service's ServiceDefaults says otherwise (every service's does)",
        "local_request_timeout_ms 0: the proxy in front of a service never cuts a request;",
        "the caller's route timeout (the model's) is the only deadline",
        "mesh gateways off: the model describes one datacenter",
    ]
    notes = []
    if not strict:
        text = "platform.mtls is false: MutualTLSMode is permissive (plain-text traffic is accepted)"
        comments.append(text)
        notes.append(MeshNote(MESH, ("platform", "mtls"), text))
    entry = Entry(
        "proxy-defaults",
        "global",
        {
            "Config": {"protocol": "tcp", "local_request_timeout_ms": 0},
            "MeshGateway": {"Mode": "none"},
            "MutualTLSMode": "strict" if strict else "permissive",
        },
        comments,
    )
    return entry, notes


def _limits(b: Bulkhead) -> Obj:
    return {
        "MaxConnections": b.max_concurrent,
        "MaxPendingRequests": b.max_queue,
        "MaxConcurrentRequests": b.max_concurrent,
    }


def _health_check(cb: CircuitBreaker) -> tuple[Obj | None, list[tuple[str, str]]]:
    notes: list[tuple[str, str]] = []
    if cb.error_rate is not None:
        notes.append(
            ("error_rate", "circuit_breaker.error_rate cannot be expressed by Consul passive health checks")
        )
    notes.append(
        (
            "half_open_requests",
            "circuit_breaker.half_open_requests: Consul returns an ejected host after "
            "BaseEjectionTime, unprobed",
        )
    )
    if cb.consecutive_errors is None:
        return None, notes
    return {
        "Interval": duration(cb.window),
        "MaxFailures": cb.consecutive_errors,
        "EnforcingConsecutive5xx": 100,
        "MaxEjectionPercent": 100,
        "BaseEjectionTime": duration(cb.open_for),
    }, notes


def _outgoing(model: Model, service: str) -> dict[str, list[Edge]]:
    """The service's calls over the network that carry a bulkhead or breaker, by the
    Consul service they reach."""
    out: dict[str, list[Edge]] = {}
    for e in outgoing_edges(model, service):
        if e.call.bulkhead is None and e.call.circuit_breaker is None:
            continue
        if e.callee_service not in model.services:
            continue
        reached = consul_service(model, e.callee_service, e.call.target_operation)
        if reached is not None:
            out.setdefault(reached[0], []).append(e)
    return out


def upstream_overrides(model: Model, service: str) -> tuple[list[Obj], list[str], list[MeshNote]]:
    """The caller's ``UpstreamConfig.Overrides``, comments and notes."""
    overrides: list[Obj] = []
    comments: list[str] = []
    notes: list[MeshNote] = []
    for upstream, calls in _outgoing(model, service).items():
        first = calls[0]
        override: Obj = {"Name": upstream}
        for e in calls[1:]:
            if (e.call.bulkhead, e.call.circuit_breaker) != (first.call.bulkhead, first.call.circuit_breaker):
                text = (
                    f"{e.caller} -> {e.callee} shares {service}'s limits and health checks for {upstream}, "
                    f"taken from {first.caller} -> {first.callee}"
                )
                comments.append(text)
                notes.append(MeshNote(MESH, e.path, text))
        if first.call.bulkhead is not None:
            override["Limits"] = _limits(first.call.bulkhead)
        if first.call.circuit_breaker is not None:
            check, more = _health_check(first.call.circuit_breaker)
            if check is not None:
                override["PassiveHealthCheck"] = check
            for key, text in more:
                comments.append(f"{first.caller} -> {first.callee}: {text}")
                notes.append(
                    MeshNote(
                        MESH,
                        (*first.path, "circuit_breaker", key),
                        f"{first.caller} -> {first.callee}: {text}",
                    )
                )
        if len(override) > 1:
            overrides.append(override)
    return overrides, comments, notes


def instance_rate_limit(model: Model, service: str) -> tuple[Obj | None, list[MeshNote]]:
    """``RateLimits`` for the service's ``rate_limit``: the model's limit is service-wide,
    Consul's is per instance (an Enterprise feature), so each instance gets an equal share
    of the rate and burst over the service's (minimum) replicas; a note says so."""
    svc = model.services[service]
    limit = svc.rate_limit
    if limit is None:
        return None, []
    replicas = max(1, svc.runtime.replicas)
    rate = max(1, math.floor(limit.rate / replicas))
    burst = max(rate, math.ceil(limit.bucket / replicas))
    text = (
        f"{service}: rate_limit {limit.rate:g}/s is service-wide; Consul limits each instance "
        f"(Consul Enterprise), written as {rate}/s and a burst of {burst} per instance over "
        f"{replicas} replica(s)"
    )
    if svc.runtime.autoscale is not None:
        text += ", the autoscaler's minimum: more replicas admit more"
    if len(consul_services(model, service)) > 1:
        text += "; each of its Consul services has its own limit"
    limits = {"InstanceLevel": {"RequestsPerSecond": rate, "RequestsMaxBurst": burst}}
    return limits, [MeshNote(MESH, ("services", service, "rate_limit"), text)]


def service_defaults(model: Model, service: str) -> tuple[list[Entry], list[MeshNote]]:
    """One ServiceDefaults per Consul service of ``service``; the first (or, for a service
    without a networked API, a ``tcp`` one) carries its upstream limits."""
    named = consul_services(model, service)
    overrides, comments, notes = upstream_overrides(model, service)
    out: list[Entry] = []
    if not named:
        body: Obj = {"Protocol": "tcp"}
        if overrides:
            body["UpstreamConfig"] = {"Overrides": overrides}
        return [Entry("service-defaults", dns_name(service), body, comments)], notes
    rate_limits, rate_notes = instance_rate_limit(model, service)
    notes = [*notes, *rate_notes]
    for i, (name, api) in enumerate(named):
        body = {"Protocol": protocol(api)}
        these: list[str] = [n.message for n in rate_notes]
        if rate_limits is not None:
            body["RateLimits"] = rate_limits
        if i == 0:
            if overrides:
                body["UpstreamConfig"] = {"Overrides": overrides}
            these = [*these, *comments]
        if len(named) > 1:
            these = [f"API {api.name} (port {api.listen_port}) of {service}", *these]
        out.append(Entry("service-defaults", name, body, list(these)))
    return out, notes


def service_resolvers(model: Model, service: str) -> list[Entry]:
    """One ServiceResolver per Consul service: connect timeout and load balancer."""
    lb = LOAD_BALANCER[model.services[service].runtime.load_balancing]
    return [
        Entry(
            "service-resolver",
            name,
            {"ConnectTimeout": CONNECT_TIMEOUT, "LoadBalancer": lb},
            ["the model names no connect timeout: Consul's default, written explicitly"],
        )
        for name, _ in consul_services(model, service)
    ]


def service_routers(model: Model, service: str) -> tuple[list[Entry], list[MeshNote]]:
    """One ServiceRouter per Consul service: a route per called operation with the call's
    retries and timeout, and a catch-all with mesh retries off."""
    out: list[Entry] = []
    notes: list[MeshNote] = []
    calls = incoming(model, service)
    for name, api in consul_services(model, service):
        comments: list[str] = []
        routes: list[Obj] = []
        seen: dict[str, tuple[Edge, Destination]] = {}
        for edge in calls:
            op = edge.call.target_operation
            if op not in api.operations:
                continue
            rendering = render_call(edge.call)
            if op in seen:
                first, first_rendering = seen[op]
                if first_rendering.fields != rendering.fields:
                    text = (
                        f"the call {edge.caller} -> {edge.callee} shares the route of {first.caller} -> "
                        f"{first.callee} (Consul's router cannot match by caller), which uses the first "
                        "call's policy"
                    )
                    comments.append(text)
                    notes.append(MeshNote(MESH, edge.path, f"{name}: {text}"))
                    continue
            for inexact in rendering.inexact:
                text = f"{edge.caller} -> {edge.callee}: {inexact.message}"
                comments.append(text)
                notes.append(MeshNote(MESH, (*edge.path, *inexact.subpath), text))
            if op in seen:
                continue
            seen[op] = (edge, rendering)
            routes.append(
                {
                    "Match": {"HTTP": operation_match(api, op)},
                    "Destination": rendering.apply({"Service": name}),
                }
            )
        routes.append(
            {"Match": {"HTTP": {"PathPrefix": "/"}}, "Destination": NO_POLICY.apply({"Service": name})}
        )
        comments.append("the last route serves traffic no modelled call describes: mesh retries off")
        out.append(Entry("service-router", name, {"Routes": routes}, list(dict.fromkeys(comments))))
    return out, notes
