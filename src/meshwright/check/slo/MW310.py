from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.callgraph import by_service, request_rates
from meshwright.analysis.slo_math import alerts, objectives
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.observability.semconv import number
from meshwright.model.units import format_duration


class BurnAlertsSilencedByLowTraffic(Rule):
    """A service gets so few requests that a burn-rate alert of its SLO can never fire: even
    when every request fails, its short window holds fewer than `slo.min_bad_requests` bad
    requests at the rate the entrypoints send (the low-traffic guard of `emit
    observability`).

    **Anti-pattern**

    ```yaml
    services:
      admin:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        slo: {availability: 99.9}
    entrypoints:
      - {operation: admin.Get, rate: 0.01/s}
    ```

    **Best practice**

    ```yaml
    services:
      admin:
        apis: [{name: A, port: 80, operations: {Get: {}}}]
        slo: {availability: 99.9, min_bad_requests: 2}
    entrypoints:
      - {operation: admin.Get, rate: 0.01/s}
    ```
    """

    code = "MW310"
    name = "slo.low-traffic-alerts-silent"
    severity = Severity.warning
    rationale = (
        "A burn-rate alert of `emit observability` fires only with at least "
        "`slo.min_bad_requests` bad requests in its short window, so a lone failure of a quiet "
        "service does not page. When the whole expected traffic of the short window is below "
        "that, the alert stays silent through a complete outage."
    )
    fix = (
        "Lower `slo.min_bad_requests` for this service (down to 1, no guard), or rely on the "
        "longer-window alerts, or add synthetic traffic (a prober) so the SLO is measured."
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        model = ctx.model
        if model.platform.telemetry.metrics == "none" or not model.entrypoints:
            return
        rates = by_service(model, request_rates(model))
        for sname, svc in model.services.items():
            if svc.slo is None or not svc.network_apis():
                continue
            rate = rates.get(sname, 0.0)
            if rate <= 0:
                continue  # no modelled traffic: nothing to compare with
            for obj in objectives(sname, svc.slo):
                kept, _ = alerts(obj)
                silent = [a for a in kept if rate * a.window.short_window < obj.min_bad_requests]
                if not silent:
                    continue
                names = ", ".join(
                    f"{a.window.name} (at most {number(round(rate * a.window.short_window, 2))} bad "
                    f"in {format_duration(a.window.short_window)})"
                    for a in silent
                )
                yield Hit(
                    ("services", sname, "slo"),
                    f"{obj.name} at {number(round(rate, 4))} requests/s can never fire {names}: "
                    f"min_bad_requests is {obj.min_bad_requests}",
                )
