from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SharedDatabase(Rule):
    """A datastore is used by services of different bounded contexts.

    **Anti-pattern**

    ```yaml
    contexts: {ordering: {}, billing: {}}
    services:
      orders:
        context: ordering
        datastores: {shop-db: postgres}
      invoices:
        context: billing
        datastores: {shop-db: postgres}
    ```

    **Best practice**

    ```yaml
    contexts: {ordering: {}, billing: {}}
    services:
      orders:
        context: ordering
        datastores: {orders-db: postgres}
      invoices:
        context: billing
        datastores: {invoices-db: postgres}
    ```
    """

    code = "MW101"
    name = "data.shared-database"
    severity = Severity.error
    rationale = (
        "A database shared across bounded contexts couples them through its schema: one "
        "team's migration breaks another's service, neither can deploy alone, and the data "
        "has no single owner. It is the classic way to build a distributed monolith."
    )
    fix = (
        "Give each context its own datastore; share data through an API or through events "
        "the owner publishes."
    )
    references = ("https://microservices.io/patterns/data/database-per-service.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        users: dict[str, list[str]] = defaultdict(list)
        for sname, svc in ctx.model.services.items():
            for store in svc.datastores:
                users[store].append(sname)
        for store, services in users.items():
            contexts = {ctx.model.services[s].context or f"<no context: {s}>" for s in services}
            if len(contexts) < 2:
                continue
            for s in services:
                others = ", ".join(o for o in services if o != s)
                yield Hit(
                    ("services", s, "datastores", store),
                    f"datastore '{store}' of {s} is also used by {others} in another context",
                )
