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
        yield from self._within_one_service(ctx)

    def _within_one_service(self, ctx: RuleContext) -> Iterator[Hit]:
        """Operations of one service that call each other (or themselves) in a cycle: a
        request that never ends. Cycles across services are reported above."""
        ops = ctx.operation_graph
        for component in nx.strongly_connected_components(ops):
            members = sorted(component)
            services = {m.split(".", 1)[0] for m in members}
            if len(services) != 1 or (len(members) == 1 and not ops.has_edge(members[0], members[0])):
                continue
            cycle = nx.find_cycle(ops.subgraph(component), source=members[0])
            names = [u for u, *_ in cycle] + [cycle[0][0]]
            first = ops[cycle[0][0]][cycle[0][1]][0]["edge"]
            yield Hit(first.path, "synchronous call cycle within one service: " + " → ".join(names))
