from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class TopicWithoutConsumer(Rule):
    """A topic has no consumer.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders:
        publishes: [order-placed]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders:
        publishes: [order-placed]
      emails:
        consumes: [{topic: order-placed, group: emails}]
    ```
    """

    code = "MW402"
    name = "messaging.topic-without-consumer"
    severity = Severity.warning
    rationale = (
        "Events nobody consumes cost storage and broker capacity, and often mean a consumer "
        "is missing from the model, so the flow it should trigger never happens."
    )
    fix = "Add a consumer (`consumes: [{topic: NAME, group: ...}]`), or stop publishing the topic."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for tname, topic in ctx.model.topics.items():
            if not topic.dead_letter and not ctx.consumers.get(tname):
                yield Hit(("topics", tname), f"topic {tname} has no consumer")
