from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SharedDatastoreInContext(Rule):
    """Several services of one context share a datastore.

    **Anti-pattern**

    ```yaml
    contexts: {ordering: {}}
    services:
      orders:
        context: ordering
        datastores: {orders-db: postgres}
      order-history:
        context: ordering
        datastores: {orders-db: postgres}
    ```

    **Best practice**

    ```yaml
    contexts: {ordering: {}}
    services:
      orders:
        context: ordering
        datastores: {orders-db: postgres}
      order-history:
        context: ordering
        datastores: {history-db: postgres}
    ```
    """

    code = "MW102"
    name = "data.shared-datastore-in-context"
    severity = Severity.info
    rationale = (
        "Services of one context may share a datastore, but each then depends on the others' "
        "schema and cannot be scaled, migrated or deployed on its own. Worth a conscious choice."
    )
    fix = "Split the datastore per service, or merge the services if they are one unit of change."
    references = ("https://microservices.io/patterns/data/shared-database.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        users: dict[str, list[str]] = defaultdict(list)
        for sname, svc in ctx.model.services.items():
            for store in svc.datastores:
                users[store].append(sname)
        for store, services in users.items():
            contexts = {ctx.model.services[s].context for s in services}
            if len(services) > 1 and len(contexts) == 1 and None not in contexts:
                for s in services[1:]:
                    yield Hit(
                        ("services", s, "datastores", store),
                        f"datastore '{store}' is shared by {', '.join(services)}",
                    )
