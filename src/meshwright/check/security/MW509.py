from __future__ import annotations

from collections.abc import Iterator

from meshwright.authorization import denied_edges
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.wording import possessive


class CallNotAuthorized(Rule):
    """A call is not allowed by its callee's authorization.

    **Anti-pattern**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls: [{to: payment.Refund, timeout: 1s}]
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}, Refund: {}}}]
        authorization: [{allow: [checkout], operations: [Charge]}]
    ```

    **Best practice**

    ```yaml
    services:
      checkout:
        apis: [{name: Checkout, port: 8080, operations: {Place: {}}}]
        calls: [{to: payment.Refund, timeout: 1s}]
      payment:
        apis: [{name: Payment, port: 8080, operations: {Charge: {}, Refund: {}}}]
        authorization: [{allow: [checkout], operations: [Charge, Refund]}]
    ```
    """

    code = "MW509"
    name = "security.call-not-authorized"
    severity = Severity.error
    rationale = (
        "The generated NetworkPolicies and mesh policies let through exactly the calls the "
        "callee's `authorization` allows, so a call it does not allow is refused in "
        "production (connection refused, or 403 / PERMISSION_DENIED from the mesh) although "
        "the model says the caller makes it: either the call or the policy is wrong."
    )
    fix = (
        "Add the caller to an `allow:` rule of the callee that covers the operation "
        "(`authorization: [{allow: [CALLER], operations: [OPERATION]}]`), or remove the call."
    )
    references = (
        "https://istio.io/latest/docs/concepts/security/#authorization",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        seen: set[tuple[object, ...]] = set()
        for e in denied_edges(ctx.model):
            if e.path in seen:  # a service-level call is an edge of each operation
                continue
            seen.add(e.path)
            yield Hit(
                e.path,
                f"{e.caller_service} calls {e.callee}, which {possessive(e.callee_service)} "
                f"authorization does not allow for {e.caller_service}",
            )
