from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext, max_replicas
from meshwright.check.rule import Hit, Rule, Severity


class ConsumerWithoutGroup(Rule):
    """A replicated service consumes a topic without a consumer group.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        runtime: {replicas: 3}
        consumes: [{topic: order-placed}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        runtime: {replicas: 3}
        consumes: [{topic: order-placed, group: emails}]
    ```
    """

    code = "MW408"
    name = "messaging.consumer-without-group"
    severity = Severity.warning
    rationale = (
        "Without a shared consumer group every replica receives every message: three "
        "replicas send three emails. A group splits the messages among the replicas."
    )
    fix = "Set `group:` on the consumer (usually the service name)."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if max_replicas(svc) < 2:
                continue
            for i, c in enumerate(svc.consumes):
                if c.group is None:
                    yield Hit(
                        ("services", sname, "consumes", i),
                        f"{sname} runs up to {max_replicas(svc)} replicas and consumes {c.topic} "
                        "without a consumer group",
                    )
