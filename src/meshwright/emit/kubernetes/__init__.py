"""Kubernetes target: a Kustomize base (Deployment, Service, ServiceAccount, PDB, HPA,
ConfigMap, NetworkPolicy per service) with ``dev`` and ``prod`` overlays."""

from __future__ import annotations

from meshwright.emit.kubernetes.kustomize import kustomize
from meshwright.emit.kubernetes.objects import base_files, service_objects
from meshwright.emit.registry import on_kubernetes, target
from meshwright.model.types import Model
from meshwright.pipeline import Artifact

__all__ = ["base_files", "emit", "service_objects"]


@target(
    "kubernetes",
    "Kustomize base and dev/prod overlays, restricted pods, NetworkPolicies",
    selects=on_kubernetes,
)
def emit(model: Model) -> list[Artifact]:
    """Kustomize base and overlays for every service of the model."""
    return kustomize(model)
