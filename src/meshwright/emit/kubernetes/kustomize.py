"""The Kustomize layout: ``base/`` as modelled, ``overlays/dev`` and ``overlays/prod``.

``dev`` runs one replica per service (set explicitly, since autoscaled Deployments have no
``replicas`` in the base) with small requests and no autoscaler, in the namespace
``<namespace>-dev``; ``prod`` is the base in ``<namespace>``, autoscalers included. Each overlay
creates its namespace with the *restricted* Pod Security level enforced. With
``platform.mesh: istio`` the prod namespace has sidecar injection on (the Istio target writes
the same Namespace object, and its policies name that namespace); the dev namespace runs
without sidecars, so no mesh policy is missing there.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit.kubernetes import workload
from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.kubernetes.objects import base_files
from meshwright.emit.kubernetes.workload import fixed_replicas
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump, dump_all
from meshwright.model.types import Mesh, Model, Service
from meshwright.model.units import format_cpu, format_memory
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

DEV_CPU = 0.05
"""CPU request ceiling in the dev overlay, cores."""
DEV_MEMORY = 64 * 1024**2
"""Memory request ceiling in the dev overlay, bytes."""


def _kustomization(ns: str, resources: list[str], patches: list[str] | None = None) -> Obj:
    out: Obj = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": ns,
        "resources": resources,
    }
    if patches:
        out["patches"] = [{"path": p} for p in patches]
    return out


ISTIO_INJECTION = {"istio-injection": "enabled"}
"""The namespace label that turns Istio's sidecar injection on."""


def dev_namespace(model: Model) -> str:
    """The dev overlay's namespace: ``<namespace>-dev``."""
    return f"{namespace(model)[:59]}-dev"


def namespace_object(model: Model, name: str) -> Obj:
    """The namespace, enforcing the restricted Pod Security Standard; the system's own
    namespace (the prod overlay's) injects Istio sidecars when ``platform.mesh`` is istio."""
    labels = {
        **system_labels(model),
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    if model.platform.mesh is Mesh.istio and name == namespace(model):
        labels.update(ISTIO_INJECTION)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def dev_replicas(svc: Service) -> int:
    """Replicas in the dev overlay: one, or none when the model runs none; an autoscaled
    service gets its one replica back, as dev drops the autoscaler."""
    fixed = fixed_replicas(svc)
    return 1 if fixed is None else min(1, fixed)


def _dev_patches(model: Model) -> dict[str, Obj]:
    patches: dict[str, Obj] = {}
    for name, svc in model.services.items():
        container: Obj = {"name": dns_name(name)}
        requests: Obj = {}
        if svc.runtime.cpu is not None:
            requests["cpu"] = format_cpu(min(svc.runtime.cpu, DEV_CPU))
        if svc.runtime.memory is not None:
            requests["memory"] = format_memory(min(svc.runtime.memory, DEV_MEMORY))
        if requests:
            container["resources"] = {"requests": requests}
        spec: Obj = {"replicas": dev_replicas(svc)}
        if len(container) > 1:
            spec["template"] = {"spec": {"containers": [container]}}
        patches[f"deployment-{dns_name(name)}.yaml"] = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": dns_name(name)},
            "spec": spec,
        }
        if svc.runtime.autoscale is not None:
            patches[f"hpa-{dns_name(name)}.yaml"] = {
                "$patch": "delete",
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": dns_name(name)},
            }
        if workload.disruption_budget(model, name, svc) is not None:
            patches[f"pdb-{dns_name(name)}.yaml"] = {
                "$patch": "delete",
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": dns_name(name)},
            }
    return dict(sorted(patches.items()))


def kustomize(model: Model) -> list[Artifact]:
    """Base and overlays, paths relative to the kubernetes output directory."""
    ns = namespace(model)
    files = base_files(model)
    out = [Artifact(f"base/{f}", dump_all(objs)) for f, objs in files.items()]
    out.append(Artifact("base/kustomization.yaml", dump(_kustomization(ns, list(files)))))
    dev_ns = dev_namespace(model)
    dev = _dev_patches(model)
    out += [Artifact(f"overlays/dev/patches/{f}", dump(p)) for f, p in dev.items()]
    out.append(Artifact("overlays/dev/namespace.yaml", dump(namespace_object(model, dev_ns))))
    out.append(
        Artifact(
            "overlays/dev/kustomization.yaml",
            dump(_kustomization(dev_ns, ["namespace.yaml", "../../base"], [f"patches/{f}" for f in dev])),
        )
    )
    out.append(Artifact("overlays/prod/namespace.yaml", dump(namespace_object(model, ns))))
    out.append(
        Artifact(
            "overlays/prod/kustomization.yaml", dump(_kustomization(ns, ["namespace.yaml", "../../base"]))
        )
    )
    return out
