"""The registry of emit targets: ``@target(name, description)`` on ``emit(model)``.

Target modules are listed in :data:`TARGET_MODULES`; adding a target is writing a module
like its siblings and naming it here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from meshwright.emit.names import refuse_clashes
from meshwright.errors import UsageError
from meshwright.model.types import Model
from meshwright.pipeline import Artifact

TARGET_MODULES: tuple[str, ...] = (
    "meshwright.emit.kubernetes",
    "meshwright.emit.helm",
    "meshwright.emit.compose",
    "meshwright.emit.docker",
    "meshwright.emit.kafka",
    "meshwright.emit.rabbitmq",
    "meshwright.emit.asyncapi",
    "meshwright.emit.openapi",
    "meshwright.emit.protobuf",
    "meshwright.emit.vault",
    "meshwright.emit.observability.target",
    "meshwright.emit.istio",
    "meshwright.emit.consul",
    "meshwright.emit.linkerd",
    "meshwright.emit.etcd",
    "meshwright.emit.gateway_api",
)
"""Modules that register emit targets, imported in this order."""

EmitFn = Callable[[Model], list[Artifact]]
SelectFn = Callable[[Model], bool]


@dataclass(frozen=True)
class Target:
    """One emit target: a name (also its output directory), what it writes, the renderer."""

    name: str
    description: str
    emit: EmitFn
    selects: SelectFn | None = None
    """When set, ``build`` (and ``emit all``) writes this target only for models it
    selects (a mesh target for its ``platform.mesh``); ``emit <name>`` always writes it."""

    def selected(self, model: Model) -> bool:
        return self.selects is None or self.selects(model)


def on_kubernetes(model: Model) -> bool:
    """``selects`` of the Kubernetes-only targets: ``platform.orchestrator`` is kubernetes."""
    return model.platform.on_kubernetes


_TARGETS: dict[str, Target] = {}


def target(name: str, description: str, selects: SelectFn | None = None) -> Callable[[EmitFn], EmitFn]:
    """Register ``emit(model) -> list[Artifact]`` as the target ``name`` (``selects``: see
    :attr:`Target.selects`)."""

    def register(fn: EmitFn) -> EmitFn:
        _TARGETS[name] = Target(name, description, fn, selects)
        return fn

    return register


def targets() -> list[Target]:
    """Every registered target, in :data:`TARGET_MODULES` order."""
    for module in TARGET_MODULES:
        importlib.import_module(module)
    return list(_TARGETS.values())


def emit_target(name: str, model: Model) -> list[Artifact]:
    """Artifacts of one target, paths relative to that target's directory."""
    known = {t.name: t for t in targets()}
    if name not in known:
        raise UsageError(f"unknown emit target '{name}'; targets are: {', '.join(known)}, all")
    refuse_clashes(model)
    return known[name].emit(network_view(model))


def emit_all(model: Model) -> list[Artifact]:
    """Artifacts of every target the model selects, each under a directory named for its target."""
    refuse_clashes(model)
    view = network_view(model)
    return [
        Artifact(f"{t.name}/{a.path}", a.content)
        for t in targets()
        if t.selected(model)
        for a in t.emit(view)
    ]


def network_view(model: Model) -> Model:
    """The model as the platform sees it: event-handler APIs have no port, container port,
    Service port or probe of their own, so emitters get each service with its networked APIs
    only (every workload still has its health and metrics port, see
    :mod:`meshwright.emit.conventions`)."""
    services = {
        name: svc if all(a.networked for a in svc.apis)
        else svc.model_copy(update={"apis": svc.network_apis()})
        for name, svc in model.services.items()
    }
    if all(services[name] is svc for name, svc in model.services.items()):
        # nothing to leave out: the model itself, so what is memoised for it (the call
        # DAG, the timeout budgets) is shared with the analyses and rules, not re-derived
        return model
    return model.model_copy(update={"services": services})
