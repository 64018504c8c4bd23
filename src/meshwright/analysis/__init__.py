"""Quantitative analysis of a model: availability, latency, timeouts and retries,
capacity and cost — typed results that checks, the simulator and the report reuse.

    analyze(model, AnalysisOptions(...)) -> AnalysisResult

Each formula lives in exactly one module, with its source cited in its docstring.
The names below are imported on first use, so importing one analysis module (say
``analysis.callgraph``) does not load the queueing solvers and SciPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meshwright.analysis.result import AnalysisOptions, AnalysisResult, RetryStorm, analyze

__all__ = ["AnalysisOptions", "AnalysisResult", "RetryStorm", "analyze"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("meshwright.analysis.result"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
