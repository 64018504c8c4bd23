from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NoAuthorizationPolicy(Rule):
    """An internal service that is called has no authorization policy.

    **Anti-pattern**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls: [{to: payment.Charge, timeout: 1s}]
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}}}]
    ```

    **Best practice**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls: [{to: payment.Charge, timeout: 1s}]
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}}}]
        authorization: [{allow: [checkout]}]
    ```
    """

    code = "MW506"
    name = "security.no-authorization-policy"
    severity = Severity.info
    rationale = (
        "Without a policy every workload may call the service (default allow). Naming the "
        "callers turns the call graph into an enforced allow-list and limits what a "
        "compromised service can reach."
    )
    fix = "Add `authorization: [{allow: [CALLERS]}]` listing the services that call it."
    references = ("https://istio.io/latest/docs/concepts/security/#authorization",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        called = {e.callee_service for e in ctx.edges}
        for sname, svc in ctx.model.services.items():
            if svc.expose == "internal" and sname in called and not svc.authorization:
                yield Hit(("services", sname), f"internal service {sname} has no authorization policy")
