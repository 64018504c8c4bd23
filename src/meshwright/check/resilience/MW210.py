from __future__ import annotations

from collections.abc import Iterator

from meshwright.callpolicy import semantics
from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity


class MeshAndApplicationRetries(Rule):
    """A call is retried both by the application and by the mesh proxy.

    **Anti-pattern**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            retries: {attempts: 3, per_try_timeout: 200ms}
            mesh_retries: {attempts: 3, per_try_timeout: 60ms}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            mesh_retries: {attempts: 3, per_try_timeout: 200ms}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW210"
    name = "resilience.mesh-and-application-retries"
    severity = Severity.warning
    rationale = (
        "Retries in the application and in the sidecar multiply: 3 application tries, each "
        "retried 3 times by the proxy, send up to 9 requests to a callee that is already "
        "failing, and the timeouts of the two layers rarely agree."
    )
    fix = "Retry in one layer only: keep `mesh_retries` or `retries` on this call, not both."
    references = ("https://linkerd.io/2/features/retries-and-timeouts/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, path, call in call_sites(ctx.model):
            sem = semantics(call)
            if sem.app.retries and sem.mesh.retries:
                factor = sem.max_tries
                yield Hit(
                    (*path, "mesh_retries"),
                    f"call {sname} → {call.to} is retried by the application and the mesh "
                    f"(up to {factor} requests per call)",
                )
