from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import agree, plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Broker


class TopicsWithoutBroker(Rule):
    """The model declares topics but the platform has no broker.

    **Anti-pattern**

    ```yaml
    platform: {broker: none}
    topics: {order-placed: {}}
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    ```
    """

    code = "MW411"
    name = "messaging.topics-without-broker"
    severity = Severity.error
    rationale = (
        "Topics need a broker to exist: with `platform.broker: none` no Kafka or RabbitMQ "
        "topology is generated and every publish fails at run time."
    )
    fix = "Choose `platform.broker: kafka` or `rabbitmq`."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.broker is Broker.none and ctx.model.topics:
            first = next(iter(ctx.model.topics))
            n = len(ctx.model.topics)
            yield Hit(
                ("topics", first),
                f"{plural(n, 'topic')} {agree(n, 'is', 'are')} declared but platform.broker is none",
            )
