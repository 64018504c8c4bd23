"""Linkerd target (2.16+ style): proxy injection, per-callee Gateway API routes whose
``retry.linkerd.io/*`` and ``timeout.linkerd.io/*`` annotations carry each call's mesh
policy, and authorization (Server per API port, AuthorizationPolicy + MeshTLSAuthentication)
from call graph ∩ authorization. The ``linkerd-profiles`` target writes ServiceProfiles
instead of the routes, for clusters that use profiles.

Files: ``mesh.yaml`` (namespace annotation, MeshTLSAuthentications, the any-client
NetworkAuthentication), ``<service>.yaml`` per service, and ``NOTES.md`` listing every
model policy Linkerd cannot express exactly (also written as a comment above the resource
it concerns). ``build`` writes the ``linkerd`` target when ``platform.mesh`` is ``linkerd``.
"""

from __future__ import annotations

from meshwright.emit.kubernetes.labels import namespace, system_labels
from meshwright.emit.linkerd.outbound import Rendered, incoming, routes
from meshwright.emit.linkerd.profiles import service_profile
from meshwright.emit.linkerd.security import authorizations, identities, servers
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Mesh, Model
from meshwright.pipeline import Artifact

__all__ = ["emit", "emit_profiles", "notes", "render"]

BALANCER = "power_of_two"
"""The one load balancer Linkerd has: power of two choices over EWMA latency."""


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
                },
                "annotations": {
                    "linkerd.io/inject": "enabled",
                    "config.linkerd.io/default-inbound-policy": "deny",
                },
            },
        },
        [
            "proxy injection for the namespace; ports without a Server refuse every client",
            "restricted pods need the Linkerd CNI plugin (linkerd-init needs NET_ADMIN otherwise)",
        ],
    )


def _service_notes(model: Model, service: str) -> list[MeshNote]:
    """What the callers of ``service`` declare that the Linkerd target does not render."""
    out: list[MeshNote] = []
    calls = incoming(model, service)
    for edge, _ in calls:
        who = f"{edge.caller} -> {edge.callee}"
        if edge.call.bulkhead is not None:
            out.append(
                MeshNote(
                    "linkerd",
                    (*edge.path, "bulkhead"),
                    f"{who}: bulkhead: Linkerd has no connection pool limit",
                )
            )
        if edge.call.circuit_breaker is not None:
            out.append(
                MeshNote(
                    "linkerd",
                    (*edge.path, "circuit_breaker"),
                    f"{who}: circuit_breaker is not rendered: Linkerd's failure accrual is set per "
                    "Service (balancer.linkerd.io annotations), for every caller",
                )
            )
    lb = model.services[service].runtime.load_balancing
    if calls and lb != BALANCER:
        out.append(
            MeshNote(
                "linkerd",
                ("services", service, "runtime", "load_balancing"),
                f"{service}: runtime.load_balancing {lb}: Linkerd always balances by power of two "
                "choices over latency (EWMA)",
            )
        )
    return out


def render(model: Model, profiles: bool = False) -> tuple[list[Artifact], list[MeshNote]]:
    """The target's files and its notes (what Linkerd cannot express exactly); with
    ``profiles``, ServiceProfiles instead of annotated routes."""
    documents, notes = _documents(model, profiles)
    files = [Artifact(name, head + _text(docs)) for name, head, docs in documents]
    body = "".join(f"- {n.message}\n" for n in notes) or "Every model policy is expressed exactly.\n"
    style = "ServiceProfiles" if profiles else "2.16 route annotations"
    files.append(
        Artifact(
            "NOTES.md",
            f"# Linkerd ({style}): what the model says that Linkerd cannot express exactly\n\n{body}",
        )
    )
    return files, notes


def _documents(model: Model, profiles: bool) -> tuple[list[tuple[str, str, list[Rendered]]], list[MeshNote]]:
    """Each YAML file's name, head comment and resources, and the notes (no text rendered:
    :func:`notes` needs only the notes)."""
    notes: list[MeshNote] = []
    if model.platform.mtls is False:
        notes.append(
            MeshNote(
                "linkerd",
                ("platform", "mtls"),
                "platform.mtls is false, but Linkerd always uses mTLS between meshed pods "
                "(and the authorization policies rely on it)",
            )
        )
    files: list[tuple[str, str, list[Rendered]]] = [
        ("mesh.yaml", "", [_namespace(model), *identities(model)])
    ]
    for name in model.services:
        docs: list[Rendered] = []
        if profiles:
            profile, more = service_profile(model, name)
            if profile is not None:
                docs.append(profile)
        else:
            out, more = routes(model, name)
            docs.extend(out)
        notes.extend(more)
        unrendered = _service_notes(model, name)
        notes.extend(unrendered)
        docs.extend(servers(model, name))
        docs.extend(authorizations(model, name))
        head = "".join(f"# {n.message}\n" for n in unrendered)
        files.append((f"{dns_name(name)}.yaml", head, docs))
    return files, notes


def notes(model: Model) -> list[MeshNote]:
    """What the model says that the Linkerd files (2.16 style) cannot express exactly."""
    return _documents(model, profiles=False)[1]


def selects(model: Model) -> bool:
    """``build`` writes Linkerd files when ``platform.mesh`` is ``linkerd``."""
    return model.platform.mesh is Mesh.linkerd


def never(model: Model) -> bool:
    """``build`` never writes the ServiceProfile variant: ``emit linkerd-profiles`` does."""
    return False


@target(
    "linkerd",
    "Linkerd routes with retry/timeout annotations, Servers, AuthorizationPolicies, MeshTLSAuthentications",
    selects=selects,
)
def emit(model: Model) -> list[Artifact]:
    """Linkerd resources (2.16+ style) for every service of the model."""
    return render(model)[0]


@target(
    "linkerd-profiles",
    "Linkerd ServiceProfiles (retryable routes, timeouts, retryBudget), Servers, AuthorizationPolicies",
    selects=never,
)
def emit_profiles(model: Model) -> list[Artifact]:
    """Linkerd resources with ServiceProfiles instead of annotated routes."""
    return render(model, profiles=True)[0]
