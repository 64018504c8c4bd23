from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Broker


class HandlerOnNetworkProtocol(Rule):
    """A message handler is served on gRPC or HTTP, which the broker cannot carry.

    Kafka and RabbitMQ hand a message to a consumer running inside the service; they never
    deliver it as a gRPC or HTTP request. A `consumes` entry whose `operation` belongs to a
    gRPC or HTTP API publishes the handler in that API's contract as an endpoint any caller
    may hit, outside the consumer group, its ordering and its dead-lettering.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        apis: [{name: Emails, protocol: http, port: 8080, operations: {SendReceipt: {}}}]
        consumes: [{topic: order-placed, operation: SendReceipt}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}}
    services:
      orders: {publishes: [order-placed]}
      emails:
        apis: [{name: EmailEvents, protocol: event, operations: {SendReceipt: {}}}]
        consumes: [{topic: order-placed, operation: SendReceipt}]
    ```
    """

    code = "MW416"
    name = "messaging.handler-on-network-protocol"
    severity = Severity.warning
    rationale = (
        "The broker delivers messages to a consumer, not requests to a port. Declared on a "
        "gRPC or HTTP API, the handler appears in the OpenAPI or .proto contract, the mesh "
        "and authorization expose it, and callers can invoke it directly, bypassing the "
        "topic, its consumer group and its dead-letter handling."
    )
    fix = (
        "Move the handler into an API with `protocol: event` (no port); keep on gRPC/HTTP "
        "only the operations callers invoke."
    )
    references = ("https://www.asyncapi.com/docs/concepts/asyncapi-document/define-operations",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.broker is Broker.none:
            return
        for sname, svc in ctx.model.services.items():
            for i, c in enumerate(svc.consumes):
                if c.operation is None:
                    continue
                api = svc.api_of(c.operation)
                if api is not None and api.networked:
                    yield Hit(
                        ("services", sname, "consumes", i, "operation"),
                        f"{sname} handles {c.topic} with {c.operation}, an operation of "
                        f"{api.protocol} API {api.name}: {ctx.model.platform.broker.value} "
                        f"cannot deliver messages over {api.protocol}",
                    )
