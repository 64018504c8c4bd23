"""Linkerd authorization: a Server per API port (deny by default), and AuthorizationPolicies
whose callers and operations are exactly :func:`meshwright.authorization.allowed_callers`
(call graph ∩ authorization), each caller authenticated by a MeshTLSAuthentication of its
ServiceAccount (the kubernetes target's, named like the service).

gRPC operations are authorized per method: an inbound HTTPRoute (``policy.linkerd.io``,
parent: the Server) matching the method's path ``POST /<api>/<Method>`` per called method,
and one AuthorizationPolicy per allowed caller of it (AuthorizationPolicies target
HTTPRoutes since Linkerd 2.12; GRPCRoute targets came later); a request matching no
inbound route is refused. The model names no HTTP paths, so an HTTP operation is
authorized by its API's Server (a comment says so). The metrics port (Prometheus, health
checks) and the gRPC health service of the probed API accept any client; public
entrypoint operations accept any client too, since the edge in front of them may be
unmeshed (Linkerd cannot name it).
"""

from __future__ import annotations

from typing import Any

from meshwright.authorization import allowed_callers, public_operations
from meshwright.emit.kubernetes.labels import namespace, selector, system_labels
from meshwright.emit.kubernetes.workload import port_name, probe_action
from meshwright.emit.linkerd.outbound import HTTP_ROUTE, Rendered
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Api, Model

Obj = dict[str, Any]
POLICY = "policy.linkerd.io"
ANY_CLIENT = "any-client"
"""The NetworkAuthentication of every network: unauthenticated clients (probes, the edge)."""
GRPC_HEALTH = "grpc.health.v1.Health"


def _meta(model: Model, name: str) -> Obj:
    return {"name": name, "namespace": namespace(model)}


def server_name(service: str, api: Api) -> str:
    return dns_name(f"{service}-{port_name(api)}")


def servers(model: Model, service: str) -> list[Rendered]:
    """A Server per networked API (deny unless authorized) and one for the metrics port."""
    svc = model.services[service]
    out = [
        Rendered(
            {
                "apiVersion": f"{POLICY}/v1beta3",
                "kind": "Server",
                "metadata": _meta(model, server_name(service, api)),
                "spec": {
                    "podSelector": {"matchLabels": selector(service)},
                    "port": port_name(api),
                    "proxyProtocol": "gRPC" if api.protocol == "grpc" else "HTTP/1",
                    "accessPolicy": "deny",
                },
            }
        )
        for api in svc.apis
        if api.networked
    ]
    out.append(
        Rendered(
            {
                "apiVersion": f"{POLICY}/v1beta3",
                "kind": "Server",
                "metadata": _meta(model, dns_name(f"{service}-metrics")),
                "spec": {
                    "podSelector": {"matchLabels": selector(service)},
                    "port": "metrics",
                    "proxyProtocol": "HTTP/1",
                    "accessPolicy": "all-unauthenticated",
                },
            },
            ["the metrics port serves Prometheus and health checks to any client"],
        )
    )
    return out


def _authn(kind: str, name: str) -> Obj:
    return {"group": POLICY, "kind": kind, "name": name}


def _policy(model: Model, name: str, target: Obj, authn: Obj) -> Obj:
    return {
        "apiVersion": f"{POLICY}/v1alpha1",
        "kind": "AuthorizationPolicy",
        "metadata": _meta(model, name),
        "spec": {"targetRef": target, "requiredAuthenticationRefs": [authn]},
    }


def _inbound_route(model: Model, name: str, service: str, api: Api, method: str | None) -> Obj:
    if method is None:
        path = {"type": "PathPrefix", "value": f"/{GRPC_HEALTH}"}
    else:
        path = {"type": "Exact", "value": f"/{api.name}/{method}"}
    return {
        "apiVersion": HTTP_ROUTE,
        "kind": "HTTPRoute",
        "metadata": _meta(model, name),
        "spec": {
            "parentRefs": [{"group": POLICY, "kind": "Server", "name": server_name(service, api)}],
            "rules": [{"matches": [{"path": path, "method": "POST"}]}],
        },
    }


def authorizations(model: Model, service: str) -> list[Rendered]:
    """Inbound routes and AuthorizationPolicies of ``service``: exactly its allowed callers'
    operations, its public operations, and gRPC health checks."""
    svc = model.services[service]
    callers: dict[str, list[str]] = {}
    for caller, ops in allowed_callers(model, service).items():
        for op in ops:
            callers.setdefault(op, []).append(caller)
    for op in public_operations(model, service):
        callers.setdefault(op, []).append("")  # "" = any client (public entrypoint)
    out: list[Rendered] = []
    probed = probe_action(svc).get("grpc", {}).get("port")
    for api in svc.apis:
        if not api.networked:
            continue
        ops = [op for op in api.operations if op in callers]
        if api.protocol == "grpc":
            if api.listen_port == probed:
                name = dns_name(f"{service}-health-inbound")
                out.append(
                    Rendered(
                        _inbound_route(model, name, service, api, None), ["kubelet's gRPC health probes"]
                    )
                )
                out.append(
                    Rendered(
                        _policy(
                            model,
                            name,
                            _target("HTTPRoute", name),
                            _authn("NetworkAuthentication", ANY_CLIENT),
                        )
                    )
                )
            for op in ops:
                name = dns_name(f"{service}-{op}-inbound")
                out.append(Rendered(_inbound_route(model, name, service, api, op)))
                for caller in callers[op]:
                    out.append(_allow(model, name, _target("HTTPRoute", name), caller))
            continue
        allowed = sorted({c for op in ops for c in callers[op]})
        server = server_name(service, api)
        for caller in allowed:
            rendered = _allow(model, server, _target("Server", server), caller)
            mine = [op for op in ops if caller in callers[op]]
            rendered.comments.append(
                f"HTTP operations {', '.join(mine)} are allowed by port {api.listen_port}: "
                "the model names no HTTP paths"
            )
            out.append(rendered)
    return out


def _target(kind: str, name: str, group: str = POLICY) -> Obj:
    return {"group": group, "kind": kind, "name": name}


def _allow(model: Model, target_name: str, target: Obj, caller: str) -> Rendered:
    if caller == "":
        return Rendered(
            _policy(
                model, f"{target_name}-from-any-client", target, _authn("NetworkAuthentication", ANY_CLIENT)
            ),
            ["a public entrypoint operation: any client (the edge in front of it may be unmeshed)"],
        )
    return Rendered(
        _policy(
            model,
            f"{target_name}-from-{dns_name(caller)}",
            target,
            _authn("MeshTLSAuthentication", dns_name(caller)),
        )
    )


def identities(model: Model) -> list[Rendered]:
    """A MeshTLSAuthentication per service that may call another (its ServiceAccount),
    and the NetworkAuthentication of any client."""
    callers = sorted({c for s in model.services for c in allowed_callers(model, s)})
    out = [
        Rendered(
            {
                "apiVersion": f"{POLICY}/v1alpha1",
                "kind": "MeshTLSAuthentication",
                "metadata": {**_meta(model, dns_name(c)), "labels": system_labels(model)},
                "spec": {"identityRefs": [{"kind": "ServiceAccount", "name": dns_name(c)}]},
            }
        )
        for c in callers
    ]
    out.append(
        Rendered(
            {
                "apiVersion": f"{POLICY}/v1alpha1",
                "kind": "NetworkAuthentication",
                "metadata": {**_meta(model, ANY_CLIENT), "labels": system_labels(model)},
                "spec": {"networks": [{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}]},
            },
            ["any client, unauthenticated: for health probes and public entrypoints only"],
        )
    )
    return out
