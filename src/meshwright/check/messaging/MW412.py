from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class UnkeyedPartitionedTopic(Rule):
    """A topic with several partitions has no message key.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-events: {partitions: 6}}
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-events: {partitions: 6, key: order_id}}
    ```
    """

    code = "MW412"
    name = "messaging.unkeyed-partitioned-topic"
    severity = Severity.info
    rationale = (
        "Order is kept only within a partition. Without a key, events about one entity "
        "(created, paid, cancelled) land on different partitions and may be consumed out of order."
    )
    fix = "Set `key:` to the entity id the events are about, e.g. `key: order_id`."
    references = ("https://kafka.apache.org/documentation/#semantics",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for tname, topic in ctx.model.topics.items():
            if topic.partitions > 1 and not topic.key and not topic.dead_letter:
                yield Hit(("topics", tname), f"topic {tname} has {topic.partitions} partitions and no key")
