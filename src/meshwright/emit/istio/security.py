"""Mutual TLS and authorization: PeerAuthentication, a namespace-wide allow-nothing policy
(deny by default), and per service an ALLOW AuthorizationPolicy whose callers and operations
are exactly :func:`meshwright.authorization.allowed_callers` (call graph ∩ authorization).

Each caller is identified by its ServiceAccount's mTLS principal. gRPC operations are
allowed by method path on the API's port; the model names no HTTP paths or methods, so an
HTTP operation is allowed by its API's port (a comment says so). Prometheus' scrape and
the health check (``GET /metrics``, ``GET /healthz`` on the metrics port) are allowed from
anywhere; public entrypoint operations are allowed from the ingress gateway.
"""

from __future__ import annotations

from typing import Any

from meshwright.authorization import allowed_callers, public_operations
from meshwright.emit.conventions import HEALTH_PATH, METRICS_PATH, metrics_port
from meshwright.emit.istio.naming import INGRESS_PRINCIPAL, api_of, dns_name, grpc_path, namespace, principal
from meshwright.emit.istio.traffic import Rendered, mtls_on
from meshwright.emit.kubernetes.labels import selector, system_labels
from meshwright.model.types import Model

Obj = dict[str, Any]


def peer_authentication(model: Model) -> Rendered:
    """STRICT mTLS for the namespace, PERMISSIVE when the model says ``mtls: false``."""
    strict = mtls_on(model)
    comments = [] if strict else ["platform.mtls is false: plain-text traffic is accepted (PERMISSIVE)"]
    return Rendered(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": namespace(model), "labels": system_labels(model)},
            "spec": {"mtls": {"mode": "STRICT" if strict else "PERMISSIVE"}},
        },
        comments,
    )


def allow_nothing(model: Model) -> Rendered:
    """An ALLOW policy without rules for the whole namespace: every request is denied
    unless a per-service policy allows it."""
    return Rendered(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {
                "name": "allow-nothing",
                "namespace": namespace(model),
                "labels": system_labels(model),
            },
            "spec": {},
        },
        ["deny by default: requests no other policy allows are refused"],
    )


def operation_rule(model: Model, service: str, operations: list[str]) -> tuple[list[Obj], list[str]]:
    """The ``to`` entries allowing ``operations`` of ``service``, and comments."""
    svc = model.services[service]
    grpc: dict[int, list[str]] = {}
    http: dict[int, list[str]] = {}
    for op in operations:
        api = svc.api_of(op)
        if api is None or not api.networked:
            continue
        if api.protocol == "grpc":
            grpc.setdefault(api.call_port, []).append(grpc_path(api_of(svc, op), op))
        else:
            http.setdefault(api.listen_port, []).append(op)
    to: list[Obj] = []
    comments: list[str] = []
    for port, paths in grpc.items():
        to.append({"operation": {"ports": [str(_listen(model, service, port))], "paths": paths}})
    for port, ops in http.items():
        to.append({"operation": {"ports": [str(port)]}})
        comments.append(
            f"HTTP operations {', '.join(ops)} are allowed by port {port}: the model names no HTTP paths"
        )
    return to, comments


def _listen(model: Model, service: str, call_port: int) -> int:
    """The container port behind a Service port (authorization sees the pod's port)."""
    for api in model.services[service].apis:
        if api.call_port == call_port:
            return api.listen_port
    return call_port


def authorization_policy(model: Model, service: str) -> Rendered:
    """The service's ALLOW policy: each allowed caller's operations, the ingress gateway's
    public operations, and the metrics port."""
    svc = model.services[service]
    rules: list[Obj] = []
    comments: list[str] = []
    for caller, ops in allowed_callers(model, service).items():
        to, more = operation_rule(model, service, ops)
        if to:
            rules.append({"from": [{"source": {"principals": [principal(model, caller)]}}], "to": to})
            comments.extend(f"{caller}: {c}" for c in more)
    public = public_operations(model, service)
    if public:
        to, more = operation_rule(model, service, public)
        if to:
            rules.append({"from": [{"source": {"principals": [INGRESS_PRINCIPAL]}}], "to": to})
            comments.extend(f"ingress gateway: {c}" for c in more)
    rules.append(
        {
            "to": [
                {
                    "operation": {
                        "ports": [str(metrics_port(svc))],
                        "methods": ["GET"],
                        "paths": [METRICS_PATH, HEALTH_PATH],
                    }
                }
            ]
        }
    )
    comments.append("the metrics port serves Prometheus and health checks to any source")
    return Rendered(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {"name": dns_name(service), "namespace": namespace(model)},
            "spec": {"selector": {"matchLabels": selector(service)}, "action": "ALLOW", "rules": rules},
        },
        comments,
    )
