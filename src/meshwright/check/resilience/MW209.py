from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class FallbackDependsOnFailedService(Rule):
    """A call's fallback needs the very service whose failure it covers.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: prices.Live, timeout: 200ms, fallback: prices.Cached}]
      prices:
        apis: [{name: Prices, port: 8080, operations: {Live: {idempotent: true}, Cached: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: prices.Live, timeout: 200ms, fallback: price-cache.Get}]
      prices:
        apis: [{name: Prices, port: 8080, operations: {Live: {idempotent: true}}}]
      price-cache:
        apis: [{name: Cache, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW209"
    name = "resilience.fallback-depends-on-failed-service"
    severity = Severity.error
    rationale = (
        "A fallback exists for the moment the target is down. If the fallback calls the same "
        "service, directly or through other services, it fails at exactly that moment."
    )
    fix = (
        "Make the fallback independent: a cache, a static default, or a service that does "
        "not call the target."
    )
    references = ("https://aws.amazon.com/builders-library/avoiding-fallback-in-distributed-systems/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            fb = call.fallback
            if not call.has_fallback or fb is None or "." not in fb:
                continue
            if call.target_service in services_reached(ctx, fb):
                yield Hit(
                    (*path, "fallback"),
                    f"fallback {fb} of call {sname} → {call.to} depends on {call.target_service}",
                )


def services_reached(ctx: RuleContext, start: str) -> set[str]:
    """Services of ``start`` and of every operation it calls, directly or transitively."""
    seen = {start}
    todo = [start]
    while todo:
        for e in ctx.edges_by_caller.get(todo.pop(), []):
            if e.callee not in seen:
                seen.add(e.callee)
                todo.append(e.callee)
    return {op.split(".", 1)[0] for op in seen}
