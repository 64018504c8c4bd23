from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class AutoscaleWithoutCpuRequest(Rule):
    """A service autoscales on CPU but has no CPU request.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2, autoscale: {min: 2, max: 6}}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2, cpu: 250m, autoscale: {min: 2, max: 6}}
    ```
    """

    code = "MW611"
    name = "operations.autoscale-without-cpu-request"
    severity = Severity.error
    rationale = (
        "The autoscaler computes CPU utilization as usage / request; without a request it "
        "cannot compute it and never scales."
    )
    fix = "Set `runtime.cpu`."
    references = ("https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.runtime.autoscale is not None and svc.runtime.cpu is None:
                yield Hit(
                    ("services", sname, "runtime", "autoscale"),
                    f"{sname} autoscales on CPU without a CPU request",
                )
