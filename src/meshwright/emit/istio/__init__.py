"""Istio target: sidecar injection, mTLS, per-callee VirtualServices and DestinationRules
carrying each call's mesh policy, AuthorizationPolicies from call graph ∩ authorization,
a Gateway for public services, and local rate limits (EnvoyFilters).

Files: ``mesh.yaml`` (the prod overlay's Namespace, PeerAuthentication, allow-nothing
policy), ``gateway.yaml`` (when a service is public), ``<service>.yaml`` per service, and
``NOTES.md`` listing every model policy Istio cannot express exactly, at its model path
(also written as a comment above the resource it concerns). ``build`` writes this target
when ``platform.mesh`` is ``istio``.
"""

from __future__ import annotations

import textwrap

from meshwright.emit.istio.edge import gateway
from meshwright.emit.istio.ratelimit import service_rate_limit
from meshwright.emit.istio.security import allow_nothing, authorization_policy, peer_authentication
from meshwright.emit.istio.traffic import (
    Rendered,
    destination_rules,
    max_ejection_percent,
    note,
    virtual_service,
)
from meshwright.emit.kubernetes.kustomize import ISTIO_INJECTION, namespace_object
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.mesh_notes import MeshNote, model_path
from meshwright.emit.registry import network_view, target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Mesh, Model
from meshwright.model.validation_errors import dotted
from meshwright.pipeline import Artifact

__all__ = ["emit", "max_ejection_percent", "notes"]


def _text(docs: list[Rendered]) -> str:
    parts = []
    for d in docs:
        head = "".join(f"# {line}\n" for c in d.comments for line in textwrap.wrap(c, 100) or [""])
        parts.append(head + dump(d.obj))
    return "---\n".join(parts)


def _namespace(model: Model) -> Rendered:
    obj = namespace_object(model, namespace(model))
    obj["metadata"]["labels"].update(ISTIO_INJECTION)  # also when `emit istio` runs for another mesh
    return Rendered(
        obj,
        [
            "the kubernetes target's prod overlay Namespace, the same object: sidecar injection on,",
            "restricted pods (which need the Istio CNI plugin: istio-init needs NET_ADMIN otherwise);",
            "the dev overlay's namespace runs without sidecars, as these policies name this namespace",
        ],
    )


def render(model: Model) -> tuple[list[Artifact], list[MeshNote]]:
    """The target's files and its notes (what Istio cannot express exactly), for the network
    view of a model (paths as in that view: see :func:`notes`)."""
    documents, notes = _documents(model)
    files = [Artifact(name, _text(docs)) for name, docs in documents]
    body = "".join(f"- `{dotted(n.path)}`: {n.message}\n" for n in notes)
    files.append(
        Artifact(
            "NOTES.md",
            "# Istio: what the model says that Istio cannot express exactly\n\n"
            + (body or "Every model policy is expressed exactly.\n"),
        )
    )
    return files, notes


def _documents(
    model: Model, notes_only: bool = False
) -> tuple[list[tuple[str, list[Rendered]]], list[MeshNote]]:
    """The resources of each YAML file, by file name, and the notes (no text rendered:
    :func:`notes` needs only the notes, and with ``notes_only`` no AuthorizationPolicy
    either, which expresses the authorization exactly and so has none)."""
    notes: list[MeshNote] = []
    mesh = [_namespace(model), peer_authentication(model), allow_nothing(model)]
    if model.platform.mtls is False:
        notes.append(note(("platform", "mtls"), "platform.mtls is false: PeerAuthentication is PERMISSIVE"))
    files: list[tuple[str, list[Rendered]]] = [("mesh.yaml", mesh)]
    edge, edge_notes = gateway(model)
    notes.extend(edge_notes)
    if edge:
        files.append(("gateway.yaml", edge))
    for name in model.services:
        docs: list[Rendered] = []
        vs = virtual_service(model, name)
        if vs is not None:
            docs.append(vs[0])
            notes.extend(vs[1])
        rules, rule_notes = destination_rules(model, name)
        docs.extend(rules)
        notes.extend(rule_notes)
        if not notes_only:
            docs.append(authorization_policy(model, name))
        limiter, limit_notes = service_rate_limit(model, name)
        if limiter is not None:
            docs.append(limiter)
        notes.extend(limit_notes)
        files.append((f"{dns_name(name)}.yaml", docs))
    return files, notes


def notes(model: Model) -> list[MeshNote]:
    """What the model says that the Istio files cannot express exactly, each at its path in
    ``model`` (the files are rendered from the network view, see :func:`model_path`)."""
    return [
        MeshNote(n.mesh, model_path(model, n.path), n.message)
        for n in _documents(network_view(model), notes_only=True)[1]
    ]


def selects(model: Model) -> bool:
    """``build`` writes Istio files when ``platform.mesh`` is ``istio``."""
    return model.platform.mesh is Mesh.istio


@target(
    "istio", "Istio VirtualServices, DestinationRules, AuthorizationPolicies, mTLS, Gateway", selects=selects
)
def emit(model: Model) -> list[Artifact]:
    """Istio resources for every service of the model."""
    return render(model)[0]
