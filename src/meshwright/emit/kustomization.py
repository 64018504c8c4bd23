"""The ``kustomization.yaml`` beside a target's custom resources (kafka, rabbitmq, vault)."""

from __future__ import annotations

from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.yamltext import dump
from meshwright.model.types import Model
from meshwright.pipeline import Artifact


def kustomization(model: Model, resources: list[str]) -> Artifact:
    """A Kustomization listing ``resources`` in the system's namespace (`kubectl apply -k`)."""
    doc = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": namespace(model),
        "resources": resources,
    }
    return Artifact("kustomization.yaml", dump(doc))
