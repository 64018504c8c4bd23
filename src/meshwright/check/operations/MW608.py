from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SloWithoutMetrics(Rule):
    """Services declare SLOs but the platform collects no metrics.

    **Anti-pattern**

    ```yaml
    platform: {telemetry: {metrics: none}}
    services:
      cart: {slo: {availability: 99.9}}
    ```

    **Best practice**

    ```yaml
    platform: {telemetry: {metrics: prometheus}}
    services:
      cart: {slo: {availability: 99.9}}
    ```
    """

    code = "MW608"
    name = "operations.slo-without-metrics"
    severity = Severity.error
    rationale = "An SLO nobody measures cannot be alerted on, nor its error budget spent wisely."
    fix = "Set `platform.telemetry.metrics: prometheus`."
    references = ("https://sre.google/workbook/implementing-slos/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.telemetry.metrics != "none":
            return
        for sname, svc in ctx.model.services.items():
            if svc.slo is not None:
                yield Hit(("services", sname, "slo"), f"{sname} has an SLO but metrics are off")
