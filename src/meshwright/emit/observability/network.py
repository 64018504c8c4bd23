"""NetworkPolicies that open, under the Kubernetes target's default-deny, exactly the paths
telemetry needs: Prometheus (pods labelled ``app.kubernetes.io/name: prometheus`` in any
namespace, as the Prometheus operator labels them) to every service's metrics port;
services to the collector's OTLP port; the collector to Jaeger's OTLP port or Zipkin."""

from __future__ import annotations

from typing import Any

from meshwright.emit.conventions import metrics_port
from meshwright.emit.kubernetes.labels import MANAGED_BY
from meshwright.emit.kubernetes.network import DNS_PEER
from meshwright.emit.observability.resources import resource
from meshwright.emit.observability.tracing import JAEGER
from meshwright.emit.telemetry_env import OTLP_GRPC_PORT
from meshwright.model.types import Model

Obj = dict[str, Any]
WORKLOADS: Obj = {"matchLabels": {"app.kubernetes.io/managed-by": MANAGED_BY}}
"""Every pod the Kubernetes target generates."""
COLLECTOR_PODS: Obj = {"matchLabels": {"app.kubernetes.io/component": "opentelemetry-collector"}}
PROMETHEUS_PEER: Obj = {
    "namespaceSelector": {},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
}
ZIPKIN_PORT = 9411


def _policy(model: Model, name: str, spec: Obj) -> Obj:
    return resource(model, "networking.k8s.io/v1", "NetworkPolicy", name, spec)


def _tcp(port: int) -> list[Obj]:
    return [{"port": port, "protocol": "TCP"}]


def _scrape_ports(model: Model) -> list[Obj]:
    """Every metrics port the workloads serve (``runtime.metrics_port``), once each."""
    ports = sorted({metrics_port(svc) for svc in model.services.values()})
    return [p for port in ports for p in _tcp(port)]


def _backend(model: Model) -> tuple[dict[str, str], int]:
    """Labels of the trace backend's pods and its port: Zipkin, else the Jaeger operator's
    instance on OTLP."""
    if model.platform.telemetry.tracing == "zipkin":
        return {"app.kubernetes.io/name": "zipkin"}, ZIPKIN_PORT
    return {"app.kubernetes.io/instance": JAEGER}, OTLP_GRPC_PORT


def policies(model: Model) -> list[Obj]:
    """The telemetry NetworkPolicies ``platform.telemetry`` needs (possibly none)."""
    telemetry = model.platform.telemetry
    out: list[Obj] = []
    if telemetry.metrics == "prometheus":
        out.append(
            _policy(
                model,
                "allow-metrics-scrape",
                {
                    "podSelector": WORKLOADS,
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [PROMETHEUS_PEER], "ports": _scrape_ports(model)}],
                },
            )
        )
    if telemetry.tracing != "none":
        out.append(
            _policy(
                model,
                "allow-otlp-to-collector",
                {
                    "podSelector": WORKLOADS,
                    "policyTypes": ["Egress"],
                    "egress": [{"to": [{"podSelector": COLLECTOR_PODS}], "ports": _tcp(OTLP_GRPC_PORT)}],
                },
            )
        )
        backend, port = _backend(model)
        out.append(
            _policy(
                model,
                "allow-collector",
                {
                    "podSelector": COLLECTOR_PODS,
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [{"from": [{"podSelector": WORKLOADS}], "ports": _tcp(OTLP_GRPC_PORT)}],
                    "egress": [
                        {
                            "to": [DNS_PEER],
                            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                        },
                        {"to": [{"podSelector": {"matchLabels": backend}}], "ports": _tcp(port)},
                    ],
                },
            )
        )
    return out
