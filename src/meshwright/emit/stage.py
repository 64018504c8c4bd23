"""Build stage "emit": every target's files under ``<target>/`` of the build output."""

from __future__ import annotations

from meshwright.emit.names import ensure_distinct_names
from meshwright.emit.registry import emit_all, targets
from meshwright.pipeline import BuildContext, StageResult, stage


@stage("emit", "Kubernetes (Kustomize), Helm chart, Dockerfiles, compose.yaml and observability")
def emit_stage(ctx: BuildContext) -> StageResult:
    ensure_distinct_names(ctx.loaded)
    artifacts = emit_all(ctx.loaded.model)
    counts = {t.name: sum(a.path.startswith(f"{t.name}/") for a in artifacts) for t in targets()}
    return StageResult(
        name="emit",
        summary=", ".join(f"{n} {name}" for name, n in counts.items()) + " files",
        data=counts,
        artifacts=artifacts,
    )
