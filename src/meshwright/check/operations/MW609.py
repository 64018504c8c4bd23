from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class TracingDisabled(Rule):
    """Services call each other but distributed tracing is off.

    **Anti-pattern**

    ```yaml
    platform: {telemetry: {tracing: none}}
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 200ms}]
      cart: {apis: [{name: Cart, port: 80, operations: {Get: {}}}]}
    ```

    **Best practice**

    ```yaml
    platform: {telemetry: {tracing: jaeger}}
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 200ms}]
      cart: {apis: [{name: Cart, port: 80, operations: {Get: {}}}]}
    ```
    """

    code = "MW609"
    name = "operations.tracing-disabled"
    severity = Severity.info
    rationale = (
        "Without traces, a slow or failing request across several services has to be "
        "reconstructed from logs by hand; the latency budget of each hop stays invisible."
    )
    fix = "Set `platform.telemetry.tracing: jaeger` (or zipkin)."
    references = ("https://opentelemetry.io/docs/concepts/signals/traces/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.telemetry.tracing == "none" and ctx.edges:
            yield Hit(
                ("platform", "telemetry", "tracing"), "tracing is off in a system with synchronous calls"
            )
