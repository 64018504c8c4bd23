from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.slo_math import alerts, objectives
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class BurnAlertsMissing(Rule):
    """An SLO objective cannot have all four multi-window burn-rate alerts: its window is
    shorter than an alert's long window (3 days for the slow ticket), or its error budget
    is so large that an alert would need more than 100 % bad requests to fire.

    **Anti-pattern**

    ```yaml
    services:
      api:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        slo: {availability: 99.9, window: 1d}
    ```

    **Best practice**

    ```yaml
    services:
      api:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        slo: {availability: 99.9, window: 28d}
    ```
    """

    code = "MW309"
    name = "slo.burn-alerts-missing"
    severity = Severity.warning
    rationale = (
        "The SRE workbook's four alerts (1h/5m and 6h/30m pages, 1d/2h and 3d/6h tickets) "
        "catch both fast and slow burns; a window that cannot hold the 3-day window, or a "
        "p50 objective whose budget is half the requests, leaves some burns unalerted, and "
        "`emit observability` leaves those alerts out."
    )
    fix = (
        "Use an SLO window of at least 3 days (28d or 30d is usual), and state latency as a "
        "high percentile (p95, p99) rather than p50."
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.telemetry.metrics == "none":
            return
        for sname, svc in ctx.model.services.items():
            if svc.slo is None:
                continue
            for obj in objectives(sname, svc.slo):
                _, omitted = alerts(obj)
                if not omitted:
                    continue
                field = "availability" if obj.kind == "availability" else "latency"
                window_short = any("window" in o.reason for o in omitted)
                path = ("services", sname, "slo", "window" if window_short else field)
                names = ", ".join(f"{o.window.name} ({o.reason})" for o in omitted)
                yield Hit(
                    path,
                    f"{obj.name} over {format_duration(obj.period)} gets no {names}",
                )
