"""NetworkPolicies: deny everything by default, then allow exactly the model's traffic.

Ingress to a service is allowed from each service that calls it and that its
``authorization`` allows (call graph ∩ authorization, :mod:`meshwright.authorization`), on
the ports of the APIs it may call, and from anywhere on every API port when the service
is public; when Prometheus scrapes (``platform.telemetry.metrics: prometheus``), pods
labelled ``app.kubernetes.io/name: prometheus`` in any namespace reach the ``metrics`` port.
Egress is allowed to DNS, to the callees that accept the service's calls (the
same set, seen from the caller), to the broker and to datastores, which are selected by
``app.kubernetes.io/name: <datastore name>`` in the namespace.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit import infra
from meshwright.emit.conventions import metrics_port
from meshwright.emit.kubernetes import workload
from meshwright.emit.kubernetes.labels import NAME, labels, selector, system_labels
from meshwright.emit.wiring import callers, dns_name, permitted_callees, uses_broker
from meshwright.model.types import Model

Obj = dict[str, Any]

DNS_PEER: Obj = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}


PROMETHEUS_PEER: Obj = {
    "namespaceSelector": {},
    "podSelector": {"matchLabels": {NAME: "prometheus"}},
}
"""Prometheus' pods in any namespace, by the label the Prometheus Operator gives them."""


def _ports(ports: list[int]) -> list[Obj]:
    return [{"port": p, "protocol": "TCP"} for p in ports]


def _to(name: str, ports: list[int]) -> Obj:
    return {"to": [{"podSelector": {"matchLabels": {NAME: dns_name(name)}}}], "ports": _ports(ports)}


def default_deny(model: Model) -> Obj:
    """Deny all ingress and egress of every pod in the namespace."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "default-deny", "labels": system_labels(model)},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }


def service_policy(model: Model, name: str) -> Obj:
    """The allow-list of one service's pods."""
    svc = model.services[name]
    ingress: list[Obj] = [
        {"from": [{"podSelector": {"matchLabels": {NAME: dns_name(caller)}}}], "ports": _ports(ports)}
        for caller, ports in callers(model, name).items()
    ]
    if svc.expose == "public" and svc.apis:
        ingress.append({"ports": _ports(sorted({a.listen_port for a in svc.apis}))})
    if workload.scraped(model):
        ingress.append({"from": [PROMETHEUS_PEER], "ports": _ports([metrics_port(svc)])})
    egress: list[Obj] = [
        {
            "to": [DNS_PEER],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        }
    ]
    egress += [_to(callee, ports) for callee, ports in permitted_callees(model, name).items()]
    broker = infra.broker(model.platform.broker)
    if broker is not None and uses_broker(model, svc):
        egress.append(_to(model.platform.broker.value, [broker.port]))
    for ds_name, ds in sorted(svc.datastores.items()):
        facts = infra.datastore(ds.kind)
        if facts is not None:
            egress.append(_to(ds_name, [facts.port]))
    spec: Obj = {"podSelector": {"matchLabels": selector(name)}, "policyTypes": ["Ingress", "Egress"]}
    if ingress:
        spec["ingress"] = ingress
    spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": dns_name(name), "labels": labels(model, name, svc)},
        "spec": spec,
    }
