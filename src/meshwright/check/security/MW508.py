from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import SecretStore


class SecretsInKubernetesStore(Rule):
    """Secrets are kept as plain Kubernetes Secrets.

    **Anti-pattern**

    ```yaml
    platform: {secrets: kubernetes}
    services:
      orders: {secrets: [orders-db-password]}
    ```

    **Best practice**

    ```yaml
    platform: {secrets: vault}
    services:
      orders: {secrets: [orders-db-password]}
    ```
    """

    code = "MW508"
    name = "security.secrets-in-kubernetes-store"
    severity = Severity.info
    rationale = (
        "Kubernetes Secrets are base64, not encrypted, unless etcd encryption at rest is set "
        "up; anyone with read access to the namespace reads them. A secret store adds "
        "encryption, audit, rotation and short-lived credentials."
    )
    fix = "Use `platform.secrets: vault`, or make sure etcd encryption at rest and RBAC cover Secrets."
    references = ("https://kubernetes.io/docs/concepts/security/secrets-good-practices/",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        if ctx.model.platform.secrets is not SecretStore.kubernetes:
            return
        for sname, svc in ctx.model.services.items():
            if svc.secrets:
                yield Hit(("services", sname, "secrets"), f"secrets of {sname} are plain Kubernetes Secrets")
