from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.source import PathKey


class RetryAmplification(Rule):
    """Retries multiply along a call path beyond the threshold.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s}]
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 2s, retries: 3}]
      cart:
        apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: stock.Get, timeout: 500ms, retries: 4}]
      stock:
        apis: [{name: Stock, port: 80, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s}]
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 2s}]
      cart:
        apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: stock.Get, timeout: 500ms, retries: 3}]
      stock:
        apis: [{name: Stock, port: 80, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW206"
    name = "resilience.retry-amplification"
    severity = Severity.error
    rationale = (
        "When every layer retries, the tries multiply: 3 tries at each of three layers send "
        "27 requests to the bottom service for one user request, exactly when it is failing. "
        "The retry storm keeps it down long after the original fault is gone."
    )
    fix = (
        "Retry at one layer only (usually the one closest to the failing dependency), lower "
        "the attempts, or add retry budgets."
    )
    references = (
        "https://sre.google/sre-book/addressing-cascading-failures/",
        "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",
    )
    options: ClassVar[dict[str, float]] = {"amplification_threshold": 10.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        threshold = self.option(ctx, "amplification_threshold")
        entries = {ep.operation: i for i, ep in enumerate(ctx.model.entrypoints)}
        for p in ctx.amplified_paths:
            if p.factor < threshold or len(p.path) < 2:
                continue
            start = p.path[0]
            path: PathKey
            if start in entries:
                path = ("entrypoints", entries[start], "operation")
            else:
                first = next((e for e in ctx.edges_by_caller.get(start, []) if e.callee == p.path[1]), None)
                path = first.path if first else ctx.operation_path(start)
            yield Hit(
                path,
                f"retries multiply to {plural(p.factor, 'try', 'tries')} along {' → '.join(p.path)} "
                f"(threshold {threshold:g})",
            )
