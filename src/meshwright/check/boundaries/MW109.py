from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class ChattyCall(Rule):
    """A call is made many times for each incoming request.

    **Anti-pattern**

    ```yaml
    services:
      orders:
        apis: [{name: Orders, port: 80, operations: {List: {idempotent: true}}}]
        calls: [{to: products.Get, per_request: 25, timeout: 100ms}]
      products:
        apis: [{name: Products, port: 80, operations: {Get: {idempotent: true}, GetMany: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      orders:
        apis: [{name: Orders, port: 80, operations: {List: {idempotent: true}}}]
        calls: [{to: products.GetMany, per_request: 1, timeout: 200ms}]
      products:
        apis: [{name: Products, port: 80, operations: {Get: {idempotent: true}, GetMany: {idempotent: true}}}]
    ```
    """

    code = "MW109"
    name = "boundaries.chatty-call"
    severity = Severity.warning
    rationale = (
        "Many calls per request (an N+1 pattern over the network) multiply latency and load "
        "on the callee; the interface is too fine-grained for how it is used."
    )
    fix = "Offer a batch operation, or move the data the caller needs closer to it."
    references = ("https://learn.microsoft.com/en-us/azure/architecture/antipatterns/chatty-io/",)
    options: ClassVar[dict[str, float]] = {"chatty_calls": 10.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        limit = self.option(ctx, "chatty_calls")
        for sname, path, call in call_sites(ctx.model):
            if call.per_request >= limit:
                yield Hit(
                    (*path, "per_request"),
                    f"call {sname} → {call.to} is made {plural(call.per_request, 'time')} per request",
                )
