from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class AutoscaleMaxBelowMin(Rule):
    """An autoscaler's maximum is below its minimum.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 3, cpu: 250m, autoscale: {min: 3, max: 2}}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 3, cpu: 250m, autoscale: {min: 3, max: 10}}
    ```
    """

    code = "MW604"
    name = "operations.autoscale-max-below-min"
    severity = Severity.error
    rationale = "Kubernetes rejects a HorizontalPodAutoscaler whose maxReplicas is below minReplicas."
    fix = "Set `autoscale.max` at or above `autoscale.min`."
    references = ("https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            a = svc.runtime.autoscale
            if a is not None and a.max < a.min:
                yield Hit(
                    ("services", sname, "runtime", "autoscale", "max"),
                    f"{sname}: autoscale max {a.max} is below min {a.min}",
                )
