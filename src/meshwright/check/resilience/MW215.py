from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.callgraph import composition_order
from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class FallbackCycle(Rule):
    """A call's fallback leads back to the caller, through calls or other fallbacks.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: recs.Live, timeout: 200ms, fallback: recs-cache.Get}]
      recs:
        apis: [{name: Recs, port: 80, operations: {Live: {idempotent: true}}}]
      recs-cache:
        apis: [{name: Cache, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: store.Read, timeout: 100ms, fallback: web.Home}]
      store:
        apis: [{name: Store, port: 80, operations: {Read: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: recs.Live, timeout: 200ms, fallback: recs-cache.Get}]
      recs:
        apis: [{name: Recs, port: 80, operations: {Live: {idempotent: true}}}]
      recs-cache:
        apis: [{name: Cache, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: store.Read, timeout: 100ms, fallback: static}]
      store:
        apis: [{name: Store, port: 80, operations: {Read: {idempotent: true}}}]
    ```
    """

    code = "MW215"
    name = "resilience.fallback-cycle"
    severity = Severity.error
    rationale = (
        "A fallback runs when its call has failed. If the fallback operation calls back into "
        "the caller (directly, or through calls and other fallbacks), one failure recurses "
        "through the cycle, each turn holding a request slot, until something times out. "
        "The analyses cut the cycle and use the target's own availability and time."
    )
    fix = (
        "Break the cycle: make the fallback a cache or a static answer, or a service that "
        "does not lead back to the caller."
    )
    references = ("https://aws.amazon.com/builders-library/avoiding-fallback-in-distributed-systems/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for e in composition_order(ctx.model).fallback_cut:
            target = semantics(e.call).fallback
            yield Hit(
                (*e.path, "fallback"),
                f"fallback {target} of call {e.caller} → {e.callee} leads back to {e.caller}",
            )
