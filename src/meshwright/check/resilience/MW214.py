from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class BackoffWithoutJitter(Rule):
    """A retry backoff has no jitter.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            retries: {attempts: 3, per_try_timeout: 250ms, backoff: {base: 25ms, jitter: none}}
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
            retries: {attempts: 3, per_try_timeout: 250ms, backoff: {base: 25ms, jitter: full}}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW214"
    name = "resilience.backoff-without-jitter"
    severity = Severity.info
    rationale = (
        "Without jitter, every caller that failed at the same moment retries at the same "
        "moment again: the retries arrive as synchronized waves instead of a spread load."
    )
    fix = "Set `backoff.jitter: full` (the default) or `equal`."
    references = ("https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            for layer in semantics(call).layers:
                if layer.retries and layer.backoff is not None and layer.backoff.jitter == "none":
                    yield Hit(
                        (*path, layer.key, "backoff"),
                        f"call {sname} → {call.to} backs off without jitter",
                    )
