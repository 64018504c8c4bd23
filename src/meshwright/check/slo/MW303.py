from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class EntrypointWithoutSlo(Rule):
    """An entrypoint's service has no SLO.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s}]
    services:
      web: {apis: [{name: Web, port: 80, operations: {Home: {}}}]}
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 10/s}]
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        slo: {availability: 99.9, latency: {p99: 300ms}}
    ```
    """

    code = "MW303"
    name = "slo.entrypoint-without-slo"
    severity = Severity.warning
    rationale = (
        "Entrypoints are where users meet the system; without an objective there, nobody "
        "can say whether the system is healthy, alert on it, or size and budget anything behind it."
    )
    fix = "Set `slo: {availability: ..., latency: {p99: ...}}` on the service the entrypoint calls."
    references = ("https://sre.google/sre-book/service-level-objectives/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for i, ep in enumerate(ctx.model.entrypoints):
            sname = ep.operation.split(".", 1)[0]
            svc = ctx.model.services.get(sname)
            if svc is not None and svc.slo is None:
                yield Hit(("entrypoints", i), f"entrypoint {ep.label}: service {sname} has no SLO")
