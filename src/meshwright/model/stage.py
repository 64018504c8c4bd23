"""Build stage "model": the normalized model as JSON and a summary of what it holds."""

from __future__ import annotations

from meshwright.model.dump import to_json
from meshwright.model.summary import describe, summarize
from meshwright.pipeline import Artifact, BuildContext, StageResult, stage


@stage("model", "normalized model (model.json) and a summary")
def model_stage(ctx: BuildContext) -> StageResult:
    model = ctx.loaded.model
    summary = summarize(model)
    lines = [f"# {model.system}", ""] + [f"- {k}: {v}" for k, v in summary.items()]
    return StageResult(
        name="model",
        summary=describe(summary),
        data=summary,
        artifacts=[
            Artifact("model.json", to_json(model)),
            Artifact("summary.md", "\n".join(lines) + "\n"),
        ],
    )
