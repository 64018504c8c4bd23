from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Broker


class MinInsyncAtReplicas(Rule):
    """A topic's `min_insync_replicas` is not below its replication.

    With `acks=all`, Kafka accepts a write only while `min.insync.replicas` replicas are
    in sync. Equal to the replication, one broker restart makes the topic refuse writes;
    above it, no write ever succeeds. RabbitMQ quorum queues confirm on a majority and have
    no such setting, so a declared value there means nothing.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {replication: 3, min_insync_replicas: 3}}
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {replication: 3, min_insync_replicas: 2}}
    ```
    """

    code = "MW414"
    name = "messaging.min-insync-not-below-replicas"
    severity = Severity.warning
    rationale = (
        "A write must reach min.insync.replicas in-sync replicas. When that is the whole "
        "replica set, losing any one broker (a rolling upgrade is enough) stops every "
        "producer of the topic; when it exceeds the replica set, the topic never accepts a write."
    )
    fix = (
        "Leave `min_insync_replicas` out (default: replication - 1) or set it below "
        "`replication`, e.g. 2 for 3 replicas."
    )
    references = (
        "https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas",
        "https://www.rabbitmq.com/docs/quorum-queues",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        broker = ctx.model.platform.broker
        for tname, topic in ctx.model.topics.items():
            path = ("topics", tname, "min_insync_replicas")
            declared = topic.min_insync_replicas
            if broker is Broker.rabbitmq and declared is not None:
                yield Hit(
                    path,
                    f"topic {tname} sets min_insync_replicas, which RabbitMQ does not have: "
                    "quorum queues confirm a write on a majority of their replicas",
                )
                continue
            if broker is not Broker.kafka or declared is None:
                continue
            n = topic.insync_replicas
            if n > topic.replication:
                yield Hit(
                    path,
                    f"topic {tname} needs {n} in-sync replicas but has only {topic.replication}: "
                    "no write can succeed",
                )
            elif n == topic.replication:
                yield Hit(
                    path,
                    f"topic {tname} needs all {n} replicas in sync: losing one broker stops "
                    "every write",
                )
