from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class DualWriteWithoutOutbox(Rule):
    """An operation writes its datastore and publishes an event, without an outbox.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders:
        datastores: {orders-db: postgres}
        apis:
          - name: Orders
            port: 80
            operations:
              Place: {writes: [orders-db], publishes: [order-placed]}
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders:
        datastores: {orders-db: postgres}
        apis:
          - name: Orders
            port: 80
            operations:
              Place: {writes: [orders-db], publishes: [order-placed], outbox: true}
    ```
    """

    code = "MW404"
    name = "messaging.dual-write-without-outbox"
    severity = Severity.error
    rationale = (
        "Writing the database and publishing to the broker are two transactions: a crash "
        "between them loses the event or publishes one for a write that was rolled back, and "
        "the other services' view drifts from the truth."
    )
    fix = (
        "Publish through a transactional outbox (write the event in the same transaction, "
        "relay it after) and set `outbox: true` on the operation."
    )
    references = ("https://microservices.io/patterns/data/transactional-outbox.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, oname, _, op, path in ctx.operations():
            if op.writes and op.publishes and not op.outbox:
                yield Hit(
                    path,
                    f"{sname}.{oname} writes {', '.join(op.writes)} and publishes "
                    f"{', '.join(op.publishes)} without an outbox",
                )
