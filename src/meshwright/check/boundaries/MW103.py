from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from meshwright.check.context import RuleContext
from meshwright.check.rule import Hit, Rule, Severity


class SyncCallCycle(Rule):
    """Services call each other synchronously in a cycle.

    **Anti-pattern**

    ```yaml
    services:
      orders:
        apis: [{name: Orders, port: 8080, operations: {Get: {idempotent: true}}}]
        calls: [{to: stock.Check, timeout: 200ms}]
      stock:
        apis: [{name: Stock, port: 8080, operations: {Check: {idempotent: true}}}]
        calls: [{to: orders.Get, timeout: 200ms}]
    ```

    **Best practice**

    ```yaml
    services:
      orders:
        apis: [{name: Orders, port: 8080, operations: {Get: {idempotent: true}}}]
        calls: [{to: stock.Check, timeout: 200ms}]
      stock:
        apis: [{name: Stock, port: 8080, operations: {Check: {idempotent: true}}}]
    ```
    """

    code = "MW103"
    name = "boundaries.sync-call-cycle"
    severity = Severity.error
    rationale = (
        "A cycle of synchronous calls means no service in it can be deployed, started or "
        "reasoned about alone; a slowdown anywhere in the cycle feeds back into itself, and "
        "a request can deadlock waiting on its own caller's resources."
    )
    fix = (
        "Break the cycle: move the shared responsibility into one service, or replace one "
        "direction with an event the other side consumes."
    )
    references = ("Newman, Building Microservices (2nd ed.), ch. 2 'Coupling'",)

    def check(self, ctx: RuleContext) -> Iterator[Hit]:
        g = ctx.service_graph
        for component in nx.strongly_connected_components(g):
            if len(component) < 2:
                continue
            members = sorted(component)
            cycle = nx.find_cycle(g.subgraph(component), source=members[0])
            names = [u for u, _ in cycle] + [cycle[0][0]]
            first = g[cycle[0][0]][cycle[0][1]]["edges"][0]
            yield Hit(first.path, "synchronous call cycle: " + " → ".join(names))
