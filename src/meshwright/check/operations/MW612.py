from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class ZeroReplicasWithTraffic(Rule):
    """A service that receives traffic runs zero replicas and cannot scale up.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 5/s}]
    services:
      web:
        runtime: {replicas: 0}
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 5/s}]
    services:
      web:
        runtime: {replicas: 2}
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
    ```
    """

    code = "MW612"
    name = "operations.zero-replicas-with-traffic"
    severity = Severity.error
    rationale = "Every request to a service with no replicas and no autoscaler fails."
    fix = "Set `replicas` to 1 or more, or add an `autoscale` range."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        targets = {e.callee_service for e in ctx.edges}
        targets |= {ep.operation.split(".", 1)[0] for ep in ctx.model.entrypoints}
        for sname, svc in ctx.model.services.items():
            if sname in targets and svc.runtime.replicas == 0 and svc.runtime.autoscale is None:
                yield Hit(
                    ("services", sname, "runtime", "replicas"),
                    f"{sname} receives traffic but runs 0 replicas",
                )
