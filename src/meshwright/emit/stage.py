"""Build stage "emit": every target's files under ``<target>/`` of the build output."""

from __future__ import annotations

from meshwright.emit.consul import notes as consul_notes
from meshwright.emit.istio import notes as mesh_notes
from meshwright.emit.linkerd import notes as linkerd_notes
from meshwright.emit.names import ensure_distinct_names
from meshwright.emit.registry import emit_all, network_view, targets
from meshwright.pipeline import BuildContext, StageResult, stage


@stage(
    "emit",
    "Kubernetes (Kustomize), Helm chart, Dockerfiles, compose.yaml, observability, broker topology, "
    "contracts, Vault policies and the mesh (Istio)",
)
def emit_stage(ctx: BuildContext) -> StageResult:
    ensure_distinct_names(ctx.loaded)
    artifacts = emit_all(ctx.loaded.model)
    model = ctx.loaded.model
    chosen = [t for t in targets() if t.selected(model)]
    counts = {t.name: sum(a.path.startswith(f"{t.name}/") for a in artifacts) for t in chosen}
    skipped = [t.name for t in targets() if not t.selected(model)]
    summary = ", ".join(f"{n} {name}" for name, n in counts.items()) + " files"
    if skipped:
        summary += f" ({', '.join(skipped)}: not selected by the model's platform)"
    inexact = mesh_notes(network_view(model)) if "istio" in counts else []
    if inexact:
        summary += f"; istio: {len(inexact)} model policies Istio cannot express exactly (istio/NOTES.md)"
    consul_inexact = consul_notes(network_view(model)) if "consul" in counts else []
    if consul_inexact:
        summary += (
            f"; consul: {len(consul_inexact)} model policies Consul cannot express exactly (consul/NOTES.md)"
        )
    linkerd_inexact = linkerd_notes(network_view(model)) if "linkerd" in counts else []
    if linkerd_inexact:
        n = len(linkerd_inexact)
        summary += f"; linkerd: {n} model policies Linkerd cannot express exactly (linkerd/NOTES.md)"
    return StageResult(
        name="emit",
        summary=summary,
        data=counts,
        artifacts=artifacts,
    )
