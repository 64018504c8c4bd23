from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NonIdempotentConsumer(Rule):
    """A consumer does not handle redelivered messages idempotently.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      loyalty:
        consumes: [{topic: order-placed, group: loyalty}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      loyalty:
        consumes: [{topic: order-placed, group: loyalty, idempotent: true}]
    ```
    """

    code = "MW407"
    name = "messaging.non-idempotent-consumer"
    severity = Severity.warning
    rationale = (
        "Brokers deliver at least once: after a rebalance or a crash before the commit, a "
        "message arrives again. A consumer that is not idempotent then applies it twice."
    )
    fix = "Deduplicate by message id (or make the effect idempotent) and set `idempotent: true`."
    references = ("https://microservices.io/patterns/communication-style/idempotent-consumer.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            for i, c in enumerate(svc.consumes):
                if not c.idempotent:
                    yield Hit(
                        ("services", sname, "consumes", i), f"{sname} consumes {c.topic} non-idempotently"
                    )
