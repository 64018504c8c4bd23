from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class ContextWithoutOwner(Rule):
    """A bounded context has no owning team.

    **Anti-pattern**

    ```yaml
    contexts: {ordering: {description: Orders and checkout}}
    ```

    **Best practice**

    ```yaml
    contexts: {ordering: {owner: team-orders, description: Orders and checkout}}
    ```
    """

    code = "MW110"
    name = "boundaries.context-without-owner"
    severity = Severity.info
    rationale = (
        "A bounded context is a unit of ownership (Conway's law). Without an owner nobody "
        "answers for its services' incidents, SLOs and changes."
    )
    fix = "Set `owner: TEAM` on the context."
    references = ("https://martinfowler.com/bliki/ConwaysLaw.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for cname, context in ctx.model.contexts.items():
            if not context.owner:
                yield Hit(("contexts", cname), f"context {cname} has no owner")
