from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.graph import consumers


class UnreadDeadLetterTopic(Rule):
    """A dead-letter topic has no consumer.

    A dead-letter topic is one marked `dead_letter: true` or named by a consumer's
    `dead_letter`. Messages parked there wait for someone to look at them.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}, order-placed-dlq: {dead_letter: true}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed, dead_letter: order-placed-dlq, idempotent: true}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}, order-placed-dlq: {dead_letter: true}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed, dead_letter: order-placed-dlq, idempotent: true}]
      dlq-triage:
        consumes: [{topic: order-placed-dlq, idempotent: true}]
    ```
    """

    code = "MW415"
    name = "messaging.unread-dead-letter-topic"
    severity = Severity.warning
    rationale = (
        "Parking a poison message only helps if someone replays or inspects it. Nobody "
        "reads the topic, so failed events pile up unseen and expire with its retention: "
        "the failure is silent, just later."
    )
    fix = (
        "Add a consumer of the dead-letter topic (a triage or replay service that alerts), "
        "or suppress the finding with the reason when operators replay it by hand."
    )
    references = ("https://www.confluent.io/learn/kafka-dead-letter-queue/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        named = {c.dead_letter for c in consumers(ctx.model) if c.dead_letter is not None}
        for tname, topic in ctx.model.topics.items():
            if (topic.dead_letter or tname in named) and not ctx.consumers.get(tname):
                yield Hit(
                    ("topics", tname),
                    f"dead-letter topic {tname} has no consumer: parked messages expire unseen",
                )
