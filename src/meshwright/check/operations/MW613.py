from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.emit.kubernetes.labels import image


class NoImage(Rule):
    """A service names no image, so the generated manifests run a `:latest` placeholder.

    **Anti-pattern**

    ```yaml
    services:
      cart:
        apis: [{name: Cart, port: 8080, operations: {Get: {}}}]
    ```

    **Best practice**

    ```yaml
    services:
      cart:
        image: "registry.example/shop/cart:2.3.0"
        apis: [{name: Cart, port: 8080, operations: {Get: {}}}]
    ```
    """

    code = "MW613"
    name = "operations.no-image"
    severity = Severity.warning
    rationale = (
        "Without `image:` the Deployment, the Helm values and compose.yaml get the placeholder "
        "`<system>/<service>:latest`: unless every overlay replaces it, the cluster runs "
        "whatever build `latest` points at today (Checkov CKV_K8S_14 fails on the output)."
    )
    fix = "Set `image:` to the service's image with a version tag or a digest."
    references = ("https://kubernetes.io/docs/concepts/containers/images/#image-names",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            if svc.image is None:
                yield Hit(
                    ("services", sname),
                    f"{sname} names no image: the generated files use {image(ctx.model, sname, svc)}",
                )
