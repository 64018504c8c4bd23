from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class AvailabilityUnreachable(Rule):
    """An availability SLO is above what the service's synchronous dependencies allow.

    **Anti-pattern**

    ```yaml
    services:
      checkout:
        availability: 99.95
        apis: [{name: Checkout, port: 80, operations: {Place: {}}}]
        slo: {availability: 99.9}
        calls: [{to: payment.Charge, timeout: 1s}, {to: stock.Reserve, timeout: 1s}]
      payment:
        availability: 99.9
        apis: [{name: Payment, port: 80, operations: {Charge: {}}}]
      stock:
        availability: 99.9
        apis: [{name: Stock, port: 80, operations: {Reserve: {}}}]
    ```

    **Best practice**

    ```yaml
    services:
      checkout:
        availability: 99.95
        apis: [{name: Checkout, port: 80, operations: {Place: {}}}]
        slo: {availability: 99.5}
        calls: [{to: payment.Charge, timeout: 1s}, {to: stock.Reserve, timeout: 1s}]
      payment:
        availability: 99.9
        apis: [{name: Payment, port: 80, operations: {Charge: {}}}]
      stock:
        availability: 99.9
        apis: [{name: Stock, port: 80, operations: {Reserve: {}}}]
    ```
    """

    code = "MW301"
    name = "slo.availability-unreachable"
    severity = Severity.error
    rationale = (
        "A request succeeds only when the service and every synchronous dependency on its "
        "path succeed, so availabilities multiply: three services at 99.9 % in series give "
        "at most 99.7 %. An SLO above the composed value is broken by design."
    )
    fix = (
        "Lower the SLO to what the design delivers, or raise the composed availability: "
        "retries or fallbacks on the costliest dependency, fewer synchronous calls, or more "
        "available dependencies."
    )
    references = ("https://sre.google/sre-book/availability-table/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        worst: dict[str, tuple[float, str, str | None]] = {}
        for op, a in ctx.availability.items():
            if a.slo is None or a.composed >= a.slo - 1e-12:
                continue
            sname = op.split(".", 1)[0]
            if sname not in worst or a.composed < worst[sname][0]:
                worst[sname] = (a.composed, op, a.costliest_dependency)
        for sname, (composed, op, costliest) in worst.items():
            slo = ctx.model.services[sname].slo
            target = slo.availability if slo and slo.availability is not None else 0.0
            extra = f"; the costliest dependency is {costliest}" if costliest else ""
            yield Hit(
                ("services", sname, "slo", "availability"),
                f"SLO {target:g} % of {sname} is unreachable: {op} composes to "
                f"{composed * 100:.4g} %{extra}",
            )
