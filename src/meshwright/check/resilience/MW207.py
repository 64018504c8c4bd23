from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import possessive
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.wording import percents_apart


class MissingCircuitBreaker(Rule):
    """A call to a dependency less available than the caller's SLO has no circuit breaker.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        slo: {availability: 99.9}
        calls: [{to: recs.Get, timeout: 200ms}]
      recs:
        availability: 99.0
        apis: [{name: Recs, port: 80, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        slo: {availability: 99.9}
        calls:
          - {to: recs.Get, timeout: 200ms, circuit_breaker: {consecutive_errors: 5}, fallback: static}
      recs:
        availability: 99.0
        apis: [{name: Recs, port: 80, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW207"
    name = "resilience.missing-circuit-breaker"
    severity = Severity.warning
    rationale = (
        "A dependency that is down more often than the caller may be will fail the caller's "
        "SLO unless the caller stops calling it while it is broken (and serves a fallback): "
        "a circuit breaker fails fast instead of tying up threads on a dead service."
    )
    fix = (
        "Add `circuit_breaker: {consecutive_errors: 5, open_for: 30s}` to the call, "
        "ideally with a fallback."
    )
    references = (
        "Nygard, Release It! (2nd ed.), ch. 5 'Circuit Breaker'",
        "https://martinfowler.com/bliki/CircuitBreaker.html",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        avail = ctx.availability
        for e in ctx.edges:
            if e.call.circuit_breaker is not None:
                continue
            slo = ctx.model.services[e.caller_service].slo
            needed = slo.availability if slo else None
            callee = avail.get(e.callee)
            if needed is None or callee is None or callee.composed * 100.0 >= needed:
                continue
            has, slo_text = percents_apart(callee.composed * 100.0, needed)
            yield Hit(
                e.path,
                f"call {e.caller_service} → {e.callee} has no circuit breaker; {e.callee} is "
                f"{has} % available, below {possessive(e.caller_service)} SLO {slo_text} %",
            )
