from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.mesh_notes import mesh_notes


class PolicyTheMeshCannotExpress(Rule):
    """The selected mesh cannot express a policy of the model exactly.

    **Anti-pattern**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls:
          - to: cart.Get
            timeout: 1s
            mesh_retries: {attempts: 2, per_try_timeout: 300ms, budget: 20}
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
            mesh_retries: {attempts: 2, per_try_timeout: 300ms}
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW703"
    name = "mesh.policy-not-expressible"
    severity = Severity.info
    rationale = (
        "What `check`, `analyze` and `simulate` reviewed is the model; what runs is the mesh's "
        "configuration. Where the mesh has no field for a policy (Istio has no retry budget, no "
        "error-rate breaker, no half-open probes), the running system behaves differently "
        "from the reviewed one. Each such difference is one of the mesh emitter's notes "
        "(its NOTES.md), reported here at the model line it comes from."
    )
    fix = (
        "Express the policy in a form the mesh supports (e.g. consecutive_errors instead of "
        "error_rate), move it to the application (`retries` instead of `mesh_retries`), or "
        "suppress the finding with the reason the difference is acceptable."
    )
    references = ("https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for note in mesh_notes(ctx.model) or []:
            yield Hit(note.path, f"{note.mesh}: {note.message}")
