from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext, max_replicas
from meshwright.check.rule import Hit, Rule, Severity


class PartitionsBelowConsumers(Rule):
    """A topic has fewer partitions than the replicas of a consumer group.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {partitions: 2}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        runtime: {replicas: 2, autoscale: {min: 2, max: 8}}
        consumes: [{topic: order-placed, group: emails}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {partitions: 8}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        runtime: {replicas: 2, autoscale: {min: 2, max: 8}}
        consumes: [{topic: order-placed, group: emails}]
    ```
    """

    code = "MW409"
    name = "messaging.partitions-below-consumers"
    severity = Severity.info
    rationale = (
        "A partition is read by one member of a group at a time: replicas beyond the number "
        "of partitions sit idle, so scaling the consumer out does not add throughput."
    )
    fix = "Raise the topic's `partitions` to at least the consumer's maximum replicas."
    references = ("https://kafka.apache.org/documentation/#intro_concepts_and_terms",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            for i, c in enumerate(svc.consumes):
                topic = ctx.model.topics.get(c.topic)
                n = max_replicas(svc)
                if topic is not None and topic.partitions < n:
                    yield Hit(
                        ("services", sname, "consumes", i),
                        f"{sname} runs up to {plural(n, 'replica')} but {c.topic} has "
                        f"{plural(topic.partitions, 'partition')}",
                    )
