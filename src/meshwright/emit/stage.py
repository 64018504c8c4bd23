"""Build stage "emit": every target's files under ``<target>/`` of the build output."""

from __future__ import annotations

from meshwright.emit.gateway_api import notes as gateway_notes
from meshwright.emit.mesh_notes import MESH_PACKAGES, notes_of
from meshwright.emit.names import ensure_distinct_names
from meshwright.emit.registry import emit_all, targets
from meshwright.pipeline import BuildContext, StageResult, stage


@stage(
    "emit",
    "Kubernetes (Kustomize), Helm chart, Dockerfiles, compose.yaml, observability, broker topology, "
    "contracts, Vault policies, the mesh (Istio) and the edge (Istio Gateway or Gateway API)",
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
    for mesh in MESH_PACKAGES:  # each mesh target the model selects (consul also by discovery)
        inexact = (notes_of(mesh, model) or []) if mesh in counts else []
        if inexact:
            title = mesh.capitalize()
            summary += f"; {mesh}: {len(inexact)} model policies {title} cannot express exactly"
            summary += f" ({mesh}/NOTES.md)"
    if "gateway" in counts:
        edge = gateway_notes(model)
        if edge:
            summary += (
                f"; gateway: {len(edge)} edge policies the Gateway API cannot express (gateway/NOTES.md)"
            )
    return StageResult(
        name="emit",
        summary=summary,
        data=counts,
        artifacts=artifacts,
    )
