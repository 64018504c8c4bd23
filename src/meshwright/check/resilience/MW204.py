from __future__ import annotations

from collections.abc import Iterator

from meshwright.analysis.wording import plural
from meshwright.callpolicy import app_schedule, semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class RetriesExceedTimeout(Rule):
    """A call's tries and backoff do not fit in its timeout.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 500ms
            retries: {attempts: 3, per_try_timeout: 300ms, backoff: {base: 50ms}}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            retries: {attempts: 3, per_try_timeout: 250ms, backoff: {base: 50ms}}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW204"
    name = "resilience.retries-exceed-timeout"
    severity = Severity.warning
    rationale = (
        "When attempts × per_try_timeout + backoff is longer than the call's timeout, the "
        "last tries can never run: the overall timeout fires first. The retry policy promises "
        "resilience it cannot deliver, and the numbers usually hide a misunderstanding."
    )
    fix = "Raise `timeout`, or lower `attempts`, `per_try_timeout` or the backoff so they fit."
    references = ("https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            app = semantics(call).app
            if call.timeout is None or not app.retries or app.per_try_timeout is None:
                continue
            needed = app_schedule(call, 0.0)
            if needed > call.timeout + 1e-9:
                yield Hit(
                    (*path, "retries"),
                    f"call {sname} → {call.to}: {plural(app.attempts, 'try', 'tries')} × "
                    f"{format_duration(app.per_try_timeout)} + backoff "
                    f"{format_duration(app.worst_case_backoff())} = {format_duration(needed)} "
                    f"exceeds the timeout {format_duration(call.timeout)}",
                )
