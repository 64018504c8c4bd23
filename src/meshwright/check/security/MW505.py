from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class PublicEntrypointWithoutRateLimit(Rule):
    """A public entrypoint has no rate limit.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 50/s}]
    services:
      web:
        expose: public
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: web.Home, rate: 50/s, rate_limit: 200/s}]
    services:
      web:
        expose: public
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
    ```
    """

    code = "MW505"
    name = "security.public-entrypoint-without-rate-limit"
    severity = Severity.warning
    rationale = (
        "Traffic from the internet is not under your control: a crawler, a retry storm of a "
        "client or an attack can send any rate. Without a limit at the edge that load goes "
        "straight to the services behind it."
    )
    fix = "Set `rate_limit:` on the entrypoint (at the gateway) or on the receiving service."
    references = ("https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for i, ep in enumerate(ctx.model.entrypoints):
            svc = ctx.model.services.get(ep.operation.split(".", 1)[0])
            if ep.public and ep.rate_limit is None and (svc is None or svc.rate_limit is None):
                yield Hit(("entrypoints", i), f"public entrypoint {ep.label} has no rate limit")
