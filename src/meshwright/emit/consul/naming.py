"""Consul service names and the L7 match of one operation.

A Consul service has one port and one protocol, so each networked API of a model service
is one Consul service: the first keeps the service's name (its Kubernetes Service name),
each further one is ``<service>-<api>`` (consul-k8s registers a multi-port pod under the
names its ``consul.hashicorp.com/connect-service`` annotation lists). An operation is
matched by its gRPC method path, or for HTTP by ``POST`` on the path the OpenAPI target
serves it on (:func:`meshwright.emit.conventions.http_operation_path`).
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.conventions import HTTP_OPERATION_METHOD, http_operation_path
from meshwright.emit.istio.naming import grpc_path
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Api, Model

Obj = dict[str, Any]

INGRESS_GATEWAY = "ingress-gateway"
"""The Consul service name of the ingress gateway (the consul-k8s Helm chart's default
``ingressGateways.gateways[0].name``), which carries public entrypoint traffic."""


def consul_services(model: Model, service: str) -> list[tuple[str, Api]]:
    """The Consul services of a model service: (name, API), one per networked API."""
    apis = [a for a in model.services[service].apis if a.networked]
    base = dns_name(service)
    return [(base if i == 0 else f"{base}-{dns_name(api.name)}", api) for i, api in enumerate(apis)]


def consul_service(model: Model, service: str, operation: str) -> tuple[str, Api] | None:
    """The Consul service serving ``service``'s ``operation`` (None: not over the network)."""
    for name, api in consul_services(model, service):
        if operation in api.operations:
            return name, api
    return None


def protocol(api: Api) -> str:
    """The Consul protocol of an API: ``grpc`` or ``http``."""
    return "grpc" if api.protocol == "grpc" else "http"


def operation_match(api: Api, operation: str) -> Obj:
    """The ``HTTP`` match (router route, intention permission) of one operation."""
    if api.protocol == "grpc":
        return {"PathExact": grpc_path(api, operation)}
    return {"PathExact": http_operation_path(api, operation), "Methods": [HTTP_OPERATION_METHOD]}
