from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NonIdempotentCompensation(Rule):
    """A saga compensation is not idempotent.

    **Anti-pattern**

    ```yaml
    services:
      payment: {apis: [{name: P, port: 80, operations: {Charge: {}, Refund: {idempotent: false}}}]}
      shipping: {apis: [{name: S, port: 80, operations: {Ship: {}}}]}
    sagas:
      place-order:
        steps:
          - {do: payment.Charge, compensate: payment.Refund}
          - {do: shipping.Ship}
    ```

    **Best practice**

    ```yaml
    services:
      payment: {apis: [{name: P, port: 80, operations: {Charge: {}, Refund: {idempotent: true}}}]}
      shipping: {apis: [{name: S, port: 80, operations: {Ship: {}}}]}
    sagas:
      place-order:
        steps:
          - {do: payment.Charge, compensate: payment.Refund}
          - {do: shipping.Ship}
    ```
    """

    code = "MW406"
    name = "saga.non-idempotent-compensation"
    severity = Severity.error
    rationale = (
        "A saga orchestrator retries a compensation until it succeeds, so it may run more "
        "than once; a non-idempotent refund then refunds twice."
    )
    fix = "Make the compensation idempotent (keyed by the saga id) and mark it `idempotent: true`."
    references = ("Richardson, Microservices Patterns, ch. 4 'Managing transactions with sagas'",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for name, saga in ctx.model.sagas.items():
            for i, step in enumerate(saga.steps):
                if not step.compensate:
                    continue
                op = ctx.model.operation(step.compensate)
                if op is not None and not op.idempotent:
                    yield Hit(
                        ("sagas", name, "steps", i, "compensate"),
                        f"saga {name}: compensation {step.compensate} is not idempotent",
                    )
