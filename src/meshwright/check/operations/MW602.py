from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NoResourceRequests(Rule):
    """A service has no CPU or memory request.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2, cpu: 250m, memory: 256Mi}
    ```
    """

    code = "MW602"
    name = "operations.no-resource-requests"
    severity = Severity.warning
    rationale = (
        "Without requests the scheduler packs pods blindly and evicts them first under "
        "pressure (BestEffort QoS); CPU autoscaling has no baseline to compute utilization from."
    )
    fix = "Set `runtime.cpu` and `runtime.memory` to the service's steady-state need."
    references = ("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            missing = [k for k in ("cpu", "memory") if getattr(svc.runtime, k) is None]
            if missing:
                yield Hit(("services", sname, "runtime"), f"{sname} has no {' or '.join(missing)} request")
