from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class LatencyBelowCriticalPath(Rule):
    """A latency SLO is shorter than the mean time of an operation's critical path.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {service_time: 50ms}}}]
        slo: {latency: {p99: 100ms}}
        calls: [{to: search.Query, timeout: 1s}]
      search:
        apis: [{name: Search, port: 80, operations: {Query: {idempotent: true, service_time: 80ms}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {service_time: 50ms}}}]
        slo: {latency: {p99: 600ms}}
        calls: [{to: search.Query, timeout: 1s}]
      search:
        apis: [{name: Search, port: 80, operations: {Query: {idempotent: true, service_time: 80ms}}}]
    ```
    """

    code = "MW302"
    name = "slo.latency-below-critical-path"
    severity = Severity.error
    rationale = (
        "The sequential calls of a request add up: even the mean time of the critical path "
        "(own work plus each sequential call, parallel calls as their slowest) exceeds the "
        "p99 promised, so most requests, not just the tail, miss the objective."
    )
    fix = (
        "Raise the latency SLO, make independent calls parallel (`parallel: GROUP`), or cut "
        "the slowest services' time on the path."
    )
    references = ("https://sre.google/workbook/implementing-slos/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        cp = ctx.critical_paths
        for sname, svc in ctx.model.services.items():
            p99 = svc.slo.latency.p99 if svc.slo and svc.slo.latency else None
            if p99 is None:
                continue
            times = [(cp.get(f"{sname}.{o}", 0.0), f"{sname}.{o}") for _, o, _ in svc.operations()]
            slow = max(times, default=(0.0, ""))
            if slow[0] > p99:
                yield Hit(
                    ("services", sname, "slo", "latency", "p99"),
                    f"latency SLO p99 {format_duration(p99)} of {sname} is below the mean critical "
                    f"path of {slow[1]}: {format_duration(slow[0])}",
                )
