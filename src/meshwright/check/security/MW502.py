from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class WildcardAuthorization(Rule):
    """An internal service allows any caller.

    **Anti-pattern**

    ```yaml
    services:
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}}}]
        authorization: [{allow: ["*"]}]
    ```

    **Best practice**

    ```yaml
    services:
      checkout: {apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]}
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}}}]
        authorization: [{allow: [checkout], operations: [Charge]}]
    ```
    """

    code = "MW502"
    name = "security.wildcard-authorization"
    severity = Severity.error
    rationale = (
        "`allow: ['*']` on an internal service lets any compromised workload in the cluster "
        "call it; least privilege names the callers that need each operation."
    )
    fix = "List the calling services in `allow:` (and the operations they need)."
    references = ("https://owasp.org/Top10/A01_2021-Broken_Access_Control/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.expose == "public":
                continue
            for i, rule in enumerate(svc.authorization):
                if "*" in rule.allow:
                    yield Hit(
                        ("services", sname, "authorization", i, "allow"),
                        f"internal service {sname} allows any caller",
                    )
