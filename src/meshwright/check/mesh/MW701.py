from __future__ import annotations

from collections.abc import Iterator

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity
from meshwright.model.types import Mesh


class MtlsOffWithMesh(Rule):
    """A service mesh runs with mutual TLS switched off.

    **Anti-pattern**

    ```yaml
    platform: {mesh: istio, mtls: false}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s}]
      cart:
        authorization: [{allow: [web]}]
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    platform: {mesh: istio}
    services:
      web:
        apis: [{name: Web, port: 8080, operations: {Home: {}}}]
        calls: [{to: cart.Get, timeout: 1s}]
      cart:
        authorization: [{allow: [web]}]
        apis: [{name: Cart, port: 8080, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW701"
    name = "mesh.mtls-off-with-mesh"
    severity = Severity.error
    rationale = (
        "The sidecars would encrypt and authenticate every call for free. With mTLS off, "
        "traffic is plain text and callers carry no identity: the mesh's authorization "
        "(Istio principals, Linkerd MeshTLSAuthentication, Consul intentions), which names "
        "callers by their mTLS identity, can no longer tell them apart, so it either refuses "
        "the calls the model allows or cannot enforce the ones it forbids."
    )
    fix = "Remove `platform.mtls: false` (mTLS is on by default with a mesh), or set `platform.mesh: none`."
    references = (
        "https://istio.io/latest/docs/concepts/security/#mutual-tls-authentication",
        "https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source",
    )

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        platform = ctx.model.platform
        if platform.mesh is not Mesh.none and platform.mtls is False:
            yield Hit(
                ("platform", "mtls"),
                f"platform.mtls is false with mesh {platform.mesh.value}: calls are plain text and "
                "carry no identity for the mesh's authorization",
            )
