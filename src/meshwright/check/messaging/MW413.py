from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.graph import published_topics


class ServicePublishesNothing(Rule):
    """A topic in a service's `publishes` is published by none of its operations.

    A service-level `publishes` list applies to the service's operations that change
    state (not `idempotent`), and only while no operation lists its own `publishes`:
    operation-level lists say precisely which operation emits which event.

    **Anti-pattern**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}, order-paid: {}}
    services:
      orders:
        publishes: [order-placed]
        apis: [{name: O, port: 80, operations: {Pay: {publishes: [order-paid]}}}]
      emails:
        consumes: [{topic: order-placed, group: e}, {topic: order-paid, group: e}]
    ```

    **Best practice**

    ```yaml
    platform: {broker: kafka}
    topics: {order-placed: {}, order-paid: {}}
    services:
      orders:
        apis:
          - name: O
            port: 80
            operations:
              Place: {publishes: [order-placed]}
              Pay: {publishes: [order-paid]}
      emails:
        consumes: [{topic: order-placed, group: e}, {topic: order-paid, group: e}]
    ```
    """

    code = "MW413"
    name = "messaging.service-publishes-nothing"
    severity = Severity.warning
    rationale = (
        "The model says the service publishes the topic, but no operation does: once any "
        "operation lists its own `publishes`, the service-level list no longer applies, and "
        "read-only (idempotent) operations never publish it. The analysis and the simulator "
        "send no messages to the topic, so its consumers look idle and their load is missing."
    )
    fix = (
        "List the topic under `publishes:` of the operations that emit it, or drop it from the "
        "service-level list."
    )
    references = ("https://microservices.io/patterns/data/event-driven-architecture.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        model = ctx.model
        for sname, svc in model.services.items():
            if not svc.publishes:
                continue
            emitted = {
                t for _, oname, _ in svc.operations() for t in published_topics(model, f"{sname}.{oname}")
            }
            for i, topic in enumerate(svc.publishes):
                if topic not in emitted:
                    yield Hit(
                        ("services", sname, "publishes", i),
                        f"service {sname} lists topic {topic} in `publishes`, but none of its "
                        "operations publishes it",
                    )
