from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext, call_sites
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Mesh


class MeshRetriesWithoutMesh(Rule):
    """A call sets mesh retries but the platform has no service mesh.

    **Anti-pattern**

    ```yaml
    platform: {mesh: none}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, mesh_retries: {attempts: 2, per_try_timeout: 300ms}}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    platform: {mesh: linkerd}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s, mesh_retries: {attempts: 2, per_try_timeout: 300ms}}]
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW211"
    name = "resilience.mesh-retries-without-mesh"
    severity = Severity.error
    rationale = (
        "Mesh retries are carried out by a sidecar proxy. With `platform.mesh: none` there is "
        "no proxy, so the policy is silently ignored and the call is not retried at all."
    )
    fix = "Choose a mesh under `platform.mesh`, or move the policy to the call's `retries`."

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.mesh is not Mesh.none:
            return
        for sname, path, call in call_sites(ctx.model):
            if call.mesh_retries is not None:
                yield Hit(
                    (*path, "mesh_retries"),
                    f"call {sname} → {call.to} sets mesh_retries but platform.mesh is none",
                )
