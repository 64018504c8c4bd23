"""Quantitative analysis of a model: availability, latency, timeouts and retries,
capacity and cost — typed results that checks, the simulator and the report reuse.

    analyze(model, AnalysisOptions(...)) -> AnalysisResult

Each formula lives in exactly one module, with its source cited in its docstring.
"""

from meshwright.analysis.result import AnalysisOptions, AnalysisResult, RetryStorm, analyze

__all__ = ["AnalysisOptions", "AnalysisResult", "RetryStorm", "analyze"]
