from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterator

from meshwright.check.context import RuleContext, call_sites, min_replicas
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.mesh_notes import MESH_PACKAGES, OPTIONAL_MESHES
from meshwright.model.types import Call, Model

EjectionFn = Callable[[Call], float | None]


def ejection_of(model: Model) -> EjectionFn | None:
    """The selected mesh's ``max_ejection_percent(call)`` (percent of a callee's replicas its
    outlier detection may eject, None when the call has none), or None when the mesh has no
    outlier detection meshwright renders (or its emitter package is not installed)."""
    package = MESH_PACKAGES.get(model.platform.mesh.value)
    if package is None:
        return None
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        if model.platform.mesh.value in OPTIONAL_MESHES and exc.name == package:
            return None
        raise
    fn: EjectionFn | None = getattr(module, "max_ejection_percent", None)
    return fn


def ejectable(replicas: int, percent: float) -> int:
    """Replicas outlier detection may eject at once: the share, but at least one (Envoy
    ejects one host whatever ``max_ejection_percent`` says)."""
    return min(replicas, max(1, math.floor(replicas * percent / 100 + 1e-9)))


class EjectionBeyondSpareCapacity(Rule):
    """The mesh's outlier detection may eject more of a service's replicas than it can spare.

    **Anti-pattern**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, circuit_breaker: {consecutive_errors: 5}}]
      cart:
        runtime: {replicas: 3, concurrency: 4}
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true, service_time: 50ms}}}]
    entrypoints: [{operation: web.Home, rate: 100/s}]
    ```

    **Best practice**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, circuit_breaker: {consecutive_errors: 5, max_ejection: 25}}]
      cart:
        runtime: {replicas: 4, concurrency: 4}
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true, service_time: 50ms}}}]
    entrypoints: [{operation: web.Home, rate: 100/s}]
    ```
    """

    code = "MW702"
    name = "mesh.ejection-beyond-spare-capacity"
    severity = Severity.warning
    rationale = (
        "Outlier detection takes a failing replica out of the load balancer; the others get "
        "its traffic. When the replicas left are fewer than its load needs (capacity analysis: "
        "the fewest replicas with a stable queue, no rejections and the p99 wait within the "
        "latency SLO), they overload, fail, and are ejected in turn: one bad replica becomes an "
        "outage. The default `max_ejection` of 100 % may eject every replica. Envoy ejects at "
        "least one host whatever the percentage, so a service running exactly the replicas its "
        "load needs has no room for any ejection."
    )
    fix = (
        "Lower `circuit_breaker.max_ejection` to what the service can spare "
        "((replicas − needed) / replicas), or run more replicas than its load needs."
    )
    references = (
        "https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection",
        "https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        share = ejection_of(ctx.model)
        if share is None:
            return
        seen: set[tuple[str, str]] = set()
        for caller, path, call in call_sites(ctx.model):
            percent = share(call)
            callee = call.target_service
            svc = ctx.model.services.get(callee)
            if percent is None or svc is None or (caller, callee) in seen:
                continue
            seen.add((caller, callee))
            replicas = min_replicas(svc)
            needed = ctx.capacity[callee].replicas_needed if callee in ctx.capacity else None
            if replicas < 1 or needed is None:
                continue
            out = ejectable(replicas, percent)
            if replicas - out < needed:
                spare = max(0, replicas - needed)
                yield Hit(
                    (*path, "circuit_breaker"),
                    f"{ctx.model.platform.mesh.value} outlier detection for {caller} → {callee} may eject "
                    f"{out} of {callee}'s {replicas} replicas, leaving {replicas - out}; its load needs "
                    f"{needed} (capacity analysis), so it can spare {spare}",
                )
