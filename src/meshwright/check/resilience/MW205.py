from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import try_deadline_field
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.units import format_duration


class TimeoutInversion(Rule):
    """A call's timeout is shorter than its callee's legitimate worst case.

    **Anti-pattern**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 300ms}]
      cart:
        apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: db.Read, timeout: 1s, retries: {attempts: 3, per_try_timeout: 250ms}}]
      db:
        apis:
          - name: Db
            port: 80
            operations: {Read: {idempotent: true, service_time: {mean: 50ms, p99: 200ms}}}
    ```

    **Best practice**

    ```yaml
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 300ms}]
      cart:
        apis: [{name: Cart, port: 80, operations: {Get: {idempotent: true}}}]
        calls: [{to: db.Read, timeout: 250ms}]
      db:
        apis:
          - name: Db
            port: 80
            operations: {Read: {idempotent: true, service_time: {mean: 50ms, p99: 200ms}}}
    ```
    """

    code = "MW205"
    name = "resilience.timeout-inversion"
    severity = Severity.error
    rationale = (
        "Timeouts must shrink down the call chain. When a caller gives up before its callee "
        "has finished its own downstream calls and retries, the callee keeps working for an "
        "answer nobody waits for, and the caller's retry starts the whole tree again: load "
        "grows exactly when the system is slow."
    )
    fix = (
        "Raise the caller's (per-try) timeout above the callee's worst case, or shorten the "
        "callee's own timeouts and retries (see `meshwright analyze` for the budgets)."
    )
    references = (
        "Nygard, Release It! (2nd ed.), ch. 5 'Timeouts'",
        "https://sre.google/sre-book/addressing-cascading-failures/",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for b in ctx.call_budgets:
            deadline = try_deadline_field(b.edge.call)
            if deadline is None or deadline[0] >= b.callee_worst_case - 1e-9:
                continue
            bound, key = deadline
            what = {"mesh_retries": "mesh per-try timeout", "retries": "per-try timeout"}.get(
                key[0], "timeout"
            )
            yield Hit(
                (*b.edge.path, *key),
                f"call {b.edge.caller_service} → {b.edge.callee}: {what} {format_duration(bound)} is "
                f"shorter than the callee's worst case {format_duration(b.callee_worst_case)}",
            )
