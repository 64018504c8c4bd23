from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class RetryNonIdempotent(Rule):
    """A call retries an operation that is not idempotent.

    **Anti-pattern**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls:
          - {to: payment.Charge, timeout: 1s, retries: {attempts: 3, per_try_timeout: 300ms}}
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {idempotent: false}}}]
    ```

    **Best practice**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls:
          - {to: payment.Charge, timeout: 1s, retries: {attempts: 3, per_try_timeout: 300ms}}
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {idempotent: true}}}]
    ```
    """

    code = "MW203"
    name = "resilience.retry-non-idempotent"
    severity = Severity.error
    rationale = (
        "A try that timed out may still have succeeded on the callee. Retrying a "
        "non-idempotent operation then performs it twice: a double charge, a duplicate order."
    )
    fix = (
        "Make the operation idempotent (an idempotency key the callee deduplicates on) and "
        "mark it `idempotent: true`, or drop the retries of this call."
    )
    references = ("https://stripe.com/docs/api/idempotent_requests",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            target = ctx.model.operation(call.to)
            if target is None or target.idempotent:
                continue
            for layer in semantics(call).layers:
                if layer.retries:
                    yield Hit(
                        (*path, layer.key),
                        f"call {sname} → {call.to} retries ({layer.attempts} attempts) "
                        "an operation that is not idempotent",
                    )
