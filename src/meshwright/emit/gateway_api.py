"""Gateway API target (``gateway.networking.k8s.io/v1``): the edge of a system whose mesh
has no gateway of its own in meshwright (Linkerd, Consul, or no mesh).

Files: ``gateway.yaml`` — a Gateway ``ingress`` (HTTP listener on port 80, routes from its
own namespace), per public service an HTTPRoute for each HTTP API and a GRPCRoute for each
gRPC API — and ``NOTES.md``, what the Gateway API cannot express exactly, at the model path
it comes from.

An HTTPRoute carries the edge timeout of :func:`meshwright.emit.edge_policy.edge_timeout`
as ``timeouts.request`` and ``timeouts.backendRequest`` (one backend request: the edge does
not retry). GRPCRoute has no timeouts field, and the Gateway API has no rate-limit field
(every implementation has its own policy resource): both are notes.

``build`` writes this target when a service is public (``expose: public``) and
``platform.mesh`` is not ``istio``; with Istio, the Istio target's own Gateway is the edge,
so there is never a second one. ``emit gateway`` writes it for any model.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.edge_policy import edge_timeout, public_services
from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.mesh_notes import MeshNote, model_path
from meshwright.emit.registry import network_view, target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Api, Mesh, Model
from meshwright.model.validation_errors import dotted
from meshwright.pipeline import Artifact

__all__ = ["GATEWAY", "GATEWAY_CLASS", "emit", "gateway_duration", "notes", "selects"]

Obj = dict[str, Any]
API_VERSION = "gateway.networking.k8s.io/v1"
GATEWAY = "ingress"
LISTENER = "http"
GATEWAY_CLASS: dict[Mesh, str] = {Mesh.consul: "consul"}
"""``gatewayClassName`` per mesh: Consul's API gateway installs the class ``consul``;
otherwise the class of Envoy Gateway's quick start, ``eg`` (any conformant implementation
works: patch ``spec.gatewayClassName``)."""
DEFAULT_CLASS = "eg"


def gateway_duration(seconds: float) -> str:
    """A Gateway API duration (GEP-2257): whole seconds as ``2s``, else milliseconds."""
    ms = max(1, round(seconds * 1000))
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms}ms" if ms < 100_000 else f"{ms // 1000}s{ms % 1000}ms"


def _note(path: tuple[str | int, ...], message: str) -> MeshNote:
    return MeshNote("gateway", path, message)


def _meta(model: Model, name: str) -> Obj:
    return {"name": name, "namespace": namespace(model), "labels": system_labels(model)}


def _gateway(model: Model) -> Obj:
    return {
        "apiVersion": API_VERSION,
        "kind": "Gateway",
        "metadata": _meta(model, GATEWAY),
        "spec": {
            "gatewayClassName": GATEWAY_CLASS.get(model.platform.mesh, DEFAULT_CLASS),
            "listeners": [
                {
                    "name": LISTENER,
                    "port": 80,
                    "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": {"from": "Same"}},
                }
            ],
        },
    }


def _route(model: Model, service: str, api: Api) -> Obj:
    name = f"{dns_name(service)}-{dns_name(api.name)}"
    backend = {"name": dns_name(service), "port": api.call_port}
    parent = {"name": GATEWAY, "sectionName": LISTENER}
    if api.protocol == "grpc":
        return {
            "apiVersion": API_VERSION,
            "kind": "GRPCRoute",
            "metadata": _meta(model, name),
            "spec": {
                "parentRefs": [parent],
                "rules": [{"matches": [{"method": {"service": api.name}}], "backendRefs": [backend]}],
            },
        }
    seconds = edge_timeout(model, service, api)
    rule: Obj = {"backendRefs": [backend]}
    if seconds is not None:
        timeout = gateway_duration(seconds)
        rule["timeouts"] = {"request": timeout, "backendRequest": timeout}
    return {
        "apiVersion": API_VERSION,
        "kind": "HTTPRoute",
        "metadata": _meta(model, name),
        "spec": {"parentRefs": [parent], "rules": [rule]},
    }


def render(model: Model) -> tuple[list[Obj], list[MeshNote]]:
    """The Gateway and its routes (nothing without a public service), and the notes."""
    public = public_services(model)
    notes: list[MeshNote] = []
    for i, e in enumerate(model.entrypoints):
        if e.rate_limit is not None:
            notes.append(
                _note(
                    ("entrypoints", i, "rate_limit"),
                    f"entrypoint {e.label}: the Gateway API has no rate-limit field; enforce "
                    f"{e.rate_limit.rate:g}/s with your implementation's policy (e.g. Envoy Gateway's "
                    "BackendTrafficPolicy rateLimit)",
                )
            )
    if not public:
        return [], notes
    docs = [_gateway(model)]
    http = []
    for name in public:
        for ai, api in enumerate(model.services[name].network_apis()):
            docs.append(_route(model, name, api))
            seconds = edge_timeout(model, name, api)
            if api.protocol == "grpc" and seconds is not None:
                notes.append(
                    _note(
                        ("services", name, "apis", ai),
                        f"{name}: GRPCRoute has no timeouts field: the edge timeout of API {api.name} "
                        f"({gateway_duration(seconds)}) is left to the implementation",
                    )
                )
            if api.protocol == "http":
                http.append(f"{name} ({api.name})")
    if len(http) > 1:
        notes.append(
            _note(
                ("services",),
                f"HTTPRoutes of {', '.join(http)} all match every path (the model names no hosts or "
                "paths): the oldest route wins",
            )
        )
    return docs, notes


def notes(model: Model) -> list[MeshNote]:
    """What the Gateway API files cannot express exactly, at model paths."""
    return [MeshNote(n.mesh, model_path(model, n.path), n.message) for n in render(network_view(model))[1]]


def selects(model: Model) -> bool:
    """``build`` writes Gateway API files for a public service when the mesh is not Istio
    and the services run on Kubernetes."""
    return (
        model.platform.on_kubernetes
        and model.platform.mesh is not Mesh.istio
        and bool(public_services(model))
    )


@target(
    "gateway",
    "Kubernetes Gateway API Gateway, HTTPRoutes and GRPCRoutes for public services",
    selects=selects,
)
def emit(model: Model) -> list[Artifact]:
    """The Gateway API edge of the model's public services."""
    docs, found = render(model)
    files = [Artifact("gateway.yaml", "---\n".join(dump(d) for d in docs))] if docs else []
    body = "".join(f"- `{dotted(n.path)}`: {n.message}\n" for n in found)
    files.append(
        Artifact(
            "NOTES.md",
            "# Gateway API: what the model says that the Gateway API cannot express exactly\n\n"
            + (body or "Every edge policy is expressed exactly.\n"),
        )
    )
    return files
