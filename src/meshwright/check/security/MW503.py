from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class InlineSecret(Rule):
    """A secret's value is written in the model.

    **Anti-pattern**

    ```yaml
    services:
      orders:
        secrets: [{name: orders-db-password, value: hunter2}]
    ```

    **Best practice**

    ```yaml
    platform: {secrets: vault}
    services:
      orders:
        secrets: [{name: orders-db-password, path: secret/orders/db}]
    ```
    """

    code = "MW503"
    name = "security.inline-secret"
    severity = Severity.error
    rationale = (
        "A secret in the model lands in version control, in every clone, in CI logs and in "
        "the generated manifests; it can never be rotated away from the history."
    )
    fix = "Remove `value:`; keep the secret in the secret store and reference it by `path:`. Rotate it."
    references = ("https://owasp.org/Top10/A02_2021-Cryptographic_Failures/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            for i, secret in enumerate(svc.secrets):
                if secret.value:
                    yield Hit(
                        ("services", sname, "secrets", i, "value"),
                        f"secret {secret.name} of {sname} has its value written in the model",
                    )
