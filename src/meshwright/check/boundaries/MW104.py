from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import networkx as nx

from meshwright.analysis.wording import plural
from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class DeepSyncChain(Rule):
    """An entrypoint starts a chain of synchronous calls deeper than the limit.

    **Anti-pattern**

    ```yaml
    entrypoints: [{operation: a.Op, rate: 10/s}]
    services:
      a: {apis: [{name: A, port: 80, operations: {Op: {}}}], calls: [{to: b.Op, timeout: 1s}]}
      b: {apis: [{name: B, port: 80, operations: {Op: {}}}], calls: [{to: c.Op, timeout: 1s}]}
      c: {apis: [{name: C, port: 80, operations: {Op: {}}}], calls: [{to: d.Op, timeout: 1s}]}
      d: {apis: [{name: D, port: 80, operations: {Op: {}}}], calls: [{to: e.Op, timeout: 1s}]}
      e: {apis: [{name: E, port: 80, operations: {Op: {}}}], calls: [{to: f.Op, timeout: 1s}]}
      f: {apis: [{name: F, port: 80, operations: {Op: {}}}]}
    ```

    **Best practice**

    ```yaml
    entrypoints: [{operation: a.Op, rate: 10/s}]
    services:
      a: {apis: [{name: A, port: 80, operations: {Op: {}}}], calls: [{to: b.Op, timeout: 1s}]}
      b: {apis: [{name: B, port: 80, operations: {Op: {}}}], calls: [{to: c.Op, timeout: 1s}]}
      c: {apis: [{name: C, port: 80, operations: {Op: {}}}]}
    ```
    """

    code = "MW104"
    name = "boundaries.deep-sync-chain"
    severity = Severity.warning
    rationale = (
        "Every synchronous hop adds latency and multiplies failure probability; a request "
        "that crosses many services in series is a distributed monolith: all of them must be "
        "up, fast and compatible at once."
    )
    fix = (
        "Shorten the chain: merge services that always change together, cache or replicate "
        "data the caller needs, or make later steps asynchronous."
    )
    references = ("https://microservices.io/patterns/microservices.html",)
    options: ClassVar[dict[str, float]] = {"max_depth": 4.0}

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        limit = self.option(ctx, "max_depth")
        cond = nx.condensation(ctx.operation_graph)
        mapping: dict[str, int] = cond.graph["mapping"]
        depth: dict[int, int] = {}
        nxt: dict[int, int | None] = {}
        for node in reversed(list(nx.topological_sort(cond))):
            best, best_succ = 0, None
            for succ in cond.successors(node):
                if depth[succ] + 1 > best:
                    best, best_succ = depth[succ] + 1, succ
            depth[node], nxt[node] = best, best_succ
        for i, ep in enumerate(ctx.model.entrypoints):
            start = mapping.get(ep.operation)
            if start is None or depth[start] <= limit:
                continue
            chain: list[str] = []
            step: int | None = start
            while step is not None:
                chain.append(min(cond.nodes[step]["members"]))
                step = nxt[step]
            yield Hit(
                ("entrypoints", i, "operation"),
                f"entrypoint {ep.label} starts a synchronous chain of {plural(depth[start], 'hop')} "
                f"(limit {limit:g}): " + " → ".join(chain),
            )
