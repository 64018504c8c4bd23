from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NoErrorBudget(Rule):
    """An availability SLO of 100 % leaves no error budget.

    **Anti-pattern**

    ```yaml
    services:
      cart: {slo: {availability: 100}}
    ```

    **Best practice**

    ```yaml
    services:
      cart: {slo: {availability: 99.95}}
    ```
    """

    code = "MW304"
    name = "slo.no-error-budget"
    severity = Severity.error
    rationale = (
        "No real system is 100 % available; such an objective is broken by the first "
        "deploy and leaves no error budget to spend on change, so it cannot guide decisions."
    )
    fix = "Choose the availability users actually need, e.g. 99.9 %."
    references = ("https://sre.google/sre-book/embracing-risk/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.slo and svc.slo.availability is not None and svc.slo.availability >= 100.0:
                yield Hit(("services", sname, "slo", "availability"), f"{sname} targets 100 % availability")
