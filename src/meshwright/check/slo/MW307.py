from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class DependencySloWeaker(Rule):
    """A service depends, without fallback, on a service with a weaker availability SLO.

    **Anti-pattern**

    ```yaml
    services:
      checkout:
        apis: [{name: C, port: 80, operations: {Place: {}}}]
        slo: {availability: 99.95}
        calls: [{to: recs.Get, timeout: 200ms}]
      recs:
        apis: [{name: R, port: 80, operations: {Get: {idempotent: true}}}]
        slo: {availability: 99.5}
    ```

    **Best practice**

    ```yaml
    services:
      checkout:
        apis: [{name: C, port: 80, operations: {Place: {}}}]
        slo: {availability: 99.95}
        calls: [{to: recs.Get, timeout: 200ms, fallback: static}]
      recs:
        apis: [{name: R, port: 80, operations: {Get: {idempotent: true}}}]
        slo: {availability: 99.5}
    ```
    """

    code = "MW307"
    name = "slo.dependency-slo-weaker"
    severity = Severity.warning
    rationale = (
        "A hard dependency that only promises less than you do spends your error budget "
        "within its own: its owners will, rightly, take outages your SLO cannot absorb."
    )
    fix = "Add a fallback on the call, negotiate a stronger SLO with its owners, or lower yours."
    references = ("https://sre.google/workbook/slo-engineering-case-studies/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        services = ctx.model.services
        for e in ctx.edges:
            mine = services[e.caller_service].slo
            theirs = services[e.callee_service].slo
            if e.call.has_fallback or not mine or not theirs:
                continue
            if mine.availability is None or theirs.availability is None:
                continue
            if theirs.availability < mine.availability:
                yield Hit(
                    e.path,
                    f"{e.caller_service} ({mine.availability:g} %) depends on {e.callee_service} "
                    f"({theirs.availability:g} %) without a fallback",
                )
