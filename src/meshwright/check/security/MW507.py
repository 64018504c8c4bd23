from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class EntrypointToInternalService(Rule):
    """A public entrypoint sends traffic to a service marked internal.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s, rate_limit: 50/s}]
    services:
      web:
        expose: internal
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s, rate_limit: 50/s}]
    services:
      web:
        expose: public
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
    ```
    """

    code = "MW507"
    name = "security.entrypoint-to-internal-service"
    severity = Severity.warning
    rationale = (
        "The model says the service is internal, yet outside traffic reaches it: either the "
        "exposure is wrong (and the generated ingress and policies will be too) or the "
        "entrypoint should target the gateway in front of it."
    )
    fix = "Set `expose: public` on the service, or point the entrypoint at the public gateway."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for i, ep in enumerate(ctx.model.entrypoints):
            sname = ep.operation.split(".", 1)[0]
            svc = ctx.model.services.get(sname)
            if ep.public and svc is not None and svc.expose == "internal":
                yield Hit(
                    ("entrypoints", i, "operation"),
                    f"public entrypoint {ep.label} targets internal service {sname}",
                )
