from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class LimitBelowRequest(Rule):
    """A resource limit is below its request.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {cpu: 500m, cpu_limit: 250m, memory: 512Mi, memory_limit: 256Mi}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {cpu: 250m, cpu_limit: 500m, memory: 256Mi, memory_limit: 512Mi}
    ```
    """

    code = "MW610"
    name = "operations.limit-below-request"
    severity = Severity.error
    rationale = "Kubernetes rejects a container whose limit is below its request; the deploy fails."
    fix = "Raise the limit to at least the request (or lower the request)."
    references = ("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            rt = svc.runtime
            if rt.cpu is not None and rt.cpu_limit is not None and rt.cpu_limit < rt.cpu:
                yield Hit(
                    ("services", sname, "runtime", "cpu_limit"), f"{sname}: cpu limit is below the request"
                )
            if rt.memory is not None and rt.memory_limit is not None and rt.memory_limit < rt.memory:
                yield Hit(
                    ("services", sname, "runtime", "memory_limit"),
                    f"{sname}: memory limit is below the request",
                )
