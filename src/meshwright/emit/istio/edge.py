"""The edge: an Istio Gateway on the default ingress gateway and, per public service, a
VirtualService routing the gateway's traffic to it (the shape of Online Boutique's
``istio-manifests/frontend-gateway.yaml``)."""

from __future__ import annotations

from meshwright.emit.istio.naming import INGRESS_SELECTOR, dns_name, host, namespace
from meshwright.emit.istio.routes import NO_POLICY
from meshwright.emit.istio.traffic import Rendered
from meshwright.emit.kubernetes.labels import system_labels
from meshwright.model.types import Model

GATEWAY = "ingress"


def public_services(model: Model) -> list[str]:
    """Services with ``expose: public`` and a networked API, in model order."""
    return [n for n, s in model.services.items() if s.expose == "public" and s.apis]


def gateway(model: Model) -> tuple[list[Rendered], list[str]]:
    """The Gateway and one VirtualService per public service; notes for edge rate limits
    this target does not render."""
    public = public_services(model)
    if not public:
        return [], []
    notes = [
        f"entrypoint {e.name or e.operation}: rate_limit is not rendered by the istio target "
        "(Istio needs an EnvoyFilter for a local rate limit); enforce it at the gateway"
        for e in model.entrypoints
        if e.rate_limit is not None
    ]
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
            list(notes),
        )
    ]
    for name in public:
        api = model.services[name].apis[0]
        out.append(
            Rendered(
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "VirtualService",
                    "metadata": {"name": f"{dns_name(name)}-ingress", "namespace": namespace(model)},
                    "spec": {
                        "hosts": ["*"],
                        "gateways": [GATEWAY],
                        "http": [
                            NO_POLICY.apply(
                                {
                                    "name": dns_name(name),
                                    "route": [
                                        {
                                            "destination": {
                                                "host": host(model, name),
                                                "port": {"number": api.call_port},
                                            }
                                        }
                                    ],
                                }
                            )
                        ],
                    },
                },
                ["external requests are not retried by the mesh (no modelled call describes them)"],
            )
        )
    return out, notes
