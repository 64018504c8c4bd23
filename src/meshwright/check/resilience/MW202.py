from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class RetriesWithoutPerTryTimeout(Rule):
    """A call retries but has no per-try timeout.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, retries: {attempts: 3}}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, retries: {attempts: 3, per_try_timeout: 250ms}}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW202"
    name = "resilience.retries-without-per-try-timeout"
    severity = Severity.warning
    rationale = (
        "Without a per-try timeout the first try may use the whole call timeout, so the "
        "retries never happen when they are needed most: when the callee hangs rather "
        "than fails fast."
    )
    fix = "Set `retries.per_try_timeout` to about timeout / attempts, minus the backoff."
    references = ("https://istio.io/latest/docs/concepts/traffic-management/#retries",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            for layer in semantics(call).layers:
                if layer.retries and layer.per_try_timeout is None:
                    yield Hit(
                        (*path, layer.key), f"call {sname} → {call.to} retries with no per-try timeout"
                    )
