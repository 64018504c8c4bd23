"""Names and ``app.kubernetes.io/*`` labels of the objects generated for a service."""

from __future__ import annotations

import re

from meshwright.emit.wiring import dns_name
from meshwright.model.types import Model, Service

NAME = "app.kubernetes.io/name"
MANAGED_BY = "meshwright"
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def namespace(model: Model) -> str:
    """``platform.namespace``, else the system name."""
    return dns_name(model.platform.namespace or model.system)


def image(model: Model, service: str, svc: Service) -> str:
    """The service's image, else ``<system>/<service>:latest`` to be set by an overlay."""
    return svc.image or f"{dns_name(model.system)}/{dns_name(service)}:latest"


def selector(service: str) -> dict[str, str]:
    """Labels that select the pods of a service (stable across versions)."""
    return {NAME: dns_name(service)}


def labels(model: Model, service: str, svc: Service) -> dict[str, str]:
    """Recommended labels of every object of a service."""
    out = {**selector(service), "app.kubernetes.io/part-of": dns_name(model.system)}
    if svc.context:
        out["app.kubernetes.io/component"] = dns_name(svc.context)
    tag = image(model, service, svc).rpartition(":")[2]
    if svc.image and "@" not in svc.image and _LABEL_VALUE.match(tag) and tag != "latest":
        out["app.kubernetes.io/version"] = tag
    out["app.kubernetes.io/managed-by"] = MANAGED_BY
    return out


def system_labels(model: Model) -> dict[str, str]:
    """Labels of system-wide objects (the default-deny policy)."""
    return {"app.kubernetes.io/part-of": dns_name(model.system), "app.kubernetes.io/managed-by": MANAGED_BY}
