from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class ReplicasOutsideAutoscale(Rule):
    """A service's replicas lie outside its autoscale range.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 1, cpu: 250m, autoscale: {min: 3, max: 10}}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 3, cpu: 250m, autoscale: {min: 3, max: 10}}
    ```
    """

    code = "MW607"
    name = "operations.replicas-outside-autoscale"
    severity = Severity.warning
    rationale = (
        "The autoscaler overrides `replicas` at once; a value outside min..max means the model "
        "and the cluster disagree about the capacity, and every analysis based on it is off."
    )
    fix = "Set `replicas` within `autoscale.min`..`autoscale.max`."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            a = svc.runtime.autoscale
            r = svc.runtime.replicas
            if a is not None and a.min <= a.max and not a.min <= r <= a.max:
                yield Hit(
                    ("services", sname, "runtime", "replicas"),
                    f"{sname}: replicas {r} is outside autoscale {a.min}..{a.max}",
                )
