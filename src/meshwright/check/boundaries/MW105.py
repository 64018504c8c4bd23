from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from meshwright.analysis.wording import agree, plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class EntangledContexts(Rule):
    """Most operations of a context call another context synchronously.

    **Anti-pattern**

    ```yaml
    contexts: {ordering: {}, catalog: {}}
    services:
      orders:
        context: ordering
        apis: [{name: Orders, port: 80, operations: {Place: {}, Get: {idempotent: true}}}]
        calls: [{to: products.Get, timeout: 200ms}]
      products:
        context: catalog
        apis: [{name: Products, port: 80, operations: {Get: {idempotent: true}}}]
    ```

    **Best practice**

    ```yaml
    contexts: {ordering: {}, catalog: {}}
    services:
      orders:
        context: ordering
        apis:
          - name: Orders
            port: 80
            operations:
              Place: {calls: [{to: products.Get, timeout: 200ms}]}
              Get: {idempotent: true}
              List: {idempotent: true}
      products:
        context: catalog
        apis: [{name: Products, port: 80, operations: {Get: {idempotent: true}}}]
    ```
    """

    code = "MW105"
    name = "boundaries.entangled-contexts"
    severity = Severity.warning
    rationale = (
        "A context that needs another context synchronously for most of what it does is not "
        "autonomous: its boundary is drawn in the wrong place, and the two fail, scale and "
        "change together."
    )
    fix = (
        "Move the boundary so each context owns the data its operations need, or keep a local "
        "copy fed by the other context's events."
    )
    references = ("Evans, Domain-Driven Design, ch. 14 'Maintaining Model Integrity'",)
    options: ClassVar[dict[str, float]] = {"entangled_share": 50.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        share = self.option(ctx, "entangled_share")
        totals: Counter[str] = Counter()
        coupled: Counter[str] = Counter()
        targets: dict[str, Counter[str]] = {c: Counter() for c in ctx.model.contexts}
        for sname, oname, svc, _, _ in ctx.operations():
            cname = svc.context
            if cname is None:
                continue
            totals[cname] += 1
            foreign = {
                other
                for e in ctx.edges_by_caller.get(f"{sname}.{oname}", [])
                if (other := ctx.model.services[e.callee_service].context) not in (None, cname)
            }
            if foreign:
                coupled[cname] += 1
                targets.setdefault(cname, Counter()).update(foreign)
        for cname in ctx.model.contexts:
            total = totals[cname]
            if total and coupled[cname] * 100.0 / total > share:
                # most-called first, ties by name (a Counter's ties keep set order: per run)
                ranked = sorted(targets[cname].items(), key=lambda tn: (-tn[1], tn[0]))
                names = ", ".join(t for t, _ in ranked)
                yield Hit(
                    ("contexts", cname),
                    f"context {cname}: {coupled[cname]} of {plural(total, 'operation')} "
                    f"{agree(coupled[cname], 'calls', 'call')} {names} synchronously",
                )
