from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class ServiceWithoutContext(Rule):
    """A service belongs to no bounded context.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    contexts: {shopping: {owner: team-cart}}
    services:
      cart:
        context: shopping
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW106"
    name = "boundaries.service-without-context"
    severity = Severity.warning
    rationale = (
        "A service outside any bounded context has no stated owner or purpose within the "
        "domain; over time such services collect unrelated responsibilities."
    )
    fix = "Declare the context under `contexts:` and set `context:` on the service."
    references = ("https://martinfowler.com/bliki/BoundedContext.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.context is None:
                yield Hit(("services", sname), f"service {sname} belongs to no context")
