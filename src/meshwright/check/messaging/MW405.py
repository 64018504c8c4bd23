from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SagaStepWithoutCompensation(Rule):
    """A saga step that later steps can undo has no compensation.

    **Anti-pattern**

    ```yaml
    services:
      payment: {apis: [{name: P, port: 80, operations: {Charge: {}, Refund: {idempotent: true}}}]}
      shipping: {apis: [{name: S, port: 80, operations: {Ship: {}}}]}
    sagas:
      place-order:
        steps:
          - {do: payment.Charge}
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

    code = "MW405"
    name = "saga.step-without-compensation"
    severity = Severity.error
    rationale = (
        "When a later step of a saga fails, every earlier step must be undone by its "
        "compensation; a step without one leaves the system half-done (charged, never "
        "shipped). Only the last step needs none."
    )
    fix = "Add `compensate: service.operation` that semantically undoes the step."
    references = ("https://microservices.io/patterns/data/saga.html",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for name, saga in ctx.model.sagas.items():
            for i, step in enumerate(saga.steps[:-1]):
                if not step.compensate:
                    yield Hit(("sagas", name, "steps", i), f"saga {name}: step {step.do} has no compensation")
