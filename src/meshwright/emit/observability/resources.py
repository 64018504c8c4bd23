"""The envelope of every system-wide Kubernetes object of this target: apiVersion, kind,
name in the system's namespace, the system's labels, and the body."""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.model.types import Model

Obj = dict[str, Any]


def resource(
    model: Model, api_version: str, kind: str, name: str, body: Obj, *, key: str = "spec", component: str = ""
) -> Obj:
    """``{apiVersion, kind, metadata, <key>: body}``; ``component`` adds
    ``app.kubernetes.io/component``."""
    labels = system_labels(model)
    if component:
        labels["app.kubernetes.io/component"] = component
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace(model), "labels": labels},
        key: body,
    }
