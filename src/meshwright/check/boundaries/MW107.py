from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import ClassVar

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class GodService(Rule):
    """A service has far more operations than its peers.

    **Anti-pattern**

    ```yaml
    services:
      core:
        apis:
          - name: Core
            port: 80
            operations: {A: {}, B: {}, C: {}, D: {}, E: {}, F: {}, G: {}, H: {}, I: {}, J: {}, K: {}, L: {}}
      cart: {apis: [{name: Cart, port: 80, operations: {Get: {}, Add: {}}}]}
      ads: {apis: [{name: Ads, port: 80, operations: {Get: {}}}]}
    ```

    **Best practice**

    ```yaml
    services:
      orders: {apis: [{name: Orders, port: 80, operations: {Place: {}, Get: {}, List: {}}}]}
      cart: {apis: [{name: Cart, port: 80, operations: {Get: {}, Add: {}}}]}
      ads: {apis: [{name: Ads, port: 80, operations: {Get: {}}}]}
    ```
    """

    code = "MW107"
    name = "boundaries.god-service"
    severity = Severity.warning
    rationale = (
        "A service with many times the operations of its peers usually holds several "
        "responsibilities: it changes for many reasons, every team waits on its releases, "
        "and it becomes the monolith the split was meant to remove."
    )
    fix = "Split it along its responsibilities (group operations by the data they touch)."
    references = ("https://microservices.io/patterns/decomposition/decompose-by-subdomain.html",)
    options: ClassVar[dict[str, float]] = {"god_factor": 3.0, "god_min_operations": 10.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        counts = {s: sum(len(a.operations) for a in svc.apis) for s, svc in ctx.model.services.items()}
        if len(counts) < 3:
            return
        median = statistics.median(counts.values())
        floor = max(self.option(ctx, "god_min_operations"), self.option(ctx, "god_factor") * median)
        for sname, n in counts.items():
            if n >= floor:
                yield Hit(
                    ("services", sname),
                    f"service {sname} has {plural(n, 'operation')}; its peers have {median:g} (median)",
                )
