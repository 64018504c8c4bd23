"""Istio target: sidecar injection, mTLS, per-callee VirtualServices and DestinationRules
carrying each call's mesh policy, AuthorizationPolicies from call graph ∩ authorization,
and a Gateway for public services.

Files: ``mesh.yaml`` (namespace label, PeerAuthentication, allow-nothing policy),
``gateway.yaml`` (when a service is public), ``<service>.yaml`` per service, and
``NOTES.md`` listing every model policy Istio cannot express exactly (also written as a
comment above the resource it concerns). ``build`` writes this target when
``platform.mesh`` is ``istio``.
"""

from __future__ import annotations

from meshwright.emit.istio.edge import gateway
from meshwright.emit.istio.security import allow_nothing, authorization_policy, peer_authentication
from meshwright.emit.istio.traffic import Rendered, destination_rules, virtual_service
from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Mesh, Model
from meshwright.pipeline import Artifact

__all__ = ["emit", "notes"]


def _text(docs: list[Rendered]) -> str:
    parts = []
    for d in docs:
        head = "".join(f"# {c}\n" for c in d.comments)
        parts.append(head + dump(d.obj))
    return "---\n".join(parts)


def _namespace(model: Model) -> Rendered:
    return Rendered(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": namespace(model),
                "labels": {
                    **system_labels(model),
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "istio-injection": "enabled",
                },
            },
        },
        [
            "sidecar injection for the namespace; restricted pods need the Istio CNI plugin",
            "(istio-init needs NET_ADMIN otherwise); same labels as the kubernetes target's prod overlay",
        ],
    )


def render(model: Model) -> tuple[list[Artifact], list[str]]:
    """The target's files and its notes (what Istio cannot express exactly)."""
    notes: list[str] = []
    mesh = [_namespace(model), peer_authentication(model), allow_nothing(model)]
    if model.platform.mtls is False:
        notes.append("platform.mtls is false: PeerAuthentication is PERMISSIVE")
    files = [Artifact("mesh.yaml", _text(mesh))]
    edge, edge_notes = gateway(model)
    notes.extend(edge_notes)
    if edge:
        files.append(Artifact("gateway.yaml", _text(edge)))
    for name in model.services:
        docs: list[Rendered] = []
        vs = virtual_service(model, name)
        if vs is not None:
            docs.append(vs[0])
            notes.extend(vs[1])
        rules, rule_notes = destination_rules(model, name)
        docs.extend(rules)
        notes.extend(rule_notes)
        docs.append(authorization_policy(model, name))
        files.append(Artifact(f"{dns_name(name)}.yaml", _text(docs)))
    body = "".join(f"- {n}\n" for n in notes) or "Every model policy is expressed exactly.\n"
    files.append(
        Artifact("NOTES.md", f"# Istio: what the model says that Istio cannot express exactly\n\n{body}")
    )
    return files, notes


def notes(model: Model) -> list[str]:
    """What the model says that the Istio files cannot express exactly."""
    return render(model)[1]


def selects(model: Model) -> bool:
    """``build`` writes Istio files when ``platform.mesh`` is ``istio``."""
    return model.platform.mesh is Mesh.istio


@target(
    "istio", "Istio VirtualServices, DestinationRules, AuthorizationPolicies, mTLS, Gateway", selects=selects
)
def emit(model: Model) -> list[Artifact]:
    """Istio resources for every service of the model."""
    return render(model)[0]
