from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class UnpinnedImage(Rule):
    """A service's image has no version tag, or uses `latest`.

    **Anti-pattern**

    ```yaml
    services:
      cart: {image: "registry.example/shop/cart:latest"}
    ```

    **Best practice**

    ```yaml
    services:
      cart: {image: "registry.example/shop/cart:1.4.2"}
    ```
    """

    code = "MW606"
    name = "operations.unpinned-image"
    severity = Severity.warning
    rationale = (
        "`latest` (or no tag) means each node may run a different build, a restart silently "
        "upgrades, and a rollback has nothing to roll back to."
    )
    fix = "Pin a version tag (`:1.4.2`) or a digest (`@sha256:...`)."
    references = ("https://kubernetes.io/docs/concepts/containers/images/#image-names",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        for sname, svc in ctx.model.services.items():
            image = svc.image
            if image is None or "@" in image:
                continue
            last = image.rsplit("/", 1)[-1]
            tag = last.split(":", 1)[1] if ":" in last else ""
            if tag in ("", "latest"):
                yield Hit(("services", sname, "image"), f"image of {sname} is not pinned: {image}")
