from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.graph import Edge


class ContextCycle(Rule):
    """Two bounded contexts call each other synchronously.

    **Anti-pattern**

    ```yaml
    contexts: {ordering: {}, shipping: {}}
    services:
      orders:
        context: ordering
        apis: [{name: Orders, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: shipments.Quote, timeout: 200ms}]
      shipments:
        context: shipping
        apis: [{name: Ship, port: 80, operations: {Quote: {idempotent: true}, Track: {}}}]
        calls: [{to: orders.Get, timeout: 200ms}]
    ```

    **Best practice**

    ```yaml
    contexts: {ordering: {}, shipping: {}}
    services:
      orders:
        context: ordering
        apis: [{name: Orders, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: shipments.Quote, timeout: 200ms}]
      shipments:
        context: shipping
        apis: [{name: Ship, port: 80, operations: {Quote: {idempotent: true}, Track: {}}}]
    ```
    """

    code = "MW108"
    name = "boundaries.context-cycle"
    severity = Severity.warning
    rationale = (
        "When context A calls B and B calls A, neither is upstream: the two must agree on "
        "every change. Healthy context maps point dependencies one way."
    )
    fix = "Make one context upstream: replace the calls in one direction with events or a local copy."
    references = ("Evans, Domain-Driven Design, ch. 14 'Context Map'",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        first: dict[tuple[str, str], Edge] = {}
        for e in ctx.edges:
            a = ctx.model.services[e.caller_service].context
            b = ctx.model.services[e.callee_service].context
            if a is not None and b is not None and a != b:
                first.setdefault((a, b), e)
        for (a, b), e in sorted(first.items()):
            if a < b and (b, a) in first:
                back = first[(b, a)]
                yield Hit(
                    e.path,
                    f"contexts {a} and {b} call each other synchronously "
                    f"({e.caller_service} → {e.callee_service}, "
                    f"{back.caller_service} → {back.callee_service})",
                )
