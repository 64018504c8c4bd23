"""Build stage "analyze": every analysis section as analysis/analysis.json."""

from __future__ import annotations

from meshwright.analysis.cost import Prices
from meshwright.analysis.result import AnalysisOptions, analyze
from meshwright.pipeline import Artifact, BuildContext, StageResult, stage


def options_from(build_options: dict[str, object]) -> AnalysisOptions:
    """Analysis options from build options (``failure_rate``, ``prices``, ``samples``, ``seed``)."""
    base = AnalysisOptions()
    prices = build_options.get("prices")
    rate = build_options.get("failure_rate", base.failure_rate)
    samples = build_options.get("samples", base.samples)
    seed = build_options.get("seed", base.seed)
    return AnalysisOptions(
        failure_rate=float(rate) if isinstance(rate, int | float) else base.failure_rate,
        prices=prices if isinstance(prices, Prices) else base.prices,
        samples=int(samples) if isinstance(samples, int) else base.samples,
        seed=int(seed) if isinstance(seed, int) else base.seed,
    )


@stage("analyze", "availability, latency, timeouts, retries, capacity, cost (analysis/analysis.json)")
def analyze_stage(ctx: BuildContext) -> StageResult:
    result = analyze(ctx.loaded.model, options_from(ctx.options))
    return StageResult(
        name="analyze",
        summary=result.summary(),
        data=result,
        artifacts=[Artifact("analysis/analysis.json", result.json_text() + "\n")],
    )
