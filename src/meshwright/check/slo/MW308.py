from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.slo_math import objectives
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SloWithoutMetrics(Rule):
    """An SLO has no metrics source: metrics are off, or the service serves no gRPC or
    HTTP API whose request metrics could measure it.

    **Anti-pattern**

    ```yaml
    services:
      worker:
        apis: [{name: Events, protocol: event, operations: {Handle: {}}}]
        slo: {availability: 99.9}
    ```

    **Best practice**

    ```yaml
    services:
      worker:
        apis: [{name: Api, protocol: http, port: 8080, operations: {Handle: {}}}]
        slo: {availability: 99.9}
    ```
    """

    code = "MW308"
    name = "slo.without-metrics"
    severity = Severity.warning
    rationale = (
        "An objective nobody measures is never alerted on: `emit observability` writes SLO "
        "rules from the request-duration histograms of gRPC and HTTP servers, so an SLO of a "
        "service without them, or with `telemetry.metrics: none`, gets no rules at all."
    )
    fix = (
        "Set `platform.telemetry.metrics: prometheus`, or move the SLO to the service that "
        "serves the requests, or remove it."
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        metrics_off = ctx.model.platform.telemetry.metrics == "none"
        for sname, svc in ctx.model.services.items():
            if svc.slo is None or not objectives(sname, svc.slo):
                continue
            if metrics_off:
                yield Hit(("services", sname, "slo"), f"{sname} has an SLO but telemetry.metrics is none")
            elif not any(a.networked for a in svc.apis):
                yield Hit(
                    ("services", sname, "slo"),
                    f"{sname} has an SLO but serves no gRPC or HTTP API to measure it by",
                )
