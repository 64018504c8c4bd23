from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class LowReplication(Rule):
    """A topic is replicated fewer than three times.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {replication: 1}}
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {replication: 3}}
    ```
    """

    code = "MW410"
    name = "messaging.low-replication"
    severity = Severity.warning
    rationale = (
        "With fewer than three replicas a topic cannot lose a broker and still accept writes "
        "safely (min.insync.replicas 2): one broker restart means lost or refused events."
    )
    fix = "Set `replication: 3` (the default)."
    references = ("https://kafka.apache.org/documentation/#replication",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for tname, topic in ctx.model.topics.items():
            if topic.replication < 3:
                yield Hit(
                    ("topics", tname, "replication"),
                    f"topic {tname} has replication {topic.replication}",
                )
