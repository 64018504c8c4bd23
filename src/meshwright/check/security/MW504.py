from __future__ import annotations

import re
from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity

SECRET_KEY = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I)
REFERENCE = re.compile(r"^(\$\{.*\}|\$[A-Z_]+|vault:.*|secret://.*|)$")


class SecretInConfig(Rule):
    """A configuration value looks like a secret written in plain text.

    **Anti-pattern**

    ```yaml
    services:
      orders:
        config: {DB_PASSWORD: hunter2}
    ```

    **Best practice**

    ```yaml
    services:
      orders:
        config: {DB_USER: orders}
        secrets: [{name: orders-db-password, path: secret/orders/db}]
    ```
    """

    code = "MW504"
    name = "security.secret-in-config"
    severity = Severity.error
    rationale = (
        "Environment configuration is rendered into ConfigMaps and compose files in plain "
        "text; a password there is readable by anyone who can read the namespace or the repo."
    )
    fix = "Move the value to `secrets:` (stored in the secret store) and reference it from there."
    references = ("https://12factor.net/config",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            for key, value in svc.config.items():
                if SECRET_KEY.search(key) and not REFERENCE.match(value.strip()):
                    yield Hit(
                        ("services", sname, "config", key),
                        f"config {key} of {sname} holds what looks like a secret in plain text",
                    )
