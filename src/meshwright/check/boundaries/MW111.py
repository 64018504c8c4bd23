from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class UnreachableOperation(Rule):
    """An internal operation is never called, consumed or used by a saga.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 5/s}]
    services:
      web: {apis: [{name: Web, port: 80, operations: {Home: {}}}]}
      legacy: {apis: [{name: Legacy, port: 80, operations: {Export: {}}}]}
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 5/s}]
    services:
      web:
        apis: [{name: Web, port: 80, operations: {Home: {}}}]
        calls: [{to: legacy.Export, timeout: 1s}]
      legacy: {apis: [{name: Legacy, port: 80, operations: {Export: {}}}]}
    ```
    """

    code = "MW111"
    name = "boundaries.unreachable-operation"
    severity = Severity.info
    rationale = (
        "An operation of an internal service that no entrypoint, call, consumer or saga uses "
        "is either dead code still deployed and attack surface, or a dependency the model "
        "forgot, which makes every analysis of it wrong."
    )
    fix = "Model the caller (a call, entrypoint or consumer), or remove the operation."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        model = ctx.model
        used = {e.callee for e in ctx.edges} | {ep.operation for ep in model.entrypoints}
        for saga in model.sagas.values():
            for step in saga.steps:
                used.add(step.do)
                if step.compensate:
                    used.add(step.compensate)
        for sname, svc in model.services.items():
            for c in svc.consumes:
                if c.operation:
                    used.add(f"{sname}.{c.operation}")
            for call in svc.all_calls():
                if call.fallback and "." in call.fallback:
                    used.add(call.fallback)
        for sname, oname, svc, _, path in ctx.operations():
            if svc.expose == "internal" and f"{sname}.{oname}" not in used:
                yield Hit(path, f"operation {sname}.{oname} is never called")
