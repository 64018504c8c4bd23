from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class ConsumerWithoutDeadLetter(Rule):
    """A consumer has no dead-letter handling.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed, group: emails}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}, order-placed-dlq: {dead_letter: true}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed, group: emails, dead_letter: order-placed-dlq}]
    ```
    """

    code = "MW403"
    name = "messaging.consumer-without-dead-letter"
    severity = Severity.warning
    rationale = (
        "A message the consumer can never process (a poison message) is retried forever and "
        "blocks its partition, or is dropped silently. A dead-letter topic parks it for "
        "inspection while the rest flows."
    )
    fix = "Set `dead_letter: TOPIC` on the consumer and declare that topic with `dead_letter: true`."
    references = ("https://www.enterpriseintegrationpatterns.com/patterns/messaging/DeadLetterChannel.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            for i, c in enumerate(svc.consumes):
                if c.dead_letter is None:
                    yield Hit(
                        ("services", sname, "consumes", i),
                        f"{sname} consumes {c.topic} with no dead-letter topic",
                    )
