from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.kubernetes.labels import namespace

SHARED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
"""Namespaces every cluster has and other workloads share."""


class SharedNamespace(Rule):
    """The system is deployed into `default` (or another namespace every cluster shares).

    **Anti-pattern**

    ```yaml
    platform: {namespace: default}
    ```

    **Best practice**

    ```yaml
    platform: {namespace: shop}
    ```
    """

    code = "MW614"
    name = "operations.shared-namespace"
    severity = Severity.warning
    rationale = (
        "A namespace is the unit of access control, quotas, Pod Security enforcement and "
        "NetworkPolicy defaults: in `default` the system's default-deny policy, its restricted "
        "Pod Security label and its RBAC also apply to whatever else runs there, and other "
        "workloads' permissions reach its Secrets (Checkov CKV_K8S_21 fails on the output)."
    )
    fix = "Set `platform.namespace` to a namespace of the system's own (the default is the system name)."
    references = (
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        ns = namespace(ctx.model)
        if ns in SHARED_NAMESPACES:
            path = ("platform", "namespace") if ctx.model.platform.namespace else ("system",)
            yield Hit(path, f"the system is deployed into the shared namespace '{ns}'")
