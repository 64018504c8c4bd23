from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Entrypoint


class ZeroReplicasWithTraffic(Rule):
    """A service that is called or sent traffic runs zero replicas and cannot scale up.

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
        callers: dict[str, list[str]] = {}
        for e in ctx.edges:
            known = callers.setdefault(e.callee_service, [])
            if e.caller_service != e.callee_service and e.caller_service not in known:
                known.append(e.caller_service)
        entries: dict[str, str] = {}
        for ep in ctx.model.entrypoints:
            if sends_traffic(ep):
                entries.setdefault(ep.operation.split(".", 1)[0], ep.label)
        for sname, svc in ctx.model.services.items():
            if svc.runtime.replicas != 0 or svc.runtime.autoscale is not None:
                continue
            if sname in entries:
                source = f"receives traffic from entrypoint {entries[sname]}"
            elif callers.get(sname):
                source = f"is called by {', '.join(callers[sname])}"
            else:
                continue
            yield Hit(("services", sname, "runtime", "replicas"), f"{sname} {source} but runs 0 replicas")


def sends_traffic(ep: Entrypoint) -> bool:
    """Whether an entrypoint ever sends a request: its rate, or a step of its profile, is above 0."""
    return ep.rate > 0 or any(step.rate > 0 for step in ep.profile)
