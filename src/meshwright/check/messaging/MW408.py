from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.source import PathKey


class SharedConsumerGroup(Rule):
    """Two services consume a topic in the same consumer group.

    A consumer's group defaults to its service's name, so each service gets every message
    and its replicas share them. Two *services* in one group split the messages between
    them: each sees only some.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed, group: notifications}]
      sms:
        consumes: [{topic: order-placed, group: notifications}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        consumes: [{topic: order-placed}]
      sms:
        consumes: [{topic: order-placed}]
    ```
    """

    code = "MW408"
    name = "messaging.shared-consumer-group"
    severity = Severity.warning
    rationale = (
        "Members of a consumer group divide a topic's partitions among themselves. When two "
        "different services join the same group, each receives only part of the messages: "
        "the emails go out for some orders, the text messages for the others."
    )
    fix = (
        "Give each service its own group (leave `group:` out: it defaults to the service "
        "name), or merge the two consumers into one service."
    )
    references = ("https://kafka.apache.org/documentation/#intro_consumers",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        members: dict[tuple[str, str], list[tuple[str, PathKey]]] = {}
        for sname, svc in ctx.model.services.items():
            for i, c in enumerate(svc.consumes):
                key = (c.topic, c.group or sname)
                members.setdefault(key, []).append((sname, ("services", sname, "consumes", i)))
        for (topic, group), consumers in members.items():
            services = sorted({s for s, _ in consumers})
            if len(services) < 2:
                continue
            for sname, path in consumers:
                others = ", ".join(s for s in services if s != sname)
                yield Hit(
                    path,
                    f"{sname} consumes {topic} in group {group} together with {others}: "
                    "each service receives only part of the messages",
                )
