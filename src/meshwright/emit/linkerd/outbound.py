"""Per callee: the Gateway API routes (parent: the callee's Service) whose annotations carry
each call's mesh retries and timeout, read by every caller's Linkerd proxy.

A Linkerd route applies to every caller of the Service, so callers cannot get policies of
their own: gRPC calls get one GRPCRoute per called method, HTTP calls one HTTPRoute per API
(the model names no HTTP paths). When calls sharing a route disagree, the first call's
policy is used and a note says so. Since Linkerd fails requests that match no route once
routes are attached to a Service port, every gRPC API also gets a catch-all GRPCRoute
without retries for traffic no modelled call describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshwright.callpolicy import mesh_route_policy
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.kubernetes.workload import port_name
from meshwright.emit.linkerd.routes import Protocol, RouteAnnotations, render_policy
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.wiring import dns_name
from meshwright.graph import Edge, incoming_edges
from meshwright.model.types import Api, Model

Obj = dict[str, Any]
GRPC_ROUTE = "gateway.networking.k8s.io/v1alpha2"
"""GRPCRoute's version in the Gateway API CRDs Linkerd 2.16 installs and reads."""
HTTP_ROUTE = "policy.linkerd.io/v1beta3"
"""Linkerd's own HTTPRoute: always installed with Linkerd, read for retry and timeout
annotations like the Gateway API one, and ignored by other Gateway API controllers."""


@dataclass
class Rendered:
    """One resource with the comment lines written above it."""

    obj: Obj
    comments: list[str] = field(default_factory=list)


def note(edge: Edge, sub: tuple[str, ...], text: str) -> MeshNote:
    """A Linkerd note about ``edge``'s call (``sub``: the field under the call)."""
    return MeshNote("linkerd", (*edge.path, *sub), f"{edge.caller} -> {edge.callee}: {text}")


def incoming(model: Model, service: str) -> list[tuple[Edge, Api]]:
    """Calls to ``service`` over a networked API, in model order, with that API."""
    svc = model.services[service]
    out = []
    for e in incoming_edges(model, service):
        api = svc.api_of(e.call.target_operation)
        if api is not None and api.networked:
            out.append((e, api))
    return out


def _parent(model: Model, service: str, api: Api) -> Obj:
    return {"group": "", "kind": "Service", "name": dns_name(service), "port": api.call_port}


def _route(model: Model, kind: str, name: str, service: str, api: Api, rule: Obj, ann: dict[str, str]) -> Obj:
    meta: Obj = {"name": name, "namespace": namespace(model)}
    if ann:
        meta["annotations"] = dict(sorted(ann.items()))
    backend = {"name": dns_name(service), "port": api.call_port}
    return {
        "apiVersion": GRPC_ROUTE if kind == "GRPCRoute" else HTTP_ROUTE,
        "kind": kind,
        "metadata": meta,
        "spec": {"parentRefs": [_parent(model, service, api)], "rules": [{**rule, "backendRefs": [backend]}]},
    }


def route_key(api: Api, edge: Edge) -> tuple[str, str]:
    """The route a call travels on: (API name, method) for gRPC, (API name, "") for HTTP."""
    return (api.name, edge.call.target_operation if api.protocol == "grpc" else "")


def route_name(service: str, api: Api, key: tuple[str, str]) -> str:
    """``<service>-<method>`` for a gRPC method, ``<service>-<port name>`` for an HTTP API."""
    return dns_name(f"{service}-{key[1]}" if key[1] else f"{service}-{port_name(api)}")


def routes(model: Model, service: str) -> tuple[list[Rendered], list[MeshNote]]:
    """The callee's outbound routes carrying its callers' mesh policies, and the notes."""
    groups: dict[tuple[str, str], list[tuple[Edge, Api]]] = {}
    for edge, api in incoming(model, service):
        groups.setdefault(route_key(api, edge), []).append((edge, api))
    out: list[Rendered] = []
    notes: list[MeshNote] = []
    for key, calls in groups.items():
        first, api = calls[0]
        policy = mesh_route_policy(first.call)
        protocol: Protocol = "grpc" if api.protocol == "grpc" else "http"
        rendered: RouteAnnotations = render_policy(policy, protocol)
        comments: list[str] = []
        for sub, text in rendered.notes:
            notes.append(note(first, sub, text))
            comments.append(notes[-1].message)
        for other, _ in calls[1:]:
            if mesh_route_policy(other.call) != policy:
                text = (
                    f"shares Linkerd's route {route_name(service, api, key)} with {first.caller} -> "
                    f"{first.callee}, whose policy it uses (a Linkerd route serves every caller"
                    + ("" if key[1] else "; the model names no HTTP paths")
                    + ")"
                )
                notes.append(note(other, (), text))
                comments.append(notes[-1].message)
        if policy.retries == 0:
            comments.append("mesh retries off: no retry.linkerd.io annotation (Linkerd then retries nothing)")
        if protocol == "grpc":
            rule: Obj = {"matches": [{"method": {"type": "Exact", "service": api.name, "method": key[1]}}]}
            kind = "GRPCRoute"
        else:
            rule = {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}
            kind = "HTTPRoute"
            comments.append(
                "serves every request to this HTTP API, traffic no modelled call describes included"
            )
        out.append(
            Rendered(
                _route(model, kind, route_name(service, api, key), service, api, rule, rendered.annotations),
                comments,
            )
        )
    for api in model.services[service].apis:
        if api.protocol == "grpc" and any(k[0] == api.name for k in groups):
            out.append(
                Rendered(
                    _route(
                        model,
                        "GRPCRoute",
                        dns_name(f"{service}-{port_name(api)}-default"),
                        service,
                        api,
                        {},
                        {},
                    ),
                    ["traffic no modelled call describes: no retries, no timeout"],
                )
            )
    return out, notes
