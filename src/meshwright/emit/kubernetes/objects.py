"""Every object of the Kustomize base, grouped by the file that holds it."""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes import network, workload
from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model

Obj = dict[str, Any]


def service_objects(model: Model, name: str) -> list[Obj]:
    """The objects of one service, in apply order."""
    svc = model.services[name]
    candidates = [
        workload.service_account(model, name, svc),
        workload.config_map(model, name, svc),
        workload.deployment(model, name, svc),
        workload.service(model, name, svc),
        workload.disruption_budget(model, name, svc),
        workload.autoscaler(model, name, svc),
        network.service_policy(model, name),
    ]
    return [o for o in candidates if o is not None]


def base_files(model: Model) -> dict[str, list[Obj]]:
    """File name (``<service>.yaml``, ``default-deny.yaml``) → its objects, sorted by file."""
    files = {f"{dns_name(n)}.yaml": service_objects(model, n) for n in model.services}
    files["default-deny.yaml"] = [network.default_deny(model)]
    return dict(sorted(files.items()))
