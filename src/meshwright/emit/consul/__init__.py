"""Consul target: per service ServiceDefaults (protocol, the caller's upstream limits and
passive health checks), ServiceResolver (connect timeout, load balancer), ServiceRouter
(each call's mesh retries and timeout) and ServiceIntentions (call graph ∩ authorization,
deny by default), and the global ProxyDefaults — written twice, once as Kubernetes custom
resources and once as config entries for VMs.

Files: ``kubernetes/mesh.yaml`` (ProxyDefaults, the deny-by-default intention) and
``kubernetes/<service>.yaml`` (``consul.hashicorp.com/v1alpha1`` resources);
``config/<order>-<kind>-<name>.hcl`` and ``.json``, one file per entry, for
``consul config write`` (the order prefix makes a shell glob write them in a valid
order); ``NOTES.md`` listing every model policy Consul cannot express exactly (also
written as a comment above the entry it concerns). ``build`` writes this target when
``platform.mesh`` or ``platform.discovery`` is ``consul``.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshwright.emit.consul.entries import Entry
from meshwright.emit.consul.intentions import deny_by_default, service_intentions
from meshwright.emit.consul.traffic import (
    proxy_defaults,
    service_defaults,
    service_resolvers,
    service_routers,
)
from meshwright.emit.kubernetes.labels import namespace
from meshwright.emit.mesh_notes import MeshNote
from meshwright.emit.registry import target
from meshwright.emit.wiring import dns_name
from meshwright.emit.yamltext import dump
from meshwright.model.types import Discovery, Mesh, Model
from meshwright.pipeline import Artifact

__all__ = ["emit", "notes"]


@dataclass
class Rendered:
    """Every entry of the model, grouped by the Kubernetes file it goes to, and the notes."""

    files: dict[str, list[Entry]]
    notes: list[MeshNote]


def entries(model: Model) -> Rendered:
    """The model's config entries and what Consul cannot express exactly."""
    notes: list[MeshNote] = []
    proxy, proxy_notes = proxy_defaults(model)
    notes.extend(proxy_notes)
    files: dict[str, list[Entry]] = {"mesh": [proxy, deny_by_default()]}
    for name in model.services:
        defaults, default_notes = service_defaults(model, name)
        routers, router_notes = service_routers(model, name)
        intentions, intention_notes = service_intentions(model, name)
        notes.extend([*default_notes, *router_notes, *intention_notes])
        files[dns_name(name)] = [*defaults, *service_resolvers(model, name), *routers, *intentions]
    said = {n.path for n in notes}
    for i, e in enumerate(model.entrypoints):
        if e.rate_limit is not None and ("entrypoints", i, "rate_limit") not in said:
            text = f"entrypoint {e.label}: rate_limit is not rendered by the consul target"
            proxy.comments.append(text)
            notes.append(MeshNote("consul", ("entrypoints", i, "rate_limit"), text))
    unique = list(dict.fromkeys(notes))
    return Rendered(files, unique)


def _yaml(model: Model, docs: list[Entry]) -> str:
    ns = namespace(model)
    return "---\n".join("".join(f"# {c}\n" for c in e.comments) + dump(e.resource(ns)) for e in docs)


def _dotted(note: MeshNote) -> str:
    return ".".join(str(p) for p in note.path)


def render(model: Model) -> tuple[list[Artifact], list[MeshNote]]:
    """The target's files and its notes."""
    rendered = entries(model)
    out = [Artifact(f"kubernetes/{name}.yaml", _yaml(model, docs)) for name, docs in rendered.files.items()]
    every = [e for docs in rendered.files.values() for e in docs]
    for e in sorted(every, key=lambda e: e.file_name):
        out.append(Artifact(f"config/{e.file_name}.hcl", e.hcl()))
        out.append(Artifact(f"config/{e.file_name}.json", e.json()))
    body = "".join(f"- {n.message} (`{_dotted(n)}`)\n" for n in rendered.notes)
    body = body or "Every model policy is expressed exactly.\n"
    out.append(
        Artifact("NOTES.md", f"# Consul: what the model says that Consul cannot express exactly\n\n{body}")
    )
    return out, rendered.notes


def notes(model: Model) -> list[MeshNote]:
    """What the model says that the Consul files cannot express exactly, at the model path
    each comes from."""
    return entries(model).notes


def selects(model: Model) -> bool:
    """``build`` writes Consul files when ``platform.mesh`` or ``platform.discovery`` is ``consul``."""
    return model.platform.mesh is Mesh.consul or model.platform.discovery is Discovery.consul


@target(
    "consul",
    "Consul ServiceDefaults, ServiceResolvers, ServiceRouters, ServiceIntentions, ProxyDefaults "
    "(CRDs and config entries)",
    selects=selects,
)
def emit(model: Model) -> list[Artifact]:
    """Consul resources and config entries for every service of the model."""
    return render(model)[0]
