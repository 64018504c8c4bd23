"""Names the Istio resources share with the Kubernetes target: hosts, service accounts,
principals, pod labels, ports and gRPC paths."""

from __future__ import annotations

from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.kubernetes.workload import port_name
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Api, Model, Service

__all__ = ["dns_name", "grpc_path", "host", "namespace", "port_name", "principal"]

INGRESS_PRINCIPAL = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
"""The identity of Istio's default ingress gateway (istioctl's default profile)."""

INGRESS_SELECTOR = {"istio": "ingressgateway"}
"""Pod labels of Istio's default ingress gateway."""


def host(model: Model, service: str) -> str:
    """The cluster-local host name of a service's Kubernetes Service."""
    return f"{dns_name(service)}.{namespace(model)}.svc.cluster.local"


def principal(model: Model, service: str) -> str:
    """The mTLS identity of a service: its ServiceAccount (named like the service)."""
    return f"cluster.local/ns/{namespace(model)}/sa/{dns_name(service)}"


def grpc_path(api: Api, operation: str) -> str:
    """The HTTP/2 path of a gRPC method: ``/<api name>/<operation>``."""
    return f"/{api.name}/{operation}"


def api_of(svc: Service, operation: str) -> Api:
    """The networked API serving ``operation`` (the model's references are validated)."""
    api = svc.api_of(operation)
    if api is None:
        raise ValueError(f"no API serves operation {operation}")
    return api
