from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import possessive
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class TimeoutAboveLatencySlo(Rule):
    """A call's timeout is longer than the caller's own latency SLO.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        slo: {latency: {p99: 300ms}}
        calls: [{to: cart.Get, timeout: 2s}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        slo: {latency: {p99: 300ms}}
        calls: [{to: cart.Get, timeout: 200ms}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW213"
    name = "resilience.timeout-above-latency-slo"
    severity = Severity.warning
    rationale = (
        "A caller that promises a p99 latency but waits longer than that for a dependency "
        "has already broken its promise when the timeout fires; the timeout then protects "
        "nothing and only holds resources."
    )
    fix = "Set the call's timeout below the caller's `slo.latency.p99`, leaving room for its own work."
    references = ("https://sre.google/workbook/implementing-slos/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            slo = ctx.model.services[sname].slo
            p99 = slo.latency.p99 if slo and slo.latency else None
            if p99 is not None and call.timeout is not None and call.timeout > p99:
                yield Hit(
                    (*path, "timeout"),
                    f"call {sname} → {call.to} waits up to {format_duration(call.timeout)}, "
                    f"longer than {possessive(sname)} latency SLO p99 {format_duration(p99)}",
                )
