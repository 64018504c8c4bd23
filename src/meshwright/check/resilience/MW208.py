from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.graph import call_groups


class FanOutWithoutBulkhead(Rule):
    """A parallel fan-out has a call without a bulkhead.

    **Anti-pattern**

    ```yaml
    services:
      home:
        apis: [{name: Home, port: 8080, operations: {Page: {}}}]
        calls:
          - {to: ads.Get, timeout: 200ms, parallel: page}
          - {to: recs.Get, timeout: 200ms, parallel: page}
      ads:
        apis: [{name: Ads, port: 8080, operations: {Get: {idempotent: true}}}]
      recs:
        apis: [{name: Recs, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      home:
        apis: [{name: Home, port: 8080, operations: {Page: {}}}]
        calls:
          - {to: ads.Get, timeout: 200ms, parallel: page, bulkhead: 20}
          - {to: recs.Get, timeout: 200ms, parallel: page, bulkhead: 20}
      ads:
        apis: [{name: Ads, port: 8080, operations: {Get: {idempotent: true}}}]
      recs:
        apis: [{name: Recs, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW208"
    name = "resilience.fan-out-without-bulkhead"
    severity = Severity.warning
    rationale = (
        "An operation that calls several services at once shares one pool of threads or connections "
        "among them. Without a bulkhead per dependency, one slow dependency takes every slot "
        "and the calls to the healthy ones starve too."
    )
    fix = "Give each call of the fan-out a `bulkhead: N` (max concurrent calls to that dependency)."
    references = ("Nygard, Release It! (2nd ed.), ch. 5 'Bulkheads'",)
    options: ClassVar[dict[str, float]] = {"fan_out": 2.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        fan_out = self.option(ctx, "fan_out")
        for edges in ctx.edges_by_caller.values():
            for group in call_groups(edges):
                if len(group) < fan_out:
                    continue
                for e in group:
                    if e.call.bulkhead is None:
                        yield Hit(
                            e.path,
                            f"{e.caller} calls {len(group)} services in parallel "
                            f"(group {e.call.parallel}); its call to {e.callee} has no bulkhead",
                        )
