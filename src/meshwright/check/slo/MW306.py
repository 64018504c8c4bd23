from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class ServiceTimeAboveLatencySlo(Rule):
    """An operation's own p99 service time is above its service's latency SLO.

    **Anti-pattern**

    ```yaml
    services:
      search:
        apis: [{name: S, port: 80, operations: {Query: {service_time: {mean: 40ms, p99: 400ms}}}}]
        slo: {latency: {p99: 250ms}}
    ```

    **Best practice**

    ```yaml
    services:
      search:
        apis: [{name: S, port: 80, operations: {Query: {service_time: {mean: 40ms, p99: 150ms}}}}]
        slo: {latency: {p99: 250ms}}
    ```
    """

    code = "MW306"
    name = "slo.service-time-above-latency-slo"
    severity = Severity.error
    rationale = (
        "If the operation alone, before any downstream call or queueing, is slower at p99 "
        "than the objective, the objective is missed by design."
    )
    fix = "Make the operation faster, or set the latency SLO above its own p99."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, oname, svc, op, path in ctx.operations():
            p99 = svc.slo.latency.p99 if svc.slo and svc.slo.latency else None
            own = op.service_time.p99
            if p99 is not None and own is not None and own > p99:
                yield Hit(
                    (*path, "service_time"),
                    f"{sname}.{oname} takes {format_duration(own)} at p99 alone, above the SLO "
                    f"{format_duration(p99)}",
                )
