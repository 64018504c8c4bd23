from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class RetriesWithoutBackoff(Rule):
    """A call retries immediately, with no backoff.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, retries: {attempts: 3, per_try_timeout: 250ms}}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            retries: {attempts: 3, per_try_timeout: 250ms, backoff: {base: 25ms, max: 100ms}}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW212"
    name = "resilience.retries-without-backoff"
    severity = Severity.warning
    rationale = (
        "Immediate retries hit a struggling callee again at once, from every caller at the "
        "same moment. Exponential backoff with jitter spreads the retries out and gives the "
        "callee time to recover."
    )
    fix = "Add `retries.backoff: {base: 25ms, max: 200ms}` (jitter is on by default)."
    references = ("https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            app = semantics(call).app
            if app.retries and app.backoff is None:
                yield Hit((*path, "retries"), f"call {sname} → {call.to} retries with no backoff")
