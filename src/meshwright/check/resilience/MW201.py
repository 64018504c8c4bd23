from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class CallWithoutTimeout(Rule):
    """A synchronous call has no timeout.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 300ms}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW201"
    name = "resilience.call-without-timeout"
    severity = Severity.error
    rationale = (
        "Without a timeout a caller waits as long as its callee hangs: its threads, "
        "connections and memory fill up with stuck requests, and one slow dependency takes "
        "every caller down with it (a cascading failure)."
    )
    fix = "Set `timeout:` on the call, or once for all calls under `defaults.call.timeout`."
    references = (
        "Nygard, Release It! (2nd ed.), ch. 5 'Timeouts'",
        "https://sre.google/sre-book/addressing-cascading-failures/",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            if call.timeout is None:
                yield Hit(path, f"call {sname} → {call.to} has no timeout")
