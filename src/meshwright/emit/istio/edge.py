"""The edge: an Istio Gateway on the default ingress gateway and, per public service, a
VirtualService routing the gateway's traffic to it (the shape of Online Boutique's
``istio-manifests/frontend-gateway.yaml``), with the edge timeout of
:mod:`meshwright.emit.edge_policy` and entrypoint rate limits on the gateway routes.

Each gRPC API of a public service gets a route by path prefix ``/<api name>/``, and a gRPC
entrypoint with a ``rate_limit`` its own route by method path (so its bucket counts only
that operation); an HTTP API is the service's catch-all route (the model names no paths).
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.edge_policy import edge_timeout, public_services
from meshwright.emit.istio.naming import INGRESS_SELECTOR, dns_name, grpc_path, host, namespace
from meshwright.emit.istio.ratelimit import describe, gateway_rate_limit
from meshwright.emit.istio.routes import NO_POLICY, RouteRendering, duration
from meshwright.emit.istio.traffic import Rendered, note
from meshwright.emit.kubernetes.labels import system_labels
from meshwright.emit.mesh_notes import MeshNote
from meshwright.model.types import Api, Model, RateLimit

__all__ = ["GATEWAY", "gateway", "public_services"]

Obj = dict[str, Any]
GATEWAY = "ingress"


def _route(model: Model, service: str, api: Api, name: str, match: Obj | None) -> Obj:
    seconds = edge_timeout(model, service, api)
    policy = RouteRendering(NO_POLICY.retries, duration(seconds) if seconds is not None else None)
    route: Obj = {"name": name}
    if match is not None:
        route["match"] = [match]
    route["route"] = [{"destination": {"host": host(model, service), "port": {"number": api.call_port}}}]
    return policy.apply(route)


def _limited_entrypoints(model: Model) -> tuple[dict[str, list[tuple[int, str]]], list[MeshNote]]:
    """Public service → [(entrypoint index, operation)] of its rate-limited public
    entrypoints; notes for rate limits no gateway route carries."""
    public = set(public_services(model))
    out: dict[str, list[tuple[int, str]]] = {}
    notes: list[MeshNote] = []
    for i, e in enumerate(model.entrypoints):
        if e.rate_limit is None:
            continue
        service, _, op = e.operation.partition(".")
        path = ("entrypoints", i, "rate_limit")
        if not e.public:
            notes.append(
                note(path, f"entrypoint {e.label}: not public, so no gateway enforces its rate_limit")
            )
        elif service not in public:
            notes.append(
                note(
                    path,
                    f"entrypoint {e.label}: {service} is not exposed, "
                    "so no gateway route enforces its rate_limit",
                )
            )
        else:
            out.setdefault(service, []).append((i, op))
    return out, notes


def _sum(limits: list[RateLimit]) -> RateLimit:
    return RateLimit(rate=sum(x.rate for x in limits), burst=sum(x.bucket for x in limits))


def gateway(model: Model) -> tuple[list[Rendered], list[MeshNote]]:
    """The Gateway, one VirtualService per public service, and the gateway's rate-limit
    EnvoyFilter; notes for what the edge cannot express exactly."""
    public = public_services(model)
    limited, notes = _limited_entrypoints(model)
    if not public:
        return [], notes
    out = [
        Rendered(
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "Gateway",
                "metadata": {"name": GATEWAY, "namespace": namespace(model), "labels": system_labels(model)},
                "spec": {
                    "selector": INGRESS_SELECTOR,
                    "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}],
                },
            },
        )
    ]
    buckets: dict[str, RateLimit] = {}
    for name in public:
        svc = model.services[name]
        routes: list[Obj] = []
        comments = [
            "external requests are not retried by the mesh (no modelled call describes them); the route",
            "timeout is the longest worst case of the API's operations (downstream budgets included)",
        ]
        http_limits: dict[str, list[tuple[int, RateLimit]]] = {}
        for i, op in limited.get(name, []):
            api = svc.api_of(op)
            limit = model.entrypoints[i].rate_limit
            if api is None or limit is None:
                continue
            if api.protocol == "grpc":
                route = f"{dns_name(name)}-{dns_name(op)}"
                routes.append(_route(model, name, api, route, {"uri": {"exact": grpc_path(api, op)}}))
                buckets[route] = limit
            else:
                http_limits.setdefault(api.name, []).append((i, limit))
        http_seen = False
        for api in svc.apis:
            route = dns_name(name) if api is svc.apis[0] else f"{dns_name(name)}-{dns_name(api.name)}"
            if api.protocol == "grpc":
                routes.append(_route(model, name, api, route, {"uri": {"prefix": f"/{api.name}/"}}))
                continue
            if http_seen:
                text = (
                    f"{name}: HTTP API {api.name} is not reachable from the gateway: the model names no paths"
                )
                comments.append(text)
                notes.append(note(("services", name, "expose"), text))
                continue
            http_seen = True
            routes.append(_route(model, name, api, route, None))
            shared = http_limits.get(api.name, [])
            if shared:
                buckets[route] = _sum([lim for _, lim in shared])
                if len(shared) > 1:
                    labels = ", ".join(model.entrypoints[i].label for i, _ in shared)
                    for i, _ in shared:
                        notes.append(
                            note(
                                ("entrypoints", i, "rate_limit"),
                                f"entrypoints {labels} share the gateway route of HTTP API {api.name} "
                                f"(the model names no paths): one bucket of {describe(buckets[route])}",
                            )
                        )
        # the catch-all route goes last: Istio matches routes in order
        routes.sort(key=lambda r: "match" not in r)
        out.append(
            Rendered(
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "VirtualService",
                    "metadata": {"name": f"{dns_name(name)}-ingress", "namespace": namespace(model)},
                    "spec": {"hosts": ["*"], "gateways": [GATEWAY], "http": routes},
                },
                comments,
            )
        )
    if buckets:
        out.append(gateway_rate_limit(model, buckets))
    if len([n for n in public if any(a.protocol == "http" for a in model.services[n].apis)]) > 1:
        notes.append(
            note(
                ("services",),
                "several public services serve HTTP: each gateway VirtualService matches every path "
                "(the model names no hosts or paths), so Istio sends all HTTP requests to one of them",
            )
        )
    return out, notes
