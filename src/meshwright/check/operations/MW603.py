from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NoMemoryLimit(Rule):
    """A service has no memory limit.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2, cpu: 250m, memory: 256Mi}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 2, cpu: 250m, memory: 256Mi, memory_limit: 512Mi}
    ```
    """

    code = "MW603"
    name = "operations.no-memory-limit"
    severity = Severity.warning
    rationale = (
        "A leak in a pod without a memory limit grows until the node runs out of memory and "
        "the kernel kills whatever it picks, often other services' pods."
    )
    fix = "Set `runtime.memory_limit` (commonly 1-2 × the memory request)."
    references = ("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.runtime.memory_limit is None:
                yield Hit(("services", sname, "runtime"), f"{sname} has no memory limit")
