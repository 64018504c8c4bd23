from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class NoMutualTls(Rule):
    """Traffic to a service is neither mutual-TLS (mesh) nor TLS.

    **Anti-pattern**

    ```yaml
    platform: {mesh: none}
    services:
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    platform: {mesh: istio}
    services:
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW501"
    name = "security.no-mtls"
    severity = Severity.error
    rationale = (
        "Plain-text traffic inside the cluster can be read and forged by anything that gets "
        "onto the network; without mutual TLS a service cannot know which workload is calling "
        "it, so authorization policies have nothing to check."
    )
    fix = (
        "Use a mesh (`platform.mesh: istio|linkerd|consul`, mTLS is on by default), or set "
        "`platform.mtls: true`, or at least `tls: true` on the service."
    )
    references = ("https://istio.io/latest/docs/concepts/security/#mutual-tls-authentication",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.mtls_enabled:
            return
        for sname, svc in ctx.model.services.items():
            if svc.apis and not svc.tls:
                yield Hit(("services", sname), f"traffic to {sname} is not encrypted (no mTLS, no TLS)")
