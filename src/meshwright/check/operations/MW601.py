from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from meshwright.analysis.cost import REDUNDANCY_SLO
from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext, min_replicas
from meshwright.check.rule import Hit, Rule, Severity


class SingleReplicaHighSlo(Rule):
    """A service promises a high availability SLO but can run a single replica.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        runtime: {replicas: 1}
        slo: {availability: 99.95}
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        runtime: {replicas: 3}
        slo: {availability: 99.95}
    ```
    """

    code = "MW601"
    name = "operations.single-replica-high-slo"
    severity = Severity.error
    rationale = (
        "One replica is down during every deploy, node drain and crash. 99.9 % allows 43 "
        "minutes a month; a few restarts and one bad node use all of it."
    )
    fix = "Run at least 2 replicas (3 across zones for 99.95 % and above), also as the autoscale minimum."
    references = ("https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",)
    options: ClassVar[dict[str, float]] = {"replica_slo": REDUNDANCY_SLO}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        threshold = self.option(ctx, "replica_slo")
        for sname, svc in ctx.model.services.items():
            target = svc.slo.availability if svc.slo else None
            if target is not None and target >= threshold and min_replicas(svc) <= 1:
                yield Hit(
                    ("services", sname, "runtime"),
                    f"{sname} has an availability SLO of {target:g} % "
                    f"but may run {plural(min_replicas(svc), 'replica')}",
                )
