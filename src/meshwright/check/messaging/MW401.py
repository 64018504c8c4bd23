from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class TopicWithoutProducer(Rule):
    """A topic has no producer.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      emails:
        consumes: [{topic: order-placed, group: emails}]
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

    code = "MW401"
    name = "messaging.topic-without-producer"
    severity = Severity.warning
    rationale = (
        "Consumers of a topic nobody publishes to wait forever: either the producer is missing "
        "from the model (so every analysis of the flow is wrong) or the topic is dead."
    )
    fix = "Add the topic to the producing service's (or operation's) `publishes`, or delete the topic."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        dead_letter_targets = {
            c.dead_letter for svc in ctx.model.services.values() for c in svc.consumes if c.dead_letter
        }
        for tname, topic in ctx.model.topics.items():
            if topic.dead_letter or tname in dead_letter_targets:
                continue
            if not ctx.producers.get(tname):
                yield Hit(("topics", tname), f"topic {tname} has no producer")
