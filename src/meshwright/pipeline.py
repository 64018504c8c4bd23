"""The build pipeline: load → validate → (check, analyze, simulate) → emit → report.

A stage is a pure function from a :class:`BuildContext` to a :class:`StageResult` (data,
files to write, a one-line summary). Stages register themselves with :func:`stage`; the
modules that hold them are listed in :data:`STAGE_MODULES`, in pipeline order. Only the
CLI writes files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meshwright.model.loader import LoadedModel

STAGE_MODULES: tuple[str, ...] = (
    "meshwright.model.stage",
    "meshwright.check.stage",
    "meshwright.analysis.stage",
    "meshwright.simulate.stage",
    "meshwright.emit.stage",
    "meshwright.report.stage",
)
"""Modules that register build stages, imported in this order."""


@dataclass(frozen=True)
class Artifact:
    """A file a stage wants written, relative to the build's output directory."""

    path: str
    content: str | bytes


@dataclass
class StageResult:
    """What a stage produced."""

    name: str
    summary: str
    data: Any = None
    artifacts: list[Artifact] = field(default_factory=list)
    failed: bool = False


@dataclass
class BuildContext:
    """Input of a stage: the model, build options, and earlier stages' results."""

    loaded: LoadedModel
    options: dict[str, Any] = field(default_factory=dict)
    results: dict[str, StageResult] = field(default_factory=dict)


StageFn = Callable[[BuildContext], StageResult]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn
    description: str


_REGISTRY: dict[str, Stage] = {}


def stage(name: str, description: str) -> Callable[[StageFn], StageFn]:
    """Register a build stage under ``name``."""

    def register(fn: StageFn) -> StageFn:
        _REGISTRY[name] = Stage(name, fn, description)
        return fn

    return register


def stages() -> list[Stage]:
    """The stages of the modules in :data:`STAGE_MODULES`, in that (pipeline) order."""
    for module in STAGE_MODULES:
        importlib.import_module(module)
    order = {module: i for i, module in enumerate(STAGE_MODULES)}
    listed = [s for s in _REGISTRY.values() if s.run.__module__ in order]
    return sorted(listed, key=lambda s: order[s.run.__module__])


def run_build(
    loaded: LoadedModel,
    options: dict[str, Any] | None = None,
    *,
    only: list[str] | None = None,
    on_stage: Callable[[Stage], None] | None = None,
) -> BuildContext:
    """Run every stage (or those named in ``only``) and return the context with results."""
    ctx = BuildContext(loaded=loaded, options=dict(options or {}))
    for st in stages():
        if only and st.name not in only:
            continue
        if on_stage:
            on_stage(st)
        ctx.results[st.name] = st.run(ctx)
    return ctx
